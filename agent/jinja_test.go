package agent

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// A format-error template in the layout of the seed's function-calling
// parser (branches on error_code, white-space control); the wording is ours.
const branchTemplate = `{%- if error_code == "missing" -%}
No tool call found.
Call exactly one tool.
{%- elif error_code == 'multiple' -%}
  Several calls: {{exception_message}}
{% else -%}
Could not parse: {{ exception_message }}.
{%- if hint %} Hint: {{hint}}{% endif %}
{# a comment #}{%- endif %}`

var branchCases = []struct {
	vars map[string]string
	want string
}{
	{map[string]string{"error_code": "missing"}, "No tool call found.\nCall exactly one tool."},
	{map[string]string{"error_code": "multiple", "exception_message": "2 calls"}, "Several calls: 2 calls\n"},
	{map[string]string{"error_code": "invalid_json", "exception_message": "bad JSON"}, "Could not parse: bad JSON.\n"},
	{map[string]string{"error_code": "missing_arg", "exception_message": "x", "hint": "add it"}, "Could not parse: x. Hint: add it\n"},
}

func TestRenderJinjaBranches(t *testing.T) {
	for _, tc := range branchCases {
		got, err := Render(branchTemplate, tc.vars)
		if err != nil || got != tc.want {
			t.Errorf("%v: got %q (%v), want %q", tc.vars, got, err, tc.want)
		}
	}
	for tmpl, want := range map[string]string{
		"{% if x %}a":                                 "without {% endif %}",
		"{% endif %}":                                 "without {% if %}",
		"{% if x > 1 %}a{% endif %}":                  "conditions are",
		"{% if x %}{{ x | upper }}{% endif %}":        "only variable names",
		"{% set x = 1 %}":                             "only if, elif, else and endif",
		"{% if x %}{% else %}{% elif y %}{% endif %}": "not followed by {% endif %}",
	} {
		if _, err := Render(tmpl, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", tmpl, err, want)
		}
	}
}

// TestRenderJinjaLikeJinja2 renders the same template with Jinja2 itself
// (when python3 has it) and compares.
func TestRenderJinjaLikeJinja2(t *testing.T) {
	if err := exec.Command("python3", "-c", "import jinja2").Run(); err != nil {
		t.Skipf("python3 with jinja2 not available: %v", err)
	}
	var all []map[string]string
	for _, tc := range branchCases {
		all = append(all, tc.vars)
	}
	in, _ := json.Marshal(map[string]any{"t": branchTemplate, "cases": all})
	script := "import sys, json, jinja2\nd = json.load(sys.stdin)\nprint(json.dumps([jinja2.Template(d['t']).render(**c) for c in d['cases']]))"
	cmd := exec.Command("python3", "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, tc := range branchCases {
		if got, _ := Render(branchTemplate, tc.vars); got != want[i] {
			t.Errorf("%v: got %q, Jinja2 %q", tc.vars, got, want[i])
		}
	}
}

// A seed config's texts are rendered as the seed's Jinja2 does: a `|`
// block's final newline is dropped, and the parser's error message with
// its branches is used as it is.
func TestSeedTemplatesLikeJinja2(t *testing.T) {
	src := "agent:\n  templates:\n    system_template: |\n      sys {{WINDOW}}\n    instance_template: \"inst\"\n" +
		"    next_step_template: \"{{observation}}\"\n  tools:\n    env_variables: {WINDOW: 7}\n" +
		"    parse_function:\n      type: function_calling\n      error_message: |\n" +
		"        {%- if error_code == \"missing\" -%}\n        none\n        {%- else -%}\n        bad: {{exception_message}}\n        {%- endif %}\n"
	c, err := ParseConfig("seed.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sys, _, err := RenderHead(c, "p", "/testbed")
	if err != nil || sys.Content != "sys 7" {
		t.Errorf("system %q %v", sys.Content, err)
	}
	for code, want := range map[string]string{"missing": "none", "invalid_json": "bad: oops"} {
		got, err := c.Templates.FormatErrorMessage(code, map[string]string{"error_code": code, "exception_message": "oops"})
		if err != nil || got != want {
			t.Errorf("%s: %q %v, want %q", code, got, err, want)
		}
	}
}
