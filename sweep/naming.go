package sweep

import (
	"strconv"
	"strings"
)

// Run naming, tags and the W&B config dict, per seed-system.md §6.4.

var strategyAbbrev = map[string]string{
	StrategyRaw:                "raw",
	StrategyObservationMasking: "obs",
	StrategyLLMSummary:         "sum",
	StrategyHybrid:             "hyb",

	StrategyObservationMaskingCached: "obsc",
}

var subsetCode = map[string]string{
	"verified-mini": "mini",
	"verified":      "v",
	"lite":          "lite",
}

var modelProvider = map[string]string{
	"bedrock-qwen3-32b":        "bedrock",
	"bedrock-nova-pro":         "bedrock",
	"bedrock-nova-lite":        "bedrock",
	"bedrock-claude-haiku-4.5": "bedrock",
	"deepseek-chat":            "deepseek",
	"glm-4.6":                  "zhipu",
	"kimi-k2":                  "moonshot",
	"minimax-m2":               "minimax",
	"gpt-4o-mini":              "openai",
}

// Provider returns the seed's provider tag for a model preset key ("other"
// when unmapped; note bedrock-qwen3-coder-480b is "other" in the seed).
func Provider(model string) string {
	if p, ok := modelProvider[model]; ok {
		return p
	}
	return "other"
}

// UsesSummarizer reports whether the strategy runs an LLM summarizer.
func UsesSummarizer(strategy string) bool {
	return strategy == StrategyLLMSummary || strategy == StrategyHybrid
}

// UsesMasking reports whether the strategy runs observation masking (and so
// uses hp-obs-n).
func UsesMasking(strategy string) bool {
	return strategy == StrategyObservationMasking || strategy == StrategyHybrid ||
		strategy == StrategyObservationMaskingCached
}

// Summarizer returns the effective summarizer preset ("same" resolved to
// Model). It is meaningful only when UsesSummarizer(Strategy).
func (c RunConfig) Summarizer() string {
	if c.SummarizerModel == SummarizerSame || c.SummarizerModel == "" {
		return c.Model
	}
	return c.SummarizerModel
}

// safeName replaces '/' and ' ' with '_'.
func safeName(s string) string {
	return strings.NewReplacer("/", "_", " ", "_").Replace(s)
}

func itoa(p *int) string { return strconv.Itoa(*p) }

// RunName returns <model>__<strategy group>__<dataset> as built by the seed's
// build_run_name. Hyper-parameters appear only when given and relevant.
func (c RunConfig) RunName() string {
	abbrev, ok := strategyAbbrev[c.Strategy]
	if !ok {
		abbrev = c.Strategy
	}
	group := []string{abbrev}
	if UsesSummarizer(c.Strategy) {
		group = append(group, strings.ReplaceAll(safeName(c.Summarizer()), "bedrock-", ""))
	}
	add := func(prefix string, v *int) {
		if v != nil {
			group = append(group, prefix+itoa(v))
		}
	}
	switch c.Strategy {
	case StrategyObservationMasking, StrategyObservationMaskingCached:
		add("n=", c.HpObsN)
	case StrategyLLMSummary:
		add("n=", c.HpSumN)
		add("k=", c.HpSumKeepM)
	case StrategyHybrid:
		add("o=", c.HpObsN)
		add("s=", c.HpSumN)
		add("k=", c.HpSumKeepM)
	}
	dataset, ok := subsetCode[c.InstancesSubset]
	if !ok {
		dataset = c.InstancesSubset
	}
	dataset += strings.ReplaceAll(c.InstancesSlice, ":", "")
	return safeName(c.Model) + "__" + strings.Join(group, "_") + "__" + dataset
}

// Tags returns the W&B tags: the user's WandbTags first, then the seed's
// generated tags in its order.
func (c RunConfig) Tags() []string {
	tags := append([]string{}, c.WandbTags...)
	tags = append(tags,
		"model:"+c.Model,
		"provider:"+Provider(c.Model),
		"strategy:"+c.Strategy,
		"subset:"+c.InstancesSubset,
	)
	if UsesSummarizer(c.Strategy) {
		s := c.Summarizer()
		tags = append(tags, "summarizer:"+s, "sum_provider:"+Provider(s))
	}
	if UsesMasking(c.Strategy) && c.HpObsN != nil {
		tags = append(tags, "obs_n:"+itoa(c.HpObsN))
	}
	if UsesSummarizer(c.Strategy) {
		if c.HpSumN != nil {
			tags = append(tags, "sum_n:"+itoa(c.HpSumN))
		}
		if c.HpSumKeepM != nil {
			tags = append(tags, "keep_m:"+itoa(c.HpSumKeepM))
		}
	}
	return tags
}

// RelevantHyperParams returns the given hyper-parameters that the strategy
// uses, keyed hp_obs_n, hp_sum_n, ... (the W&B config keys).
func (c RunConfig) RelevantHyperParams() map[string]any {
	out := map[string]any{}
	if UsesMasking(c.Strategy) && c.HpObsN != nil {
		out["hp_obs_n"] = *c.HpObsN
	}
	if !UsesSummarizer(c.Strategy) {
		return out
	}
	ints := map[string]*int{
		"hp_sum_n":                    c.HpSumN,
		"hp_sum_keep_m":               c.HpSumKeepM,
		"hp_sum_max_action_length":    c.HpSumMaxActionLength,
		"hp_sum_max_reasoning_length": c.HpSumMaxReasoningLength,
	}
	for k, v := range ints {
		if v != nil {
			out[k] = *v
		}
	}
	bools := map[string]*bool{
		"hp_sum_static_checkpoint": c.HpSumStaticCheckpoint,
		"hp_sum_extract_actions":   c.HpSumExtractActions,
		"hp_sum_omit_turns":        c.HpSumOmitTurns,
	}
	for k, v := range bools {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// WandbConfig returns the W&B run config dict of §6.4: model, strategy,
// summarizer_model (as given, e.g. "same"), instances_subset,
// instances_slice (nil when not given), call_limit, plus the relevant
// non-null hyper-parameters. Cost limit, shuffle and workers are excluded.
func (c RunConfig) WandbConfig() map[string]any {
	var slice any
	if c.InstancesSlice != "" {
		slice = c.InstancesSlice
	}
	out := map[string]any{
		"model":            c.Model,
		"strategy":         c.Strategy,
		"summarizer_model": c.SummarizerModel,
		"instances_subset": c.InstancesSubset,
		"instances_slice":  slice,
		"call_limit":       c.CallLimit,
	}
	for k, v := range c.RelevantHyperParams() {
		out[k] = v
	}
	return out
}
