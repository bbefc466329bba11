package agent

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Param is one argument of a tool.
type Param struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // JSON schema type
	Description string `json:"description"`
	Required    bool   `json:"required"`
}

// Tool is a command offered to the model through function calling.
type Tool struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Params      []Param `json:"params"`
}

// Schema returns the tool's JSON schema for the "parameters" field of a
// function-calling request.
func (t Tool) Schema() map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, p := range t.Params {
		props[p.Name] = map[string]any{"type": p.Type, "description": p.Description}
		if p.Required {
			required = append(required, p.Name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required}
}

// BaseTools are the tools every configuration has: a shell and submit.
func BaseTools() []Tool {
	return []Tool{
		{Name: "bash", Description: "runs the given command directly in bash", Params: []Param{
			{Name: "command", Type: "string", Description: "The bash command to execute.", Required: true}}},
		{Name: "submit", Description: "submits the current file changes (git diff of the repository) as your solution"},
	}
}

// Action is a parsed, valid tool call.
type Action struct {
	Call    ToolCall          `json:"call"`
	Args    map[string]string `json:"args"`
	Command string            `json:"command"` // the rendered command string (the seed's "action")
}

// FormatError is a reply that is not exactly one valid tool call. Code is
// the seed's error code: missing, multiple, invalid_command, invalid_json,
// missing_arg, unexpected_arg.
type FormatError struct {
	Code    string
	Message string
}

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
	if err := json.Unmarshal([]byte(argText), &raw); err != nil {
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
	return Action{Call: call, Args: args, Command: renderCommand(*tool, args)}, nil
}

func renderCommand(t Tool, args map[string]string) string {
	if t.Name == "bash" {
		return args["command"]
	}
	parts := []string{t.Name}
	for _, p := range t.Params {
		if v, ok := args[p.Name]; ok {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " ")
}
