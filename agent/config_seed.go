package agent

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// The seed's SWE-agent 1.0 configuration (seed-system §3.2, §3.6, §4.1,
// §5.1), as far as a config file sets it. Every key the seed accepts is
// known here; keys that only make sense in the seed (model identity,
// installation) are read and reported as notes; values we cannot honour
// are errors.
type seedFile struct {
	Agent seedAgent `yaml:"agent"`
	// Run-level settings of the seed's run-batch and run-single configs:
	// read, reported as notes, not used (the sweep's instances-* and
	// num-workers parameters, and each instance's own image, decide them).
	Instances             any `yaml:"instances"`
	Env                   any `yaml:"env"`
	ProblemStatement      any `yaml:"problem_statement"`
	Actions               any `yaml:"actions"`
	OutputDir             any `yaml:"output_dir"`
	Suffix                any `yaml:"suffix"`
	NumWorkers            any `yaml:"num_workers"`
	RandomDelayMultiplier any `yaml:"random_delay_multiplier"`
	ProgressBar           any `yaml:"progress_bar"`
	RedoExisting          any `yaml:"redo_existing"`
	EnvVarPath            any `yaml:"env_var_path"`
	RaiseExceptions       any `yaml:"raise_exceptions"`
	PrintConfig           any `yaml:"print_config"`
}

// runLevel lists the run-level keys that are set.
func (f seedFile) runLevel() []string {
	var out []string
	for _, kv := range []struct {
		key string
		v   any
	}{{"instances", f.Instances}, {"env", f.Env}, {"problem_statement", f.ProblemStatement}, {"actions", f.Actions},
		{"output_dir", f.OutputDir}, {"suffix", f.Suffix}, {"num_workers", f.NumWorkers},
		{"random_delay_multiplier", f.RandomDelayMultiplier}, {"progress_bar", f.ProgressBar}, {"redo_existing", f.RedoExisting},
		{"env_var_path", f.EnvVarPath}, {"raise_exceptions", f.RaiseExceptions}, {"print_config", f.PrintConfig}} {
		if kv.v != nil {
			out = append(out, kv.key)
		}
	}
	return out
}

type seedAgent struct {
	Type              string             `yaml:"type"`
	Name              string             `yaml:"name"`
	Templates         seedTemplates      `yaml:"templates"`
	Tools             seedTools          `yaml:"tools"`
	HistoryProcessors []HistoryProcessor `yaml:"history_processors"`
	Model             seedModel          `yaml:"model"`
	SummaryModel      seedModel          `yaml:"summary_model"`
	MaxRequeries      *int               `yaml:"max_requeries"`
	ActionSampler     any                `yaml:"action_sampler"`
}

type seedTemplates struct {
	System                string   `yaml:"system_template"`
	Instance              string   `yaml:"instance_template"`
	NextStep              string   `yaml:"next_step_template"`
	NextStepTruncated     string   `yaml:"next_step_truncated_observation_template"`
	MaxObservationLength  *int     `yaml:"max_observation_length"`
	NextStepNoOutput      string   `yaml:"next_step_no_output_template"`
	Strategy              string   `yaml:"strategy_template"`
	DemonstrationTemplate string   `yaml:"demonstration_template"`
	Demonstrations        []string `yaml:"demonstrations"`
	PutDemosInHistory     bool     `yaml:"put_demos_in_history"`
	ShellCheckError       string   `yaml:"shell_check_error_template"`
	CommandCancelled      string   `yaml:"command_cancelled_timeout_template"`
	SummarySystem         string   `yaml:"summary_system_template"`
}

type seedTools struct {
	Filter                  *seedFilter       `yaml:"filter"`
	Bundles                 []seedBundle      `yaml:"bundles"`
	EnvVariables            map[string]any    `yaml:"env_variables"`
	RegistryVariables       map[string]any    `yaml:"registry_variables"`
	SubmitCommand           string            `yaml:"submit_command"`
	ParseFunction           *seedParser       `yaml:"parse_function"`
	EnableBashTool          *bool             `yaml:"enable_bash_tool"`
	FormatErrorTemplate     string            `yaml:"format_error_template"`
	CommandDocs             string            `yaml:"command_docs"`
	MultiLineCommandEndings map[string]string `yaml:"multi_line_command_endings"`
	SubmitCommandEndName    string            `yaml:"submit_command_end_name"`
	ResetCommands           []any             `yaml:"reset_commands"`
	ExecutionTimeout        *int              `yaml:"execution_timeout"`
	InstallTimeout          *int              `yaml:"install_timeout"`
	TotalExecutionTimeout   *int              `yaml:"total_execution_timeout"`
	MaxConsecutiveTimeouts  *int              `yaml:"max_consecutive_execution_timeouts"`
	MaxOutputLength         *int              `yaml:"max_output_length"`
}

type seedFilter struct {
	BlocklistErrorTemplate string            `yaml:"blocklist_error_template"`
	Blocklist              []string          `yaml:"blocklist"`
	BlocklistStandalone    []string          `yaml:"blocklist_standalone"`
	BlockUnlessRegex       map[string]string `yaml:"block_unless_regex"`
}

type seedBundle struct {
	Path        string   `yaml:"path"`
	HiddenTools []string `yaml:"hidden_tools"`
}

type seedParser struct {
	Type         string `yaml:"type"`
	ErrorMessage string `yaml:"error_message"`
}

// seedModel is GenericAPIModelConfig (§5.1). Only the limits are used.
type seedModel struct {
	Name                 any      `yaml:"name"`
	PerInstanceCostLimit *float64 `yaml:"per_instance_cost_limit"`
	TotalCostLimit       *float64 `yaml:"total_cost_limit"`
	PerInstanceCallLimit *int     `yaml:"per_instance_call_limit"`
	Temperature          any      `yaml:"temperature"`
	TopP                 any      `yaml:"top_p"`
	APIBase              any      `yaml:"api_base"`
	APIVersion           any      `yaml:"api_version"`
	APIKey               any      `yaml:"api_key"`
	Stop                 any      `yaml:"stop"`
	CompletionKwargs     any      `yaml:"completion_kwargs"`
	ConvertSystemToUser  any      `yaml:"convert_system_to_user"`
	Retry                any      `yaml:"retry"`
	Delay                any      `yaml:"delay"`
	Fallbacks            any      `yaml:"fallbacks"`
	ChooseAPIKeyByThread any      `yaml:"choose_api_key_by_thread"`
	MaxInputTokens       *int     `yaml:"max_input_tokens"`
	MaxOutputTokens      any      `yaml:"max_output_tokens"`
	IsLocalModel         any      `yaml:"is_local_model"`
	UseReasoning         any      `yaml:"use_reasoning"`
}

// parseSeed maps a seed configuration to ours.
func parseSeed(doc *yaml.Node) (Config, error) {
	var f seedFile
	if err := decodeStrict(doc, &f, ""); err != nil {
		return Config{}, err
	}
	a := f.Agent
	c := Config{Seed: true}
	var notes []string
	if rl := f.runLevel(); len(rl) > 0 {
		notes = append(notes, "run-level settings "+strings.Join(rl, ", ")+" read and not used: the sweep's instances-* and "+
			"num-workers parameters choose the instances and workers, and each instance runs in its own SWE-bench image")
	}
	switch {
	case a.Type != "" && a.Type != "default":
		return c, fmt.Errorf("agent.type: only the default agent is implemented, not %q", a.Type)
	case a.ActionSampler != nil:
		return c, fmt.Errorf("agent.action_sampler: action samplers are not implemented")
	case len(a.Templates.Demonstrations) > 0:
		return c, fmt.Errorf("agent.templates.demonstrations: demonstrations are not implemented")
	}
	t := a.Templates
	// The seed renders these with Jinja2, which drops one trailing newline
	// of the template (keep_trailing_newline is off): a `|` block renders
	// like a `|-` one.
	j := func(s string) string { return strings.TrimSuffix(s, "\n") }
	c.Templates = Templates{System: j(t.System), Instance: j(t.Instance), Strategy: j(t.Strategy), NextStep: j(t.NextStep),
		NextStepNoOutput: j(t.NextStepNoOutput), Truncated: j(t.NextStepTruncated), SummarySystem: t.SummarySystem,
		CommandTimeout: j(t.CommandCancelled), ShellCheckError: j(t.ShellCheckError)}
	tools, err := seedToolConfig(a.Tools, &c)
	if err != nil {
		return c, err
	}
	notes = append(notes, tools...)
	c.HistoryProcessors = a.HistoryProcessors
	l := &c.Limits
	l.MaxRequeries = a.MaxRequeries
	l.ExecutionTimeoutSec, l.TotalExecutionTimeoutSec = a.Tools.ExecutionTimeout, a.Tools.TotalExecutionTimeout
	l.MaxConsecutiveTimeouts = a.Tools.MaxConsecutiveTimeouts
	l.MaxObservationLength = t.MaxObservationLength
	if m := a.Tools.MaxOutputLength; m != nil {
		if l.MaxObservationLength != nil && *l.MaxObservationLength != *m {
			return c, fmt.Errorf("agent.tools.max_output_length (%d) contradicts agent.templates.max_observation_length (%d)", *m, *l.MaxObservationLength)
		}
		l.MaxObservationLength = m
	}
	l.CallLimit, l.CostLimit, l.TotalCostLimit = a.Model.PerInstanceCallLimit, a.Model.PerInstanceCostLimit, a.Model.TotalCostLimit
	l.ContextWindow = a.Model.MaxInputTokens
	if ignored := a.Model.ignored(); len(ignored) > 0 {
		notes = append(notes, "agent.model."+strings.Join(ignored, ", agent.model.")+" not used: the sweep's model parameter and its preset decide the model")
	}
	if ignored := a.SummaryModel.ignored(); len(ignored) > 0 || a.SummaryModel.PerInstanceCallLimit != nil || a.SummaryModel.PerInstanceCostLimit != nil {
		notes = append(notes, "agent.summary_model is not used: the sweep's summarizer-model parameter and its preset decide the summarizer")
	}
	c.Notes = notes
	return c, nil
}

// seedToolConfig maps agent.tools into c and returns notes.
func seedToolConfig(st seedTools, c *Config) ([]string, error) {
	var notes []string
	switch {
	case st.ParseFunction != nil && st.ParseFunction.Type != "" && st.ParseFunction.Type != "function_calling":
		return nil, fmt.Errorf("agent.tools.parse_function.type: only function_calling is implemented, not %q", st.ParseFunction.Type)
	case st.SubmitCommand != "" && st.SubmitCommand != "submit":
		return nil, fmt.Errorf("agent.tools.submit_command: only submit is implemented, not %q", st.SubmitCommand)
	case len(st.MultiLineCommandEndings) > 0 || st.SubmitCommandEndName != "":
		return nil, fmt.Errorf("agent.tools: multi-line command endings are not implemented (no tool has an end_name)")
	case len(st.ResetCommands) > 0:
		return nil, fmt.Errorf("agent.tools.reset_commands: reset commands are not implemented")
	}
	c.Templates.FormatError = strings.TrimSuffix(st.FormatErrorTemplate, "\n")
	if c.Templates.FormatError == "" && st.ParseFunction != nil {
		c.Templates.FormatError = strings.TrimSuffix(st.ParseFunction.ErrorMessage, "\n")
	}
	c.Tools.EnableBash = st.EnableBashTool
	if st.Bundles != nil {
		c.Tools.Bundles = []string{}
	}
	for i, b := range st.Bundles {
		if b.Path == "" {
			return nil, fmt.Errorf("agent.tools.bundles[%d].path is required", i)
		}
		c.Tools.Bundles = append(c.Tools.Bundles, b.Path)
		c.Tools.Hidden = append(c.Tools.Hidden, b.HiddenTools...)
	}
	if f := st.Filter; f != nil {
		c.Templates.Blocked = strings.TrimSuffix(f.BlocklistErrorTemplate, "\n")
		c.Tools.Blocklist, c.Tools.BlocklistStandalone, c.Tools.BlockUnlessRegex = f.Blocklist, f.BlocklistStandalone, f.BlockUnlessRegex
	}
	if len(st.EnvVariables) > 0 {
		c.Env = map[string]string{}
		for k, v := range st.EnvVariables {
			c.Env[k] = pyString(v)
		}
	}
	if len(st.RegistryVariables) > 0 {
		notes = append(notes, "agent.tools.registry_variables not used: the tools keep their state in the worker")
	}
	if st.InstallTimeout != nil {
		notes = append(notes, "agent.tools.install_timeout not used: nothing is installed in the sandbox")
	}
	if st.CommandDocs != "" {
		notes = append(notes, "agent.tools.command_docs not used: {{command_docs}} is generated from the tools")
	}
	return notes, nil
}

// ignored lists the model settings that are set but have no effect here.
func (m seedModel) ignored() []string {
	var out []string
	for name, v := range map[string]any{"name": m.Name, "temperature": m.Temperature, "top_p": m.TopP, "api_base": m.APIBase,
		"api_version": m.APIVersion, "api_key": m.APIKey, "stop": m.Stop, "completion_kwargs": m.CompletionKwargs,
		"convert_system_to_user": m.ConvertSystemToUser, "retry": m.Retry, "delay": m.Delay, "fallbacks": m.Fallbacks,
		"choose_api_key_by_thread": m.ChooseAPIKeyByThread, "max_output_tokens": m.MaxOutputTokens,
		"is_local_model": m.IsLocalModel, "use_reasoning": m.UseReasoning} {
		if v != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// pyString renders a YAML value as Python's str() would export it.
func pyString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}
