package agent

import (
	"fmt"
	"strings"
)

// Templates are the prompt templates of one agent configuration. They use
// plain {{var}} substitution, as the seed's configs do, and the Jinja
// subset of jinja.go ({% if %} branches, white-space control); other Jinja
// constructs are refused when a configuration is loaded.
type Templates struct {
	System   string `yaml:"system_template" json:"system_template"`
	Instance string `yaml:"instance_template" json:"instance_template"`
	// Strategy, when set, is rendered and appended to the instance message
	// after a newline (the seed's strategy_template).
	Strategy         string `yaml:"strategy_template" json:"strategy_template,omitempty"`
	NextStep         string `yaml:"next_step_template" json:"next_step_template"`
	NextStepNoOutput string `yaml:"next_step_no_output_template" json:"next_step_no_output_template"`
	Truncated        string `yaml:"next_step_truncated_observation_template" json:"next_step_truncated_observation_template"`
	// FormatError is the re-query message of a reply that is not exactly
	// one valid tool call ({{exception_message}}, {{error_code}}, ...),
	// for the error codes without their own entry in FormatErrors.
	FormatError string `yaml:"format_error_template" json:"format_error_template"`
	// FormatErrors are per-error-code messages (missing, multiple,
	// invalid_command, invalid_json, missing_arg, unexpected_arg): the
	// branches of the seed's function-calling error template (§3.4).
	FormatErrors   map[string]string `yaml:"format_error_templates" json:"format_error_templates,omitempty"`
	SummarySystem  string            `yaml:"summary_system_template" json:"summary_system_template"`
	CommandTimeout string            `yaml:"command_cancelled_timeout_template" json:"command_cancelled_timeout_template"`
	// ShellCheckError is the re-query message for a bash command that
	// failed `bash -n` ({{bash_stdout}}, {{bash_stderr}}).
	ShellCheckError string `yaml:"shell_check_error_template" json:"shell_check_error_template"`
	// Blocked is the re-query message for a blocklisted or interactive
	// action ({{action}}); the seed's wording when empty.
	Blocked string `yaml:"blocklist_error_template" json:"blocklist_error_template"`
	// MaxObservationSize is where observations are cut; it comes from
	// limits.max_observation_length (the seed's
	// templates.max_observation_length).
	MaxObservationSize int `yaml:"-" json:"max_observation_length"`
}

// Render substitutes every {{name}} (spaces inside the braces allowed) with
// vars[name]. An unknown variable is an error naming it. A template with
// Jinja blocks ({% if %} ...) is rendered with the Jinja subset of jinja.go.
func Render(tmpl string, vars map[string]string) (string, error) {
	if hasJinjaBlocks(tmpl) {
		nodes, err := parseJinja(tmpl)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		renderJinja(nodes, vars, &b)
		return b.String(), nil
	}
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		name := strings.TrimSpace(rest[i+2 : i+j])
		v, ok := vars[name]
		if !ok {
			return "", fmt.Errorf("template variable {{%s}} is not defined", name)
		}
		b.WriteString(rest[:i])
		b.WriteString(v)
		rest = rest[i+j+2:]
	}
}

// Observation renders an environment observation into the tool message
// content: the no-output template for blank output (the next-step template
// when there is none, as in the seed), the truncated template past
// MaxObservationSize characters, the next-step template otherwise.
func (t Templates) Observation(output string, state map[string]string) (string, error) {
	vars := map[string]string{}
	for k, v := range state {
		vars[k] = v
	}
	limit := t.MaxObservationSize
	if limit <= 0 {
		limit = 100000
	}
	vars["max_observation_length"] = fmt.Sprint(limit)
	switch runes := []rune(output); {
	case strings.TrimSpace(output) == "" && t.NextStepNoOutput != "":
		return Render(t.NextStepNoOutput, vars)
	case len(runes) > limit:
		vars["observation"] = string(runes[:limit])
		vars["elided_chars"] = fmt.Sprint(len(runes) - limit)
		return Render(t.Truncated, vars)
	default:
		vars["observation"] = output
		return Render(t.NextStep, vars)
	}
}

// DefaultShellCheckError is used when the configuration has no
// shell_check_error_template.
const DefaultShellCheckError = "Your bash command has syntax errors and was NOT run. " +
	"Fix them and try again (multi-line commands are a common cause). " +
	"Output of `bash -n`:\n{{bash_stdout}}\n{{bash_stderr}}"

// BlockedMessage renders the refusal of a blocklisted action.
func (t Templates) BlockedMessage(action string) (string, error) {
	if t.Blocked == "" {
		return BlockedMessage(action), nil
	}
	return Render(t.Blocked, map[string]string{"action": action})
}

// ShellCheckMessage renders the refusal of a command with syntax errors.
func (t Templates) ShellCheckMessage(stdout, stderr string) (string, error) {
	tmpl := t.ShellCheckError
	if tmpl == "" {
		tmpl = DefaultShellCheckError
	}
	return Render(tmpl, map[string]string{"bash_stdout": stdout, "bash_stderr": stderr})
}
