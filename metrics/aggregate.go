package metrics

// Totals are the seed's running totals (`_totals`, §7.4): each the sum of
// the matching per-instance field, summed in completion order.
type Totals struct {
	NInstances                    int
	NSubmitted                    int
	TotalCost                     float64
	TotalAgentCost                float64
	TotalSummaryCost              float64
	TotalRloopCost                float64
	TotalTurns                    int
	TotalAPICalls                 int // agent calls
	TotalSummaryAPICalls          int
	TotalRloopAPICalls            int
	TotalRawInputTokens           int
	TotalCachedInputTokens        int
	TotalOutputTokens             int
	TotalInternalReasoningTokens  int
	TotalSummaryRawInputTokens    int
	TotalSummaryCachedInputTokens int
	TotalSummaryOutputTokens      int
	TotalPatchLines               int
	TotalDurationMS               float64
}

// Aggregates are the live aggregates after some completed instances (§7.4),
// the end-of-batch extras (§7.5) and ours (NResolved, SolveRate).
type Aggregates struct {
	Totals
	Exit  map[string]int // exit category → count (categories seen only)
	Repo  map[string]int // repo owner → count
	Turns []int          // n_turns of each instance, in completion order

	SubmissionRate      float64 // n_submitted / n
	CacheHitRate        float64 // cached / (raw + cached)
	AvgCost             float64 // total_cost / n
	AvgTurns            float64 // total_turns / n
	AvgAPICalls         float64 // total_api_calls / n
	AvgTokensPerTurn    float64 // (raw + cached) / total_turns
	AvgPatchLines       float64 // total_patch_lines / n
	AvgDurationMS       float64 // total_duration_ms / n
	SummaryCostFraction float64 // total_summary_cost / total_cost
	RloopCostFraction   float64 // total_rloop_cost / total_cost
	TurnStd             float64 // sample standard deviation of Turns (0 if < 2)
	TurnMedian          float64
	TurnMin, TurnMax    int

	// End of batch only (§7.5): calls / (agent + summary + rloop calls).
	SummaryAPIFraction float64
	RloopAPIFraction   float64

	// Ours: resolved instances, and resolved / n (0 when n is 0).
	NResolved int
	SolveRate float64
}

// Aggregate computes the aggregates of the completed instances done, given
// in completion order. It reads nothing but done: Aggregate(done[:k]) is
// what the seed logged after the k-th completion.
func Aggregate(done []Instance) Aggregates {
	a := Aggregates{Exit: map[string]int{}, Repo: map[string]int{}, Turns: make([]int, 0, len(done))}
	t := &a.Totals
	for _, in := range done {
		r := NewInstanceRow(in)
		a.Exit[r.ExitCategory]++
		a.Repo[r.Repo]++
		a.Turns = append(a.Turns, r.NTurns)
		t.NInstances++
		if r.Submitted {
			t.NSubmitted++
		}
		if in.Resolved != nil && *in.Resolved {
			a.NResolved++
		}
		t.TotalCost += r.TotalCost
		t.TotalAgentCost += r.AgentCost
		t.TotalSummaryCost += r.SummaryCost
		t.TotalRloopCost += r.RloopCost
		t.TotalTurns += r.NTurns
		t.TotalAPICalls += r.AgentAPICalls
		t.TotalSummaryAPICalls += r.SummaryAPICalls
		t.TotalRloopAPICalls += r.RloopAPICalls
		t.TotalRawInputTokens += r.RawInputTokens
		t.TotalCachedInputTokens += r.CachedInputTokens
		t.TotalOutputTokens += r.OutputTokens
		t.TotalInternalReasoningTokens += r.InternalReasoningTokens
		t.TotalSummaryRawInputTokens += r.SummaryRawInputTokens
		t.TotalSummaryCachedInputTokens += r.SummaryCachedTokens
		t.TotalSummaryOutputTokens += r.SummaryOutputTokens
		t.TotalPatchLines += r.PatchLines
		t.TotalDurationMS += r.DurationMS
	}
	n := float64(t.NInstances)
	input := float64(t.TotalRawInputTokens + t.TotalCachedInputTokens)
	a.SubmissionRate = ratio(float64(t.NSubmitted), n)
	a.CacheHitRate = ratio(float64(t.TotalCachedInputTokens), input)
	a.AvgCost = ratio(t.TotalCost, n)
	a.AvgTurns = ratio(float64(t.TotalTurns), n)
	a.AvgAPICalls = ratio(float64(t.TotalAPICalls), n)
	a.AvgTokensPerTurn = ratio(input, float64(t.TotalTurns))
	a.AvgPatchLines = ratio(float64(t.TotalPatchLines), n)
	a.AvgDurationMS = ratio(t.TotalDurationMS, n)
	a.SummaryCostFraction = ratio(t.TotalSummaryCost, t.TotalCost)
	a.RloopCostFraction = ratio(t.TotalRloopCost, t.TotalCost)
	a.TurnStd = SampleStd(a.Turns)
	a.TurnMedian = Median(a.Turns)
	a.TurnMin, a.TurnMax = minMax(a.Turns)
	calls := float64(t.TotalAPICalls + t.TotalSummaryAPICalls + t.TotalRloopAPICalls)
	a.SummaryAPIFraction = ratio(float64(t.TotalSummaryAPICalls), calls)
	a.RloopAPIFraction = ratio(float64(t.TotalRloopAPICalls), calls)
	a.SolveRate = ratio(float64(a.NResolved), n)
	return a
}

// Live is the payload the seed logged after each completed instance: every
// _totals key, exit/<category>, repo/<owner>, the rates, averages and turn
// statistics of §7.4, plus our n_resolved and solve_rate.
func (a Aggregates) Live() Row {
	t := a.Totals
	r := Row{
		"n_instances": t.NInstances, "n_submitted": t.NSubmitted,
		"total_cost": t.TotalCost, "total_agent_cost": t.TotalAgentCost,
		"total_summary_cost": t.TotalSummaryCost, "total_rloop_cost": t.TotalRloopCost,
		"total_turns": t.TotalTurns, "total_api_calls": t.TotalAPICalls,
		"total_summary_api_calls": t.TotalSummaryAPICalls, "total_rloop_api_calls": t.TotalRloopAPICalls,
		"total_raw_input_tokens": t.TotalRawInputTokens, "total_cached_input_tokens": t.TotalCachedInputTokens,
		"total_output_tokens": t.TotalOutputTokens, "total_internal_reasoning_tokens": t.TotalInternalReasoningTokens,
		"total_summary_raw_input_tokens":    t.TotalSummaryRawInputTokens,
		"total_summary_cached_input_tokens": t.TotalSummaryCachedInputTokens,
		"total_summary_output_tokens":       t.TotalSummaryOutputTokens,
		"total_patch_lines":                 t.TotalPatchLines, "total_duration_ms": t.TotalDurationMS,

		"submission_rate": a.SubmissionRate, "cache_hit_rate": a.CacheHitRate,
		"avg_cost": a.AvgCost, "avg_turns": a.AvgTurns, "avg_api_calls": a.AvgAPICalls,
		"avg_tokens_per_turn": a.AvgTokensPerTurn, "avg_patch_lines": a.AvgPatchLines,
		"avg_duration_ms": a.AvgDurationMS, "summary_cost_fraction": a.SummaryCostFraction,
		"rloop_cost_fraction": a.RloopCostFraction,
		"turn_std":            a.TurnStd, "turn_median": a.TurnMedian, "turn_min": a.TurnMin, "turn_max": a.TurnMax,

		"n_resolved": a.NResolved, "solve_rate": a.SolveRate,
	}
	for c, n := range a.Exit {
		r["exit/"+c] = n
	}
	for o, n := range a.Repo {
		r["repo/"+o] = n
	}
	return r
}

// Summary is the end-of-batch wandb.summary.update payload (§7.5): the
// Live keys plus summary_api_fraction and rloop_api_fraction.
func (a Aggregates) Summary() Row {
	r := a.Live()
	r["summary_api_fraction"] = a.SummaryAPIFraction
	r["rloop_api_fraction"] = a.RloopAPIFraction
	return r
}

// History returns the live payload after each completion:
// History(done)[k-1] equals Aggregate(done[:k]).Live().
func History(done []Instance) []Row {
	out := make([]Row, 0, len(done))
	for k := 1; k <= len(done); k++ {
		out = append(out, Aggregate(done[:k]).Live())
	}
	return out
}
