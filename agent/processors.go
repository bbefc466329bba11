package agent

import (
	"fmt"
	"slices"

	"gopkg.in/yaml.v3"
)

// History-processor types (seed-system §2): the identity, masking and the
// summarizer. The seed's other processors (§2.6) are not implemented.
const (
	ProcDefault           = "default"
	ProcLastNObservations = "last_n_observations"
	ProcSummarize         = "summarize_every_n_turns"
)

// processorKeys are the parameters each processor type takes.
var processorKeys = map[string][]string{
	ProcDefault:           {"type"},
	ProcLastNObservations: {"type", "n", "polling", "always_remove_output_for_tags", "always_keep_output_for_tags"},
	ProcSummarize: {"type", "n", "keep_last_m_turns", "enable_static_checkpointing", "extract_action_from_turns",
		"max_kept_action_length", "max_kept_reasoning_length", "omit_turns"},
}

// unsupportedProcessors are the seed's processors that no strategy of ours
// implements (seed-system §2.6).
var unsupportedProcessors = []string{"tag_tool_call_observations", "closed_window", "cache_control", "remove_regex"}

// HistoryProcessor is one entry of a configuration's history-processor
// list, with the seed's parameter names. Unset parameters are nil and take
// the seed's defaults.
type HistoryProcessor struct {
	Type string `yaml:"type" json:"type"`
	// N is last_n_observations' n (observations kept) or
	// summarize_every_n_turns' n (turns per summary).
	N *int `yaml:"n" json:"n,omitempty"`
	// last_n_observations.
	Polling            *int     `yaml:"polling" json:"polling,omitempty"`
	AlwaysRemoveOutput []string `yaml:"always_remove_output_for_tags" json:"always_remove_output_for_tags,omitempty"`
	AlwaysKeepOutput   []string `yaml:"always_keep_output_for_tags" json:"always_keep_output_for_tags,omitempty"`
	// summarize_every_n_turns.
	KeepLastMTurns         *int  `yaml:"keep_last_m_turns" json:"keep_last_m_turns,omitempty"`
	StaticCheckpointing    *bool `yaml:"enable_static_checkpointing" json:"enable_static_checkpointing,omitempty"`
	ExtractActionFromTurns *bool `yaml:"extract_action_from_turns" json:"extract_action_from_turns,omitempty"`
	MaxKeptActionLength    *int  `yaml:"max_kept_action_length" json:"max_kept_action_length,omitempty"`
	MaxKeptReasoningLength *int  `yaml:"max_kept_reasoning_length" json:"max_kept_reasoning_length,omitempty"`
	OmitTurns              *bool `yaml:"omit_turns" json:"omit_turns,omitempty"`
}

// checkKeys checks a processor's keys against its type's parameters.
func (*HistoryProcessor) checkKeys(n *yaml.Node, path string) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s: a history processor is a mapping with a type", n.Line, path)
	}
	tn := mapValue(n, "type")
	if tn == nil {
		return fmt.Errorf("line %d: %s: history processor without a type", n.Line, path)
	}
	keys, ok := processorKeys[tn.Value]
	switch {
	case ok:
		return keysOf(n, path, keys...)
	case slices.Contains(unsupportedProcessors, tn.Value):
		return fmt.Errorf("line %d: %s.type: history processor %s is not implemented (supported: default, last_n_observations, summarize_every_n_turns)", tn.Line, path, tn.Value)
	}
	return fmt.Errorf("line %d: %s.type: unknown history processor %q (supported: default, last_n_observations, summarize_every_n_turns)", tn.Line, path, tn.Value)
}

// validate checks a processor's values; i is its index in the list.
func (p HistoryProcessor) validate(i int) error {
	at := fmt.Sprintf("history_processors[%d]", i)
	if _, ok := processorKeys[p.Type]; !ok {
		return fmt.Errorf("%s: unknown history processor %q", at, p.Type)
	}
	if p.Type == ProcDefault {
		return nil
	}
	if p.N == nil || *p.N <= 0 {
		return fmt.Errorf("%s.n: %s needs n > 0", at, p.Type)
	}
	if p.Polling != nil && *p.Polling <= 0 {
		return fmt.Errorf("%s.polling must be > 0", at)
	}
	if p.AlwaysRemoveOutput != nil && !slices.Equal(p.AlwaysRemoveOutput, []string{TagRemoveOutput}) ||
		p.AlwaysKeepOutput != nil && !slices.Equal(p.AlwaysKeepOutput, []string{TagKeepOutput}) {
		return fmt.Errorf("%s: only the default tag sets (remove_output, keep_output) are supported", at)
	}
	for name, v := range map[string]*int{"max_kept_action_length": p.MaxKeptActionLength, "max_kept_reasoning_length": p.MaxKeptReasoningLength} {
		if v != nil && *v < -1 {
			return fmt.Errorf("%s.%s must be -1 (unlimited) or at least 0", at, name)
		}
	}
	if p.KeepLastMTurns != nil && *p.KeepLastMTurns < 0 {
		return fmt.Errorf("%s.keep_last_m_turns must not be negative", at)
	}
	return nil
}

// ProcessorStrategy names the context strategy a processor list amounts to
// (the seed's STRATEGY_CONFIGS, §0): no processor (or only default) is raw,
// masking alone is observation_masking, the summarizer alone llm_summary,
// the summarizer then masking hybrid. Any other list is an error.
func ProcessorStrategy(ps []HistoryProcessor) (string, error) {
	var kinds []string
	for _, p := range ps {
		if p.Type != ProcDefault {
			kinds = append(kinds, p.Type)
		}
	}
	switch {
	case len(kinds) == 0:
		return "raw", nil
	case slices.Equal(kinds, []string{ProcLastNObservations}):
		return "observation_masking", nil
	case slices.Equal(kinds, []string{ProcSummarize}):
		return "llm_summary", nil
	case slices.Equal(kinds, []string{ProcSummarize, ProcLastNObservations}):
		return "hybrid", nil
	}
	return "", fmt.Errorf("history_processors %v match none of the strategies (raw; last_n_observations; summarize_every_n_turns; summarize_every_n_turns then last_n_observations)", kinds)
}

// Processor returns the first processor of type typ, if any.
func Processor(ps []HistoryProcessor, typ string) (HistoryProcessor, bool) {
	for _, p := range ps {
		if p.Type == typ {
			return p, true
		}
	}
	return HistoryProcessor{}, false
}
