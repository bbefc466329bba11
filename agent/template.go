package agent

import (
	"fmt"
	"strings"
)

// Templates are the prompt templates of one agent configuration. They use
// plain {{var}} substitution, as the seed's configs do.
type Templates struct {
	System             string `yaml:"system_template" json:"system_template"`
	Instance           string `yaml:"instance_template" json:"instance_template"`
	NextStep           string `yaml:"next_step_template" json:"next_step_template"`
	NextStepNoOutput   string `yaml:"next_step_no_output_template" json:"next_step_no_output_template"`
	Truncated          string `yaml:"next_step_truncated_observation_template" json:"next_step_truncated_observation_template"`
	FormatError        string `yaml:"format_error_template" json:"format_error_template"`
	SummarySystem      string `yaml:"summary_system_template" json:"summary_system_template"`
	CommandTimeout     string `yaml:"command_cancelled_timeout_template" json:"command_cancelled_timeout_template"`
	MaxObservationSize int    `yaml:"max_observation_length" json:"max_observation_length"`
}

// Render substitutes every {{name}} (spaces inside the braces allowed) with
// vars[name]. An unknown variable is an error naming it.
func Render(tmpl string, vars map[string]string) (string, error) {
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
// content: the no-output template for blank output, the truncated template
// past MaxObservationSize characters, the next-step template otherwise.
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
	case strings.TrimSpace(output) == "":
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
