package agent

import (
	"strings"
	"testing"
)

func call(name, args string) []ToolCall { return []ToolCall{{ID: "c1", Name: name, Arguments: args}} }

func TestParseReplyErrors(t *testing.T) {
	tools := Tools()
	for _, tc := range []struct {
		name  string
		calls []ToolCall
		code  string
		msg   string
	}{
		{"none", nil, "missing", "Expected exactly one tool call in model response - received 0 tool calls with message: hi"},
		{"two", append(call("bash", `{"command":"ls"}`), call("submit", "{}")...), "multiple", "Expected exactly one tool call in model response - received 2 tool calls with message: hi"},
		{"unknown", call("foo", "{}"), "invalid_command", "Command 'foo' not found in list of available commands."},
		{"garbled", call("bash", `{"command":`), "invalid_json", "Tool call arguments are not valid JSON."},
		{"trailing data", call("bash", `{"command":"ls"} x`), "invalid_json", "Tool call arguments are not valid JSON."},
		{"not an object", call("bash", `["ls"]`), "invalid_json", "Tool call arguments are not valid JSON."},
		{"missing", call("open", `{}`), "missing_arg", "Required argument(s) missing: path"},
		{"null is missing", call("edit", `{"search":"a","replace":null}`), "missing_arg", "Required argument(s) missing: replace"},
		{"unexpected", call("bash", `{"command":"ls","z":1,"a":2}`), "unexpected_arg", "Unexpected argument(s): a, z"},
	} {
		_, ferr := ParseReply("hi", tc.calls, tools)
		if ferr == nil || ferr.Code != tc.code || ferr.Message != tc.msg {
			t.Errorf("%s: got %+v, want %s %q", tc.name, ferr, tc.code, tc.msg)
		}
	}
	if _, ferr := ParseReply("x", call("open", `{"path":"a"}`), BaseTools()); ferr == nil || ferr.Code != "invalid_command" {
		t.Errorf("open is not a base tool: %v", ferr)
	}
	if got := (&FormatError{Code: "missing", Message: "m"}).Error(); got != "m [error_code=missing]" {
		t.Errorf("Error() = %q", got)
	}
}

func TestParseReplyRendersCommands(t *testing.T) {
	for _, tc := range []struct{ name, args, want string }{
		{"bash", `{"command":"cd src && ls 'a b'"}`, "cd src && ls 'a b'"},
		{"open", `{"path":"src/a.py"}`, `open "src/a.py"`},
		{"open", `{"path":"my file.py","line_number":12}`, `open "'my file.py'" 12`},
		{"goto", `{"line_number":5}`, "goto 5"},
		{"create", `{"filename":"reproduce.py"}`, "create reproduce.py"},
		{"scroll_up", ``, "scroll_up"},
		{"scroll_down", `{}`, "scroll_down"},
		{"find_file", `{"file_name":"*.py"}`, "find_file '*.py'"},
		{"find_file", `{"file_name":"a.py","dir":"src"}`, "find_file a.py src"},
		{"search_dir", `{"search_term":"def foo("}`, "search_dir 'def foo('"},
		{"search_file", `{"search_term":"x","file":"a.py"}`, "search_file x a.py"},
		{"edit", `{"search":"a b","replace":"it's","replace-all":false}`, `edit 'a b' 'it'"'"'s' False`},
		{"edit", `{"search":"x","replace":"y","replace-all":true}`, "edit x y True"},
		{"edit", `{"search":"x","replace":""}`, "edit x ''"},
		{"insert", `{"text":"import os","line":3}`, "insert 'import os' 3"},
		{"submit", `{}`, "submit"},
	} {
		act, ferr := ParseReply("t", call(tc.name, tc.args), Tools())
		if ferr != nil || act.Command != tc.want {
			t.Errorf("%s %s: got %q (%v), want %q", tc.name, tc.args, act.Command, ferr, tc.want)
		}
	}
	act, _ := ParseReply("t", call("edit", `{"search":"x","replace":"y","replace-all":false}`), Tools())
	if act.Args["replace-all"] != "false" || ParseBool(act.Args["replace-all"]) {
		t.Errorf("replace-all false arrives as %q", act.Args["replace-all"])
	}
	act, _ = ParseReply("t", call("open", `{"path":"a","line_number":12}`), Tools())
	if act.Args["line_number"] != "12" || act.Args["path"] != "a" {
		t.Errorf("args %v", act.Args)
	}
}

func TestToolsSchema(t *testing.T) {
	var names []string
	for _, tl := range Tools() {
		names = append(names, tl.Name)
	}
	if got := strings.Join(names, " "); got != "bash goto open create scroll_up scroll_down find_file search_dir search_file edit insert submit" {
		t.Errorf("tool order: %s", got)
	}
	edit := Tools()[9].Schema()
	props := edit["properties"].(map[string]any)
	if props["replace-all"].(map[string]any)["type"] != "boolean" || strings.Join(edit["required"].([]string), ",") != "search,replace" {
		t.Errorf("edit schema %v", edit)
	}
	if d := ToolsFor(Window{Size: 50, Overlap: 5})[5].Description; d != "moves the window down 45 lines" {
		t.Errorf("scroll_down description %q", d)
	}
	for _, tl := range Tools() {
		if strings.Contains(tl.Description, "{WINDOW}") {
			t.Errorf("%s: unformatted placeholder", tl.Name)
		}
	}
}
