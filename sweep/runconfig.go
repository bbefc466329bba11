// Package sweep models one trial of a context-strategy experiment (RunConfig,
// mirroring the seed's scripts/run_sweep.py flags) and W&B-style sweep files
// (Spec) that expand into trials. It is pure: no I/O besides reading a sweep
// file in Load, and no Temporal/HTTP/Docker dependencies.
package sweep

import (
	"fmt"
	"strings"
)

// The context-management strategies: the seed's four, then ours.
const (
	StrategyRaw                = "raw"
	StrategyObservationMasking = "observation_masking"
	StrategyLLMSummary         = "llm_summary"
	StrategyHybrid             = "hybrid"

	// StrategyObservationMaskingCached is our prompt-cache-aware masking
	// (not in the seed; see package strategy). Run names abbreviate it
	// "obsc" and carry its hp-obs-n as "n=", like observation_masking.
	StrategyObservationMaskingCached = "observation_masking_cached"
)

// SummarizerSame is the summarizer-model value meaning "use the agent model".
const SummarizerSame = "same"

// RunConfig is the configuration of one trial. Its fields are exactly the
// seed's run_sweep.py flags (minus the execution-only ones: --weave,
// --weave-project, --execution, --dry-run) plus InstancesFile.
// Hyper-parameters are pointers: nil means "flag not given".
type RunConfig struct {
	Model                string `json:"model"`
	Strategy             string `json:"strategy"`
	SummarizerModel      string `json:"summarizer_model"`
	InstancesSubset      string `json:"instances_subset"`
	InstancesSlice       string `json:"instances_slice,omitempty"`
	InstancesShuffle     bool   `json:"instances_shuffle"`
	InstancesShuffleSeed int    `json:"instances_shuffle_seed"`
	InstancesFile        string `json:"instances_file,omitempty"`
	// InstancesFilter keeps the ids matching this regular expression,
	// anchored at the start like Python's re.match (the seed's
	// --instances.filter); "" keeps all.
	InstancesFilter string `json:"instances_filter,omitempty"`
	// Evaluate runs the SWE-bench evaluation of each submitted patch; nil
	// means on. It does not change what the agent does, so it is not part
	// of the trial's key.
	Evaluate     *bool    `json:"evaluate,omitempty"`
	CallLimit    int      `json:"call_limit"`
	CostLimit    float64  `json:"cost_limit"`
	NumWorkers   int      `json:"num_workers"`
	Wandb        bool     `json:"wandb"`
	WandbProject string   `json:"wandb_project"`
	WandbEntity  string   `json:"wandb_entity,omitempty"`
	WandbGroup   string   `json:"wandb_group,omitempty"`
	WandbTags    []string `json:"wandb_tags,omitempty"`

	HpObsN                  *int  `json:"hp_obs_n,omitempty"`
	HpSumN                  *int  `json:"hp_sum_n,omitempty"`
	HpSumKeepM              *int  `json:"hp_sum_keep_m,omitempty"`
	HpSumStaticCheckpoint   *bool `json:"hp_sum_static_checkpoint,omitempty"`
	HpSumExtractActions     *bool `json:"hp_sum_extract_actions,omitempty"`
	HpSumMaxActionLength    *int  `json:"hp_sum_max_action_length,omitempty"`
	HpSumMaxReasoningLength *int  `json:"hp_sum_max_reasoning_length,omitempty"`
	HpSumOmitTurns          *bool `json:"hp_sum_omit_turns,omitempty"`
}

// DefaultRunConfig returns the run_sweep.py defaults. Model and Strategy are
// required flags in the seed and are left empty.
func DefaultRunConfig() RunConfig {
	return RunConfig{
		SummarizerModel:      SummarizerSame,
		InstancesSubset:      "verified",
		InstancesShuffleSeed: 42,
		CallLimit:            250,
		CostLimit:            0.0,
		NumWorkers:           1,
		WandbProject:         "complexity-trap",
	}
}

// param describes one settable parameter. field returns a pointer to the
// RunConfig field; its dynamic type (*string, *int, **int, *float64, *bool,
// **bool, *[]string) selects the conversion. optional parameters accept nil
// (YAML null), which resets them to "not given".
type param struct {
	name     string
	optional bool
	field    func(c *RunConfig) any
}

var params = []param{
	{"model", false, func(c *RunConfig) any { return &c.Model }},
	{"strategy", false, func(c *RunConfig) any { return &c.Strategy }},
	{"summarizer-model", false, func(c *RunConfig) any { return &c.SummarizerModel }},
	{"instances-subset", false, func(c *RunConfig) any { return &c.InstancesSubset }},
	{"instances-slice", true, func(c *RunConfig) any { return &c.InstancesSlice }},
	{"instances-shuffle", false, func(c *RunConfig) any { return &c.InstancesShuffle }},
	{"instances-shuffle-seed", false, func(c *RunConfig) any { return &c.InstancesShuffleSeed }},
	{"instances-file", true, func(c *RunConfig) any { return &c.InstancesFile }},
	{"instances-filter", true, func(c *RunConfig) any { return &c.InstancesFilter }},
	{"evaluate", true, func(c *RunConfig) any { return &c.Evaluate }},
	{"call-limit", false, func(c *RunConfig) any { return &c.CallLimit }},
	{"cost-limit", false, func(c *RunConfig) any { return &c.CostLimit }},
	{"num-workers", false, func(c *RunConfig) any { return &c.NumWorkers }},
	{"wandb", false, func(c *RunConfig) any { return &c.Wandb }},
	{"wandb-project", false, func(c *RunConfig) any { return &c.WandbProject }},
	{"wandb-entity", true, func(c *RunConfig) any { return &c.WandbEntity }},
	{"wandb-group", true, func(c *RunConfig) any { return &c.WandbGroup }},
	{"wandb-tags", true, func(c *RunConfig) any { return &c.WandbTags }},
	{"hp-obs-n", true, func(c *RunConfig) any { return &c.HpObsN }},
	{"hp-sum-n", true, func(c *RunConfig) any { return &c.HpSumN }},
	{"hp-sum-keep-m", true, func(c *RunConfig) any { return &c.HpSumKeepM }},
	{"hp-sum-static-checkpoint", true, func(c *RunConfig) any { return &c.HpSumStaticCheckpoint }},
	{"hp-sum-extract-actions", true, func(c *RunConfig) any { return &c.HpSumExtractActions }},
	{"hp-sum-max-action-length", true, func(c *RunConfig) any { return &c.HpSumMaxActionLength }},
	{"hp-sum-max-reasoning-length", true, func(c *RunConfig) any { return &c.HpSumMaxReasoningLength }},
	{"hp-sum-omit-turns", true, func(c *RunConfig) any { return &c.HpSumOmitTurns }},
}

// ParamNames lists the valid parameter names accepted by Set, in flag order.
func ParamNames() []string {
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = p.name
	}
	return names
}

func lookupParam(name string) (param, bool) {
	for _, p := range params {
		if p.name == name {
			return p, true
		}
	}
	return param{}, false
}

func unknownParamError(name string) error {
	return fmt.Errorf("unknown parameter %q (valid: %s)", name, strings.Join(ParamNames(), ", "))
}

// Set assigns the parameter with the hyphenated flag name (e.g. "hp-obs-n",
// "instances-shuffle") from a YAML-decoded value or a string, with the seed's
// argparse semantics: ints reject floats and non-numeric strings, bools use
// str2bool (1/true/t/yes/y, case-insensitive, are true; any other string is
// false), string fields accept numbers (formatted like Python str) but not
// bools, and wandb-tags accepts a list or a whitespace-separated string.
// Lists and mappings are rejected everywhere except wandb-tags.
func (c *RunConfig) Set(name string, value any) error {
	p, ok := lookupParam(name)
	if !ok {
		return unknownParamError(name)
	}
	if value == nil {
		if !p.optional {
			return fmt.Errorf("invalid value null for %s: the parameter cannot be unset", name)
		}
		switch f := p.field(c).(type) {
		case *string:
			*f = ""
		case **int:
			*f = nil
		case **bool:
			*f = nil
		case *[]string:
			*f = nil
		}
		return nil
	}
	var err error
	switch f := p.field(c).(type) {
	case *string:
		err = assign(f, value, asString)
	case *int:
		err = assign(f, value, asInt)
	case **int:
		err = assign(f, value, func(v any) (*int, error) { n, err := asInt(v); return &n, err })
	case *float64:
		err = assign(f, value, asFloat)
	case *bool:
		err = assign(f, value, asBool)
	case **bool:
		err = assign(f, value, func(v any) (*bool, error) { b, err := asBool(v); return &b, err })
	case *[]string:
		err = assign(f, value, asStrings)
	default:
		panic(fmt.Sprintf("sweep: unhandled field type %T for %s", f, name))
	}
	if err != nil {
		return fmt.Errorf("invalid value %s for %s: %v", describe(value), name, err)
	}
	return nil
}

// assign stores conv(value) in *dst only when the conversion succeeds.
func assign[T any](dst *T, value any, conv func(any) (T, error)) error {
	v, err := conv(value)
	if err == nil {
		*dst = v
	}
	return err
}

// Evaluates says whether submitted patches are evaluated (the default).
func (c RunConfig) Evaluates() bool { return c.Evaluate == nil || *c.Evaluate }
