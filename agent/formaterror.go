package agent

import (
	"fmt"
	"sort"
	"strings"
)

// CodeContentPolicy marks a model call that the provider refused under its
// content policy. Like a format error it counts towards exit_format, but
// the model is asked again with the same messages, without feedback (the
// seed's ContentPolicyViolation resampling, seed-system §3.4).
const CodeContentPolicy = "content_policy"

// ParserCodes are the function-calling parser's error codes (§3.3), the
// keys of Templates.FormatErrors.
var ParserCodes = []string{"missing", "multiple", "invalid_command", "invalid_json", "missing_arg", "unexpected_arg"}

// DefaultFormatError is the message for parser errors without a message
// of their own: the seed's fallback branch.
const DefaultFormatError = "Your action could not be parsed properly: {{exception_message}}."

// DefaultFormatErrors are our wording of the branches of the seed's
// function-calling error template (§3.4): no tool call, several tool calls,
// and unexpected arguments. They apply when a configuration sets no format
// error template (the seed's configs leave it to the parser).
var DefaultFormatErrors = map[string]string{
	"missing": "Your reply did not call a tool. Every reply must contain exactly ONE function call, made through " +
		"the function-calling interface: commands written in ``` blocks are not run.\n" +
		"If you have already fixed the issue, call `submit`. Otherwise continue with one tool call.",
	"multiple": "Your reply called several tools at once. Reply with a short thought and exactly ONE function call; " +
		"the next command can go in your next reply.",
	"unexpected_arg": "Your action could not be parsed properly: {{exception_message}}.\n" +
		"Use only the arguments listed for each command, and only the commands you were given.",
}

// DefaultTruncated and DefaultCommandTimeout are used when a configuration
// does not set next_step_truncated_observation_template or
// command_cancelled_timeout_template (the seed has built-in defaults too).
const (
	DefaultTruncated = "Observation: {{observation}}<response clipped><NOTE>Observations longer than {{max_observation_length}} " +
		"characters are cut; {{elided_chars}} characters were left out. Use head, tail or grep to see the part you need.</NOTE>"
	DefaultCommandTimeout = "The command '{{command}}' was cancelled because it took more than {{timeout}} seconds. " +
		"Please try a different command that completes more quickly."
)

// FormatErrorMessage renders the re-query message of a parser error: the
// configuration's template for the code, else its generic
// format_error_template, else the built-in branch for the code. vars
// carries exception_message, error_code and the failed reply's fields.
func (t Templates) FormatErrorMessage(code string, vars map[string]string) (string, error) {
	tmpl := t.FormatErrors[code]
	if tmpl == "" {
		tmpl = t.FormatError
	}
	if tmpl == "" {
		tmpl = DefaultFormatErrors[code]
	}
	if tmpl == "" {
		tmpl = DefaultFormatError
	}
	return Render(tmpl, vars)
}

// named lists every template with its configuration key.
func (t Templates) named() map[string]string {
	out := map[string]string{
		"system_template": t.System, "instance_template": t.Instance, "strategy_template": t.Strategy,
		"next_step_template": t.NextStep, "next_step_no_output_template": t.NextStepNoOutput,
		"next_step_truncated_observation_template": t.Truncated, "format_error_template": t.FormatError,
		"summary_system_template": t.SummarySystem, "command_cancelled_timeout_template": t.CommandTimeout,
		"shell_check_error_template": t.ShellCheckError, "blocklist_error_template": t.Blocked,
	}
	for code, s := range t.FormatErrors {
		out["format_error_templates."+code] = s
	}
	return out
}

// validate checks the required templates, the format-error codes and that
// no template uses Jinja blocks, and fills the optional templates that have
// built-in defaults.
func (t *Templates) validate() error {
	var missing []string
	for key, v := range map[string]string{"system_template": t.System, "instance_template": t.Instance, "next_step_template": t.NextStep} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, key)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("templates: %s required", strings.Join(missing, ", "))
	}
	for code := range t.FormatErrors {
		if !contains(ParserCodes, code) {
			return fmt.Errorf("templates.format_error_templates.%s: unknown error code (known: %s)", code, strings.Join(ParserCodes, ", "))
		}
	}
	names := t.named()
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if hasJinjaBlocks(names[k]) {
			if _, err := parseJinja(names[k]); err != nil {
				return fmt.Errorf("templates.%s: %v (supported: {{name}}, {%% if %%} / {%% elif %%} / {%% else %%} / {%% endif %%} "+
					"on `name`, `not name`, `name == \"text\"`, `name != \"text\"`, white-space control, comments)", k, err)
			}
		}
	}
	if t.Truncated == "" {
		t.Truncated = DefaultTruncated
	}
	if t.CommandTimeout == "" {
		t.CommandTimeout = DefaultCommandTimeout
	}
	if t.ShellCheckError == "" {
		t.ShellCheckError = DefaultShellCheckError
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
