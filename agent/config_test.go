package agent

import (
	"strings"
	"testing"
)

// ours is a minimal configuration in our format; extra is appended.
func ours(extra string) string {
	return "templates:\n  system_template: sys {{WINDOW}}\n  instance_template: inst {{problem_statement}}\n" +
		"  next_step_template: \"{{observation}}\"\n" + extra
}

func names(ts []Tool) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name)
	}
	return strings.Join(out, " ")
}

const seedOrder = "bash goto open create scroll_up scroll_down find_file search_dir search_file edit insert submit"

func TestParseConfigOurs(t *testing.T) {
	c, err := ParseConfig("a.yaml", []byte(ours(`env: {WINDOW: 50, OVERLAP: 5}
tools:
  bundles: [defaults, tools/submit]
  hidden_tools: [create]
  enable_bash_tool: false
limits: {max_requeries: 2, execution_timeout: 10, max_observation_length: 500, call_limit: 9}
`)))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(c.ToolList()); got != "goto open scroll_up scroll_down submit" {
		t.Errorf("tools %q", got)
	}
	if c.Window() != (Window{50, 5}) || c.Templates.MaxObservationSize != 500 {
		t.Errorf("window %+v, max observation %d", c.Window(), c.Templates.MaxObservationSize)
	}
	lim := c.Limits.Apply(DefaultLimits())
	want := DefaultLimits()
	want.MaxRequeries, want.ExecutionTimeoutSec = 2, 10
	if lim != want {
		t.Errorf("limits %+v, want %+v (call_limit stays the trial's)", lim, want)
	}
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "call limit 9 is not used") {
		t.Errorf("notes %q", c.Notes)
	}
	if c.HistoryProcessors != nil {
		t.Errorf("no history_processors key gives nil, got %#v", c.HistoryProcessors)
	}
	// Defaults: the seed's twelve tools in its order, built-in templates.
	d, err := ParseConfig("b.yaml", []byte(ours("")))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(d.ToolList()); got != seedOrder {
		t.Errorf("default tools %q", got)
	}
	if d.Templates.Truncated != DefaultTruncated || d.Templates.CommandTimeout != DefaultCommandTimeout || d.Templates.MaxObservationSize != 100000 {
		t.Errorf("defaults not filled: %+v", d.Templates)
	}
	if d.Hash() == c.Hash() || d.Hash() != d.Hash() || len(d.Hash()) != 16 {
		t.Errorf("hashes %s %s", d.Hash(), c.Hash())
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown top-level key", ours("limitz: {}\n"), "a.yaml: line 5: unknown key limitz"},
		{"unknown nested key", ours("limits: {exec_timeout: 3}\n"), "unknown key limits.exec_timeout"},
		{"unknown template", strings.Replace(ours(""), "  next_step", "  next_stp: x\n  next_step", 1), "unknown key templates.next_stp"},
		{"missing template", "templates: {system_template: s}\n", "instance_template, next_step_template required"},
		{"jinja", ours("  format_error_template: \"{% for c in codes %}x{% endfor %}\"\n"), "templates.format_error_template: {% for c in codes %}: only if, elif, else and endif"},
		{"unknown error code", ours("  format_error_templates: {nope: x}\n"), "format_error_templates.nope: unknown error code"},
		{"unknown bundle", ours("tools: {bundles: [windowed]}\n"), `bundle "windowed" is not implemented`},
		{"hidden tool not offered", ours("tools: {bundles: [submit], hidden_tools: [edit]}\n"), `"edit" is not a tool of the selected bundles`},
		{"no tools", ours("tools: {bundles: [], enable_bash_tool: false}\n"), "no tool is offered"},
		{"bad regex", ours("tools: {block_unless_regex: {r2: '('}}\n"), "tools.block_unless_regex.r2"},
		{"negative limit", ours("limits: {execution_timeout: -1}\n"), "limits.execution_timeout must not be negative"},
		{"window", ours("env: {WINDOW: x}\n"), "env.WINDOW"},
		{"overlap", ours("env: {WINDOW: 10, OVERLAP: 10}\n"), "env.OVERLAP (10) must be smaller than WINDOW (10)"},
		{"processor param of another type", ours("history_processors:\n  - {type: last_n_observations, n: 3, keep_last_m_turns: 1}\n"),
			"unknown key history_processors[0].keep_last_m_turns"},
		{"unsupported processor", ours("history_processors:\n  - {type: closed_window}\n"), "history processor closed_window is not implemented"},
		{"unknown processor", ours("history_processors:\n  - {type: magic}\n"), `unknown history processor "magic"`},
		{"processor without n", ours("history_processors:\n  - {type: last_n_observations}\n"), "history_processors[0].n"},
		{"processor order", ours("history_processors:\n  - {type: last_n_observations, n: 2}\n  - {type: summarize_every_n_turns, n: 3}\n"),
			"match none of the strategies"},
		{"custom tags", ours("history_processors:\n  - {type: last_n_observations, n: 2, always_keep_output_for_tags: [x]}\n"), "default tag sets"},
		{"not a mapping", "- a\n", "an agent configuration is a YAML mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("a.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "a.yaml: ") {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestProcessorStrategy(t *testing.T) {
	n := 3
	for _, tc := range []struct {
		ps   []HistoryProcessor
		want string
	}{
		{nil, "raw"},
		{[]HistoryProcessor{{Type: ProcDefault}}, "raw"},
		{[]HistoryProcessor{{Type: ProcLastNObservations, N: &n}}, "observation_masking"},
		{[]HistoryProcessor{{Type: ProcSummarize, N: &n}}, "llm_summary"},
		{[]HistoryProcessor{{Type: ProcSummarize, N: &n}, {Type: ProcLastNObservations, N: &n}}, "hybrid"},
	} {
		if got, err := ProcessorStrategy(tc.ps); got != tc.want || err != nil {
			t.Errorf("%+v: %q %v, want %q", tc.ps, got, err, tc.want)
		}
	}
}

func TestFormatErrorMessage(t *testing.T) {
	vars := map[string]string{"exception_message": "Unexpected argument(s): x", "error_code": "unexpected_arg"}
	var none Templates
	for code, want := range map[string]string{
		"missing":         "Your reply did not call a tool.",
		"multiple":        "Your reply called several tools at once.",
		"unexpected_arg":  "Your action could not be parsed properly: Unexpected argument(s): x.\nUse only the arguments",
		"invalid_command": "Your action could not be parsed properly: Unexpected argument(s): x.",
	} {
		got, err := none.FormatErrorMessage(code, vars)
		if err != nil || !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q %v, want prefix %q", code, got, err, want)
		}
	}
	// A configuration's generic template replaces every built-in branch;
	// its per-code templates win over the generic one.
	c := Templates{FormatError: "bad: {{exception_message}} ({{error_code}})", FormatErrors: map[string]string{"missing": "no call"}}
	if got, _ := c.FormatErrorMessage("multiple", vars); got != "bad: Unexpected argument(s): x (unexpected_arg)" {
		t.Errorf("generic: %q", got)
	}
	if got, _ := c.FormatErrorMessage("missing", vars); got != "no call" {
		t.Errorf("per code: %q", got)
	}
}

func TestToolSelectionBlocked(t *testing.T) {
	var def ToolSelection
	custom := ToolSelection{Blocklist: []string{"make"}, BlocklistStandalone: []string{"node"}}
	for _, tc := range []struct {
		action      string
		def, custom bool
	}{
		{"vim a.py", true, false},
		{"make test", true, true},
		{"python3", true, false},
		{"node", false, true},
		{"r2 bin", true, true}, // the seed's radare2 rule stays unless replaced
		{"ls", false, false},
	} {
		if got := def.Blocked(tc.action); got != tc.def {
			t.Errorf("default: %q blocked=%v", tc.action, got)
		}
		if got := custom.Blocked(tc.action); got != tc.custom {
			t.Errorf("custom: %q blocked=%v", tc.action, got)
		}
	}
}

func TestCommandDocs(t *testing.T) {
	docs := CommandDocs(Tools()[:2])
	if !strings.HasPrefix(docs, "bash:\n  docstring: runs the given command directly in bash\n  signature: bash <command>\n  arguments:\n    - command (string) [required]:") ||
		!strings.Contains(docs, "goto:\n  docstring:") {
		t.Errorf("docs:\n%s", docs)
	}
}
