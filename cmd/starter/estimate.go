package main

import (
	"fmt"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// The cost model of `starter sweep --dry-run`: a rough range from the
// presets' list prices, printed with these assumptions. An agent call's
// prompt starts at estBasePrompt tokens and grows by a fixed amount per
// call (the whole history, as raw keeps it), capped by the model's context
// window; the strategies keep prompts smaller than this.
//   - low: an instance that ends after estLowCalls calls, growing
//     estLowGrowth tokens a call, estLowOutput output tokens a call;
//   - high: one that uses its whole call-limit, growing estHighGrowth a
//     call, estHighOutput output tokens a call, but never more than its
//     cost-limit plus one call.
//
// llm_summary and hybrid add a summary call every hp-sum-n calls (the
// prompt at that point in, estSummaryOut out) at the summarizer's price.
// Prompt caching is ignored (it only lowers costs).
const (
	estBasePrompt  = 4000
	estLowCalls    = 10
	estLowGrowth   = 1000
	estLowOutput   = 300
	estHighGrowth  = 2500
	estHighOutput  = 800
	estSummaryOut  = 1000
	estDefaultCtx  = 128000
	estAssumptions = "per instance: low = 10 model calls with a prompt of 4k tokens growing 1k a call, 300 output tokens a call; " +
		"high = every call of the call-limit, prompt growing 2.5k tokens a call up to the context window, 800 output tokens a call, " +
		"capped at the cost-limit plus one call; summaries every hp-sum-n calls at the summarizer's price; list prices, no caching"
)

// subsetSizes are the instance counts of the SWE-bench subsets.
var subsetSizes = map[string]int{"verified": 500, "verified-mini": 50, "lite": 300, "full": 2294}

// span is a cost range in USD.
type span struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

func (s span) add(o span) span  { return span{s.Low + o.Low, s.High + o.High} }
func (s span) times(n int) span { return span{s.Low * float64(n), s.High * float64(n)} }
func (s span) String() string   { return usd(s.Low) + " – " + usd(s.High) }

// usd formats dollars: cents from $1 up, four decimals below.
func usd(v float64) string {
	if v >= 1 {
		return fmt.Sprintf("$%.2f", v)
	}
	return fmt.Sprintf("$%.4f", v)
}

// instances is the number of instances a trial selects (ok=false when it
// reads an instances file).
func instances(c sweep.RunConfig) (int, bool) {
	if c.InstancesFile != "" {
		return 0, false
	}
	n, ok := subsetSizes[c.InstancesSubset]
	if c.InstancesSubset == "demo" {
		n, ok = len(demo.IDs()), true
	}
	if !ok {
		return 0, false
	}
	sel, err := sweep.ApplySlice(make([]struct{}, n), c.InstancesSlice)
	if err != nil {
		return 0, false
	}
	return len(sel), true
}

// instanceCost is one instance's cost range; ok=false when a model it
// calls has no price.
func instanceCost(c sweep.RunConfig, presets llm.Presets) (span, bool) {
	a, ok := presets[c.Model]
	if !ok || !a.Priced() {
		return span{}, false
	}
	var sum *llm.Preset
	every := 0
	if sweep.UsesSummarizer(c.Strategy) {
		s, ok := presets[c.Summarizer()]
		if !ok || !s.Priced() {
			return span{}, false
		}
		sum, every = &s, sweep.DefaultSumN
		if c.HpSumN != nil && *c.HpSumN > 0 {
			every = *c.HpSumN
		}
	}
	low, _ := runCost(a, sum, every, estLowCalls, estLowGrowth, estLowOutput)
	high, last := runCost(a, sum, every, max(c.CallLimit, 1), estHighGrowth, estHighOutput)
	if c.CostLimit > 0 {
		high = min(high, c.CostLimit+last)
	}
	return span{min(low, high), high}, true
}

// runCost is the cost of calls agent calls (and their summaries), and the
// cost of the last agent call. The prompt grows until it fills the context
// window and stays there, so the calls after that are counted at once: the
// estimate takes the same time for a call-limit of 2^31 as for 250.
func runCost(a llm.Preset, sum *llm.Preset, every, calls, growth, out int) (total, last float64) {
	window := a.ContextWindow
	if window <= 0 {
		window = estDefaultCtx
	}
	i := 0
	for ; i < calls; i++ {
		prompt := estBasePrompt + i*growth
		if prompt >= window {
			break
		}
		last = a.Cost(agent.Usage{Input: prompt, Output: out})
		total += last
		if sum != nil && every > 0 && (i+1)%every == 0 {
			total += sum.Cost(agent.Usage{Input: prompt, Output: estSummaryOut})
		}
	}
	if rest := calls - i; rest > 0 {
		last = a.Cost(agent.Usage{Input: window, Output: out})
		total += last * float64(rest)
		if sum != nil && every > 0 {
			// summaries after calls i+1 .. calls that are multiples of every
			total += float64(calls/every-i/every) * sum.Cost(agent.Usage{Input: window, Output: estSummaryOut})
		}
	}
	return total, last
}

// trialCost is a trial's cost range; ok=false when it is unknown.
func trialCost(c sweep.RunConfig, presets llm.Presets) (span, int, bool) {
	n, ok := instances(c)
	if !ok {
		return span{}, 0, false
	}
	per, ok := instanceCost(c, presets)
	if !ok {
		return span{}, n, false
	}
	return per.times(n), n, true
}
