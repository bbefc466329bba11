package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Param is one argument of a tool.
type Param struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // JSON schema type: string, integer, boolean
	Description string `json:"description"`
	Required    bool   `json:"required"`
	// Enum and Items are the seed's optional argument fields, sent in the
	// schema when set.
	Enum  []string `json:"enum,omitempty"`
	Items []KV     `json:"items,omitempty"`
}

// KV is one key of a mapping whose order matters.
type KV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Tool is a command offered to the model through function calling.
type Tool struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Params      []Param `json:"params"`
	// Signature renders a call as a command line, e.g. `open "<path>"
	// [<line_number>]`; empty means the name and the arguments in order.
	Signature string `json:"signature,omitempty"`
}

// Schema returns the tool's JSON schema for the "parameters" field of a
// function-calling request, as a map (for SDKs that take one; its keys lose
// their order, see Parameters).
func (t Tool) Schema() map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, p := range t.Params {
		prop := map[string]any{"type": p.Type, "description": p.Description}
		if len(p.Items) > 0 {
			items := map[string]any{}
			for _, kv := range p.Items {
				items[kv.Key] = kv.Value
			}
			prop["items"] = items
		}
		if len(p.Enum) > 0 {
			prop["enum"] = p.Enum
		}
		props[p.Name] = prop
		if p.Required {
			required = append(required, p.Name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

// BaseTools are the tools every configuration has: a shell and submit.
func BaseTools() []Tool {
	return []Tool{bashTool(), submitTool()}
}

// Action is a parsed, valid tool call.
type Action struct {
	Call ToolCall `json:"call"`
	// Args holds string arguments as given and other values as JSON text.
	Args    map[string]string `json:"args"`
	Command string            `json:"command"` // the rendered command string (the seed's "action")
}

// FormatError is a reply that is not exactly one valid tool call. Code is
// the seed's error code: missing, multiple, invalid_command, invalid_json,
// missing_arg, unexpected_arg; or one of ours for actions refused before
// they run: blocked (blocklist, §4.4) and bash_syntax (`bash -n` failed).
type FormatError struct {
	Code    string
	Message string
}

// Error codes of actions refused before execution.
const (
	CodeBlocked    = "blocked"
	CodeBashSyntax = "bash_syntax"
)

func (e *FormatError) Error() string { return e.Message + " [error_code=" + e.Code + "]" }

// ParseReply validates a model reply against the tools and returns the action.
func ParseReply(text string, calls []ToolCall, tools []Tool) (Action, *FormatError) {
	if len(calls) != 1 {
		code := "missing"
		if len(calls) > 1 {
			code = "multiple"
		}
		return Action{}, &FormatError{Code: code, Message: fmt.Sprintf(
			"Expected exactly one tool call in model response - received %d tool calls with message: %s", len(calls), text)}
	}
	call := calls[0]
	var tool *Tool
	for i := range tools {
		if tools[i].Name == call.Name {
			tool = &tools[i]
		}
	}
	if tool == nil {
		return Action{}, &FormatError{Code: "invalid_command", Message: fmt.Sprintf("Command '%s' not found in list of available commands.", call.Name)}
	}
	raw := map[string]any{}
	argText := strings.TrimSpace(call.Arguments)
	if argText == "" {
		argText = "{}"
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(argText)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || !atEOF(dec) {
		return Action{}, &FormatError{Code: "invalid_json", Message: "Tool call arguments are not valid JSON."}
	}
	args := map[string]string{}
	var missing, unexpected []string
	known := map[string]bool{}
	for _, p := range tool.Params {
		known[p.Name] = true
		v, ok := raw[p.Name]
		if !ok || v == nil {
			if p.Required {
				missing = append(missing, p.Name)
			}
			continue
		}
		if s, isStr := v.(string); isStr {
			args[p.Name] = s
		} else {
			b, _ := json.Marshal(v)
			args[p.Name] = string(b)
		}
	}
	for k := range raw {
		if !known[k] {
			unexpected = append(unexpected, k)
		}
	}
	sort.Strings(unexpected)
	if len(missing) > 0 {
		return Action{}, &FormatError{Code: "missing_arg", Message: "Required argument(s) missing: " + strings.Join(missing, ", ")}
	}
	if len(unexpected) > 0 {
		return Action{}, &FormatError{Code: "unexpected_arg", Message: "Unexpected argument(s): " + strings.Join(unexpected, ", ")}
	}
	return Action{Call: call, Args: args, Command: renderCommand(*tool, raw)}, nil
}

// renderCommand turns a call into the seed's command string (§4.2): the
// signature with each <arg> replaced by the value, strings shell-quoted
// (Python shlex.quote), booleans as True/False, missing optional arguments
// empty, the result trimmed. bash's command is inserted verbatim.
func renderCommand(t Tool, raw map[string]any) string {
	if t.Name == "bash" {
		s, _ := raw["command"].(string)
		return s
	}
	sig := t.Signature
	if sig == "" {
		sig = t.Name
		for _, p := range t.Params {
			sig += " <" + p.Name + ">"
		}
	}
	sig = strings.NewReplacer("[", "", "]", "").Replace(sig)
	for _, p := range t.Params {
		val := ""
		switch v := raw[p.Name].(type) {
		case nil:
		case string:
			val = PyQuote(v)
		case bool:
			val = map[bool]string{true: "True", false: "False"}[v]
		case json.Number:
			val = v.String()
		default:
			b, _ := json.Marshal(v)
			val = string(b)
		}
		sig = strings.ReplaceAll(sig, "<"+p.Name+">", val)
	}
	return strings.TrimSpace(sig)
}

// atEOF reports whether nothing but white space follows the decoded value.
func atEOF(dec *json.Decoder) bool {
	_, err := dec.Token()
	return errors.Is(err, io.EOF)
}
