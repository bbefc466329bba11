package metrics

import (
	"math"
	"sort"
)

// Usage counts the tokens of one call or of a sum of calls. Input includes
// CachedInput (as agent.Usage); the seed's raw_input is Input-CachedInput.
type Usage struct {
	Input       int `json:"input"`
	CachedInput int `json:"cached_input"`
	CacheWrite  int `json:"cache_write"` // carried, never logged (the seed has no such metric)
	Output      int `json:"output"`
	Reasoning   int `json:"reasoning"` // the seed's internal_reasoning
}

// RawInput is the uncached part of the prompt (seed: tokens.raw_input).
func (u Usage) RawInput() int { return u.Input - u.CachedInput }

// Add returns u + o.
func (u Usage) Add(o Usage) Usage {
	return Usage{u.Input + o.Input, u.CachedInput + o.CachedInput, u.CacheWrite + o.CacheWrite,
		u.Output + o.Output, u.Reasoning + o.Reasoning}
}

// StepKind says what a Step records.
type StepKind int

const (
	// AgentStep is one agent step: one seed on_step_done call. Its fields
	// describe the step's final (accepted) agent call and its command.
	AgentStep StepKind = iota
	// RequeryStep is an agent call whose reply was rejected (format error,
	// blocked action, syntax error) and re-queried. The seed appends it to
	// the trajectory but never passes it to on_step_done, so it advances no
	// counter; we count it into step/requeries of the next AgentStep.
	RequeryStep
	// SummaryStep is one summarizer call (placeholder summaries made without
	// a call are not steps). It advances no counter; its figures go into the
	// step/summary_* fields of the AgentStep it follows (the seed makes the
	// call after turn T completes, before on_step_done(T)).
	SummaryStep
)

// Step is one entry of an instance's step list, in the order things
// happened: [requeries...] agent step [summary], [requeries...] agent step...
type Step struct {
	Kind StepKind `json:"kind"`
	// Index is the caller's 1-based step (turn) number within the instance.
	// Rows number steps by counting AgentSteps, as the seed does; Validate
	// checks that AgentStep indexes, when set, agree with that count.
	Index int `json:"index"`
	// HasStats is false for an AgentStep that ended with an error or exit
	// and so carried no turn_statistics: the seed advances step/global_step
	// for it but logs nothing. Ignored for other kinds.
	HasStats bool    `json:"has_stats"`
	Tokens   Usage   `json:"tokens"`
	Cost     float64 `json:"cost"`
	// InferenceMS is the model call latency in milliseconds (seed:
	// turn_statistics.inference_time).
	InferenceMS float64 `json:"inference_ms"`
	// ExecSeconds is the environment execution time of the step's command
	// (seed: step.execution_time). AgentStep only.
	ExecSeconds float64 `json:"exec_seconds"`
}

// Instance is one completed instance, as workflows.InstanceRecord holds it
// plus its steps. See README.md for how to fill it from a record.
type Instance struct {
	ID string `json:"instance_id"`
	// ExitStatus as the seed writes it: "submitted", "exit_cost",
	// "submitted (exit_cost)", ...
	ExitStatus string `json:"exit_status"`
	// Submitted must equal IsSubmitted(ExitStatus); the metrics apply the
	// seed's rule to ExitStatus and Validate reports a disagreement.
	Submitted bool  `json:"submitted"`
	Resolved  *bool `json:"resolved,omitempty"` // nil: not evaluated
	// Order is the completion index; the functions take their slice in
	// completion order (see SortByCompletion) and never read Order.
	Order int `json:"order"`
	// Turns is the seed's n_turns = len(trajectory): trajectory steps, failed
	// re-query attempts included.
	Turns int `json:"turns"`
	// APICalls are the agent's model calls, re-queries included, summarizer
	// calls excluded (seed: agent_model_stats.api_calls).
	APICalls        int     `json:"api_calls"`
	Requeries       int     `json:"requeries"`
	SummaryAPICalls int     `json:"summary_api_calls"`
	Summaries       int     `json:"summaries"` // summaries made, placeholders included
	Tokens          Usage   `json:"tokens"`
	Cost            float64 `json:"cost"`
	SummaryTokens   Usage   `json:"summary_tokens"`
	SummaryCost     float64 `json:"summary_cost"`
	// ExecSeconds is the sum of the steps' execution times (seed
	// instance_duration_ms = that sum × 1000).
	ExecSeconds float64 `json:"execution_seconds"`
	// PatchLines is CountPatchLines of the submission (0 without one).
	PatchLines int    `json:"patch_lines"`
	Steps      []Step `json:"steps,omitempty"`
}

// FoldSummary returns in as the seed reports it with the default `same`
// summarizer (§5.6): summary cost, tokens and calls folded into the agent's,
// summary figures zero. By default we report them apart, as the seed does
// with a separate summary model.
func FoldSummary(in Instance) Instance {
	in.Cost += in.SummaryCost
	in.Tokens = in.Tokens.Add(in.SummaryTokens)
	in.APICalls += in.SummaryAPICalls
	in.SummaryCost, in.SummaryTokens, in.SummaryAPICalls = 0, Usage{}, 0
	return in
}

// SortByCompletion returns a copy of ins ordered by Order (stable).
func SortByCompletion(ins []Instance) []Instance {
	out := append([]Instance(nil), ins...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}

// finite returns x, or 0 when x is NaN or infinite (encoding/json cannot
// carry them to W&B).
func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
