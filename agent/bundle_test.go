package agent

import (
	"encoding/json"
	"strings"
	"testing"
)

// A bundle in the seed's config.yaml layout (our own wording): arguments
// out of alphabetical order, a folded docstring with a placeholder, an
// enum, items and a tool without arguments.
const bundleYAML = `tools:
  open:
    signature: 'open "<path>" [<line_number>]'
    docstring: >
      opens <path> and shows {WINDOW} lines.

      Indented:
          like this
    arguments:
      - name: path
        type: string
        description: "which file"
        required: true
      - name: line_number
        type: integer
        description: "where"
        required: false
        enum: ["1", "2"]
        items: {type: integer, minimum: "1"}
  scroll_up:
    signature: "scroll_up"
    docstring: "moves up {WINDOW} lines"
    arguments: []
state_command: "_state"
`

func TestParseBundleKeepsOrderAndTexts(t *testing.T) {
	tools, err := ParseBundle("b/config.yaml", []byte(bundleYAML))
	if err != nil {
		t.Fatal(err)
	}
	if len(tools) != 2 || tools[0].Name != "open" || tools[1].Name != "scroll_up" {
		t.Fatalf("tools %+v", tools)
	}
	open := tools[0]
	if want := "opens <path> and shows {WINDOW} lines.\nIndented:\n    like this\n"; open.Description != want {
		t.Errorf("docstring %q, want %q (YAML folding, placeholder kept)", open.Description, want)
	}
	if open.Signature != `open "<path>" [<line_number>]` || len(open.Params) != 2 || open.Params[0].Name != "path" || !open.Params[0].Required || open.Params[1].Required {
		t.Errorf("open %+v", open)
	}
	got := string(open.Function())
	want := `{"type":"function","function":{"name":"open","description":"opens <path> and shows {WINDOW} lines.\nIndented:\n    like this\n",` +
		`"parameters":{"type":"object","properties":{"path":{"type":"string","description":"which file"},` +
		`"line_number":{"type":"integer","description":"where","items":{"type":"integer","minimum":"1"},"enum":["1","2"]}},"required":["path"]}}}`
	if got != want {
		t.Errorf("wire form\n got %s\nwant %s", got, want)
	}
	if got := string(tools[1].Parameters()); got != `{"type":"object","properties":{},"required":[]}` {
		t.Errorf("no arguments: %s", got)
	}
	var arr []any
	if err := json.Unmarshal(Functions(tools), &arr); err != nil || len(arr) != 2 {
		t.Errorf("Functions: %v %v", arr, err)
	}
}

func TestParseBundleErrors(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{
		{"unknown tool key", "    arguments: []", "    argumnts: []", "tools.scroll_up: line 23: unknown key argumnts"},
		{"missing required", "        required: true\n", "", "tools.open: arguments[0]: line 10: argument path lacks required"},
		{"end_name", "    arguments: []", "    end_name: end_of_edit\n    arguments: []", "multi-line commands are not implemented"},
		{"argument format", "        required: true\n", "        required: true\n        argument_format: \"--path {{value}}\"\n", "argument_format"},
		{"duplicate", "      - name: line_number", "      - name: path", "declared twice"},
		{"no tools", "tools:\n  open:", "toolz:\n  open:", "unknown key toolz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(bundleYAML, tc.old) {
				t.Fatalf("test YAML lacks %q", tc.old)
			}
			_, err := ParseBundle("b/config.yaml", []byte(strings.Replace(bundleYAML, tc.old, tc.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "b/config.yaml: ") {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// seedWithBundles is a seed config naming bundles by path.
const seedWithBundles = `agent:
  templates:
    system_template: "sys {{WINDOW}}"
    instance_template: "inst {{problem_statement}} {{working_dir}}"
    next_step_template: "{{observation}}"
  tools:
    env_variables: {WINDOW: 100, OVERLAP: 2}
    bundles:
      - path: tools/registry
      - path: tools/mine
        hidden_tools: [scroll_down]
    enable_bash_tool: true
instances:
  deployment: {image: "python:3.11"}
`

const mineYAML = `tools:
  scroll_down:
    signature: scroll_down
    docstring: "down {WINDOW}"
  goto:
    signature: "goto <line_number>"
    docstring: "jumps"
    arguments:
      - {name: line_number, type: integer, description: "the line", required: true}
`

func reader(files map[string]string) BundleReader {
	return func(path string) (BundleFile, bool, error) {
		data, ok := files[path]
		return BundleFile{Path: path, File: path + "/config.yaml", Data: []byte(data)}, ok, nil
	}
}

func TestParseConfigWithBundles(t *testing.T) {
	c, err := ParseConfigWith("seed.yaml", []byte(seedWithBundles), reader(map[string]string{"tools/registry": "tools: {}", "tools/mine": mineYAML}))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range c.ToolList() {
		names = append(names, tl.Name)
	}
	if strings.Join(names, " ") != "bash goto" {
		t.Errorf("tools %v: bash first, the bundle's in declared order, hidden left out", names)
	}
	if c.ToolList()[1].Description != "jumps" || !c.Seed {
		t.Errorf("definitions are the bundle's: %+v", c.ToolList()[1])
	}
	if !strings.Contains(strings.Join(c.Notes, "\n"), "run-level settings instances read and not used") {
		t.Errorf("notes %q", c.Notes)
	}
	sys, inst, err := RenderHead(c, "the issue", "/testbed")
	if err != nil || sys.Content != "sys 100" || inst.Content != "inst the issue /testbed" || inst.Role != RoleUser {
		t.Errorf("head %q %q %v", sys.Content, inst.Content, err)
	}

	// A bundle that is not there: our definitions, with a note.
	c, err = ParseConfigWith("seed.yaml", []byte(strings.Replace(seedWithBundles, "tools/mine", "tools/defaults", 1)), reader(map[string]string{"tools/registry": "tools: {}"}))
	if err != nil || c.ToolDefs != nil || !strings.Contains(strings.Join(c.Notes, "\n"), "tool bundles tools/defaults not found") {
		t.Errorf("missing bundle: %v %q", err, c.Notes)
	}
	if len(c.ToolList()) != 5 || strings.Contains(c.ToolList()[4].Description, "{WINDOW}") {
		t.Errorf("built-in tools stand in: %+v", c.ToolList())
	}

	for _, tc := range []struct{ bundle, want string }{
		{strings.Replace(mineYAML, "goto", "teleport", 2), `tool "teleport" is not implemented`},
		{strings.Replace(mineYAML, "name: line_number", "name: line", 1), `tool "goto" has arguments [line]; our implementation takes [line_number]`},
	} {
		_, err := ParseConfigWith("seed.yaml", []byte(seedWithBundles), reader(map[string]string{"tools/registry": "tools: {}", "tools/mine": tc.bundle}))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want %q", err, tc.want)
		}
	}
}
