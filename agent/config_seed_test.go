package agent

import (
	"strings"
	"testing"
)

const seedYAML = `agent:
  templates:
    system_template: "sys {{WINDOW}}"
    instance_template: "inst {{problem_statement}}"
    next_step_template: "{{observation}}"
    next_step_no_output_template: "(no output)"
    strategy_template: "plan first"
    max_observation_length: 20000
    demonstrations: []
    put_demos_in_history: false
    summary_system_template: "summarize"
  tools:
    env_variables: {WINDOW: 100, OVERLAP: 2}
    bundles:
      - path: tools/registry
      - path: tools/defaults
        hidden_tools: [create]
      - path: tools/search
      - path: tools/edit_replace
      - path: tools/submit
    enable_bash_tool: true
    parse_function: {type: function_calling}
    execution_timeout: 45
    total_execution_timeout: 900
    max_consecutive_execution_timeouts: 2
    install_timeout: 300
    filter:
      blocklist_error_template: "Refused: {{action}}"
      blocklist: [vim]
  history_processors:
    - type: summarize_every_n_turns
      n: 21
      keep_last_m_turns: 10
      enable_static_checkpointing: true
    - type: last_n_observations
      n: 10
  max_requeries: 4
  model:
    name: gpt-4o
    temperature: 0.8
    per_instance_call_limit: 250
    per_instance_cost_limit: 3.0
    total_cost_limit: 0.0
    max_input_tokens: 128000
`

func TestParseConfigSeed(t *testing.T) {
	c, err := ParseConfig("seed.yaml", []byte(seedYAML))
	if err != nil {
		t.Fatal(err)
	}
	tp := c.Templates
	if tp.System != "sys {{WINDOW}}" || tp.NextStepNoOutput != "(no output)" || tp.Strategy != "plan first" ||
		tp.SummarySystem != "summarize" || tp.Blocked != "Refused: {{action}}" || tp.MaxObservationSize != 20000 {
		t.Errorf("templates %+v", tp)
	}
	if tp.FormatError != "" || tp.ShellCheckError != DefaultShellCheckError || tp.CommandTimeout != DefaultCommandTimeout {
		t.Errorf("template defaults %+v", tp)
	}
	if got := names(c.ToolList()); got != strings.Replace(seedOrder, " create", "", 1) {
		t.Errorf("tools %q", got)
	}
	if c.Env["WINDOW"] != "100" || c.Env["OVERLAP"] != "2" {
		t.Errorf("env %v", c.Env)
	}
	if !c.Tools.Blocked("vim a.py") || c.Tools.Blocked("nano a.py") {
		t.Error("the configured blocklist replaces the default one")
	}
	want := DefaultLimits()
	want.MaxRequeries, want.ExecutionTimeoutSec, want.TotalExecutionTimeoutSec, want.MaxConsecutiveTimeouts = 4, 45, 900, 2
	if got := c.Limits.Apply(DefaultLimits()); got != want {
		t.Errorf("limits %+v, want %+v", got, want)
	}
	if *c.Limits.CallLimit != 250 || *c.Limits.CostLimit != 3 || *c.Limits.ContextWindow != 128000 {
		t.Errorf("model limits %+v", c.Limits)
	}
	if s, err := ProcessorStrategy(c.HistoryProcessors); s != "hybrid" || err != nil {
		t.Errorf("strategy %q %v", s, err)
	}
	notes := strings.Join(c.Notes, "\n")
	for _, n := range []string{"agent.model.name, agent.model.temperature not used", "install_timeout not used",
		"call limit 250 is not used", "cost limit 3 is not used", "context window 128000 is not enforced"} {
		if !strings.Contains(notes, n) {
			t.Errorf("notes lack %q:\n%s", n, notes)
		}
	}
}

func TestParseConfigSeedErrors(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{
		{"unknown agent key", "  max_requeries: 4", "  max_requeries: 4\n  retries: 2", "line 38: unknown key agent.retries"},
		{"unknown bundle key", "      - path: tools/search", "      - paht: tools/search", "unknown key agent.tools.bundles[2].paht"},
		{"unknown model key", "    temperature: 0.8", "    temprature: 0.8", "unknown key agent.model.temprature"},
		{"unknown template key", "    strategy_template:", "    strategy_templat:", "unknown key agent.templates.strategy_templat"},
		{"unknown filter key", "      blocklist: [vim]", "      blocklists: [vim]", "unknown key agent.tools.filter.blocklists"},
		{"unknown processor key", "      n: 10\n", "      n: 10\n      keep_last_m_turns: 2\n", "unknown key agent.history_processors[1].keep_last_m_turns"},
		{"top-level key besides agent", "agent:\n", "instancez:\n  image: x\nagent:\n", "unknown key instancez"},
		{"parser", "{type: function_calling}", "{type: thought_action}", "only function_calling is implemented"},
		{"demonstrations", "    demonstrations: []", "    demonstrations: [demo.traj]", "demonstrations are not implemented"},
		{"bundle", "tools/edit_replace", "tools/windowed_edit_linting", `bundle "tools/windowed_edit_linting" is not implemented`},
		{"agent type", "  max_requeries: 4", "  max_requeries: 4\n  type: retry", `only the default agent is implemented, not "retry"`},
		{"output length", "    install_timeout: 300", "    install_timeout: 300\n    max_output_length: 5", "contradicts agent.templates.max_observation_length"},
		{"reset commands", "    install_timeout: 300", "    install_timeout: 300\n    reset_commands: [ls]", "reset commands are not implemented"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(seedYAML, tc.old) {
				t.Fatalf("test YAML lacks %q", tc.old)
			}
			_, err := ParseConfig("seed.yaml", []byte(strings.Replace(seedYAML, tc.old, tc.new, 1)))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "seed.yaml: ") {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
