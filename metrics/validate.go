package metrics

import (
	"errors"
	"fmt"
	"math"
)

// Validate reports inconsistencies in completed instances that would make
// the logged values wrong or unencodable: duplicate ids, Submitted that
// disagrees with the seed's rule on ExitStatus, negative or inconsistent
// counts, non-finite numbers (logged as 0), and AgentStep indexes that
// disagree with their count. The metric functions never call it.
func Validate(done []Instance) error {
	var errs []error
	seen := map[string]bool{}
	for _, in := range done {
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("instance %q: "+format, append([]any{in.ID}, args...)...))
		}
		if seen[in.ID] {
			bad("duplicate id")
		}
		seen[in.ID] = true
		if in.Submitted != IsSubmitted(in.ExitStatus) {
			bad("submitted=%v but exit status %q", in.Submitted, in.ExitStatus)
		}
		if in.Turns < 0 || in.APICalls < 0 || in.Requeries < 0 || in.SummaryAPICalls < 0 || in.Summaries < 0 || in.PatchLines < 0 {
			bad("negative count")
		}
		if in.SummaryAPICalls > in.Summaries {
			bad("%d summary calls but %d summaries", in.SummaryAPICalls, in.Summaries)
		}
		checkUsage(in.Tokens, "tokens", bad)
		checkUsage(in.SummaryTokens, "summary tokens", bad)
		checkFloats(bad, "", in.Cost, in.SummaryCost, in.ExecSeconds)
		n := 0
		for i, s := range in.Steps {
			if s.Kind == AgentStep {
				n++
				if s.Index != 0 && s.Index != n {
					bad("step %d: agent step index %d, want %d", i, s.Index, n)
				}
			}
			checkUsage(s.Tokens, fmt.Sprintf("step %d tokens", i), bad)
			checkFloats(bad, fmt.Sprintf("step %d: ", i), s.Cost, s.InferenceMS, s.ExecSeconds)
		}
	}
	return errors.Join(errs...)
}

func checkUsage(u Usage, what string, bad func(string, ...any)) {
	if u.Input < 0 || u.CachedInput < 0 || u.CacheWrite < 0 || u.Output < 0 || u.Reasoning < 0 {
		bad("%s: negative count", what)
	}
	if u.CachedInput > u.Input {
		bad("%s: cached input %d > input %d", what, u.CachedInput, u.Input)
	}
}

func checkFloats(bad func(string, ...any), where string, xs ...float64) {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			bad("%snegative or non-finite value %v", where, x)
		}
	}
}
