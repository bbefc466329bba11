package strategy

import (
	"errors"
	"fmt"
)

// Strategy names (the seed's STRATEGY_CONFIGS keys).
const (
	Raw                = "raw"
	ObservationMasking = "observation_masking"
	LLMSummary         = "llm_summary"
	Hybrid             = "hybrid"

	// ObservationMaskingCached is our prompt-cache-aware masking (not in
	// the seed): observation_masking whose mask advances in blocks.
	ObservationMaskingCached = "observation_masking_cached"
)

// Names lists the strategies: the seed's four in its order, then ours.
func Names() []string {
	return []string{Raw, ObservationMasking, LLMSummary, Hybrid, ObservationMaskingCached}
}

// Params are the hyper-parameters of one strategy. Fields that do not apply to
// the strategy are ignored (as run_sweep ignores --hp-* flags that do not apply).
type Params struct {
	Strategy string `json:"strategy" yaml:"strategy"` // one of Names()

	// Masking (last_n_observations).
	ObsN    int `json:"hp_obs_n" yaml:"hp_obs_n"` // o: observations kept in full
	Polling int `json:"polling" yaml:"polling"`   // mask advances every Polling observations (not used by observation_masking_cached)

	// Summarizer (summarize_every_n_turns).
	SumN               int  `json:"hp_sum_n" yaml:"hp_sum_n"`                                       // s: turns per summary
	SumKeepM           int  `json:"hp_sum_keep_m" yaml:"hp_sum_keep_m"`                             // k: turns kept verbatim
	StaticCheckpoint   bool `json:"hp_sum_static_checkpoint" yaml:"hp_sum_static_checkpoint"`       // show only the newest summary
	ExtractActions     bool `json:"hp_sum_extract_actions" yaml:"hp_sum_extract_actions"`           // append the summarized actions
	MaxActionLength    int  `json:"hp_sum_max_action_length" yaml:"hp_sum_max_action_length"`       // -1 unlimited, 0 empty, k words
	MaxReasoningLength int  `json:"hp_sum_max_reasoning_length" yaml:"hp_sum_max_reasoning_length"` // -1 unlimited, 0 dropped, k words
	OmitTurns          bool `json:"hp_sum_omit_turns" yaml:"hp_sum_omit_turns"`                     // placeholder instead of an LLM summary

	// SeedCompat reproduces the seed's static-checkpoint quirk (seed-system
	// §13.1): between triggers all summaries reappear. False shows only the
	// newest summary in static mode.
	SeedCompat bool `json:"seed_compat" yaml:"seed_compat"`
}

// Defaults returns the paper's values (o=10, s=21, k=10, static checkpoints,
// seed-compatible) for strategy.
func Defaults(strategy string) Params {
	return Params{
		Strategy:           strategy,
		ObsN:               10,
		Polling:            1,
		SumN:               21,
		SumKeepM:           10,
		StaticCheckpoint:   true,
		MaxActionLength:    -1,
		MaxReasoningLength: -1,
		SeedCompat:         true,
	}
}

// Masks reports whether the strategy applies observation masking.
func (p Params) Masks() bool {
	return p.Strategy == ObservationMasking || p.Strategy == Hybrid || p.Strategy == ObservationMaskingCached
}

// Summarizes reports whether the strategy makes LLM summaries.
func (p Params) Summarizes() bool { return p.Strategy == LLMSummary || p.Strategy == Hybrid }

// Validate checks the parameters that apply to p.Strategy.
func (p Params) Validate() error {
	switch p.Strategy {
	case Raw, ObservationMasking, LLMSummary, Hybrid, ObservationMaskingCached:
	default:
		return fmt.Errorf("unknown strategy %q (want raw, observation_masking, llm_summary, hybrid or observation_masking_cached)", p.Strategy)
	}
	var errs []error
	if p.Masks() {
		if p.ObsN <= 0 {
			errs = append(errs, fmt.Errorf("hp-obs-n (%d) must be greater than 0", p.ObsN))
		}
		if p.Polling <= 0 && p.Strategy != ObservationMaskingCached {
			errs = append(errs, fmt.Errorf("polling (%d) must be greater than 0", p.Polling))
		}
	}
	if p.Summarizes() {
		if p.SumN <= 0 {
			errs = append(errs, fmt.Errorf("hp-sum-n (%d) must be greater than 0", p.SumN))
		}
		if p.SumKeepM < 0 {
			errs = append(errs, fmt.Errorf("hp-sum-keep-m (%d) must not be negative", p.SumKeepM))
		} else if p.SumN > 0 && p.SumKeepM >= p.SumN {
			errs = append(errs, fmt.Errorf("hp-sum-keep-m (%d) must be smaller than hp-sum-n (%d)", p.SumKeepM, p.SumN))
		}
		if p.MaxActionLength < -1 {
			errs = append(errs, fmt.Errorf("hp-sum-max-action-length (%d) must be -1 (unlimited) or at least 0", p.MaxActionLength))
		}
		if p.MaxReasoningLength < -1 {
			errs = append(errs, fmt.Errorf("hp-sum-max-reasoning-length (%d) must be -1 (unlimited) or at least 0", p.MaxReasoningLength))
		}
	}
	return errors.Join(errs...)
}
