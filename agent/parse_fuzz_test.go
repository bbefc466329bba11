package agent

import (
	"encoding/json"
	"strings"
	"testing"
)

// expectedCode is an independent statement of the seed's parser rules
// (seed-system §3.3): the code ParseReply must return, "" for a valid call.
func expectedCode(calls []ToolCall, tools []Tool) string {
	switch {
	case len(calls) == 0:
		return "missing"
	case len(calls) > 1:
		return "multiple"
	}
	var tool *Tool
	for i := range tools {
		if tools[i].Name == calls[0].Name {
			tool = &tools[i]
		}
	}
	if tool == nil {
		return "invalid_command"
	}
	text := strings.TrimSpace(calls[0].Arguments)
	if text == "" {
		text = "{}"
	}
	// Python's json.loads accepts numbers out of float64 range (1e400 is
	// inf), so numbers are kept as text.
	var args map[string]any
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	if !json.Valid([]byte(text)) || dec.Decode(&args) != nil {
		return "invalid_json"
	}
	known := map[string]bool{}
	for _, p := range tool.Params {
		known[p.Name] = true
		if v, ok := args[p.Name]; p.Required && (!ok || v == nil) {
			return "missing_arg"
		}
	}
	for k := range args {
		if !known[k] {
			return "unexpected_arg"
		}
	}
	return ""
}

// FuzzParseReply feeds random replies (garbled JSON, several tool calls,
// unknown tools, huge arguments) to the parser: it must not panic and must
// take the right format-error path. The seed corpus runs in `go test`.
func FuzzParseReply(f *testing.F) {
	huge := strings.Repeat("x", 1<<20)
	for _, s := range []struct {
		text, name, args string
		n                uint8
	}{
		{"", "bash", `{"command":"ls"}`, 1},
		{"thinking", "bash", `{"command":"ls"}`, 0},
		{"two", "bash", `{"command":"ls"}`, 2},
		{"many", "submit", `{}`, 7},
		{"", "nope", `{}`, 1},
		{"", "bash", `{"command":`, 1},
		{"", "bash", `{"command":"ls"}}`, 1},
		{"", "bash", `"ls"`, 1},
		{"", "bash", `null`, 1},
		{"", "bash", ``, 1},
		{"", "open", `{"path":"a.py","line_number":1e400}`, 1},
		{"", "edit", `{"search":"` + huge + `","replace":"y","replace-all":"False"}`, 1},
		{huge, "bash", `{"command":"` + huge + `"}`, 1},
		{"", "insert", `{"text":"\u0000\ud800","line":-1}`, 1},
		{"", "bash", `{"command":"ls","command":"pwd"}`, 1},
		{"", "goto", `{"line_number":{"a":[1,2]}}`, 1},
		{"", "edit", `{"search":"a","replace":"b","x":1}`, 1},
	} {
		f.Add(s.text, s.name, s.args, s.n)
	}
	tools := Tools()
	f.Fuzz(func(t *testing.T, text, name, args string, n uint8) {
		calls := make([]ToolCall, int(n%9))
		for i := range calls {
			calls[i] = ToolCall{ID: "c", Name: name, Arguments: args}
		}
		act, ferr := ParseReply(text, calls, tools)
		want := expectedCode(calls, tools)
		switch {
		case want == "" && ferr != nil:
			t.Fatalf("valid call refused: %v", ferr)
		case want != "" && (ferr == nil || ferr.Code != want):
			t.Fatalf("got %v, want code %s", ferr, want)
		case ferr != nil && (ferr.Message == "" || !strings.HasSuffix(ferr.Error(), "[error_code="+ferr.Code+"]")):
			t.Fatalf("bad error %#v", ferr)
		case ferr == nil && act.Call.Name != name:
			t.Fatalf("action for %q, want %q", act.Call.Name, name)
		case ferr == nil && name == "bash" && act.Command != act.Args["command"]:
			t.Fatalf("bash command %q rendered as %q", act.Args["command"], act.Command)
		case ferr == nil && name != "bash" && !strings.HasPrefix(act.Command, name):
			t.Fatalf("%s rendered as %q", name, act.Command)
		}
	})
}
