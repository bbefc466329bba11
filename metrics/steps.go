package metrics

// Row is one wandb.log payload: metric name → value (int, float64, string,
// bool, nil, or a media value such as a histogram).
type Row = map[string]any

// Sums are running sums over logged steps: the instance/* metrics (reset
// per instance) and the cumulative/* metrics (across instances).
type Sums struct {
	Cost        float64
	RawInput    int
	CachedInput int
	Output      int
	Reasoning   int
	InferenceMS float64
	ExecutionMS float64
	// APICalls is the seed's */api_calls: the number of logged steps.
	APICalls int
	// Ours: re-queried (rejected) agent calls, summarizer calls and cost.
	Requeries       int
	SummaryAPICalls int
	SummaryCost     float64
}

// Cumulative is the step state carried from one instance to the next:
// the last global_step and the cumulative/* sums.
type Cumulative struct {
	GlobalStep int
	Sums       Sums
}

// unit is one AgentStep with the re-queries before it and the summaries
// after it; Agent is nil for leftovers with no AgentStep to attach to.
type unit struct {
	Agent     *Step
	Requeries int
	Summaries []Step
}

// units groups an instance's steps.
func units(steps []Step) []unit {
	var us []unit
	open, req := false, 0 // open: the last unit still takes summaries
	for i := range steps {
		switch s := &steps[i]; s.Kind {
		case RequeryStep:
			req++
			open = false
		case AgentStep:
			us = append(us, unit{Agent: s, Requeries: req})
			req, open = 0, true
		case SummaryStep:
			if !open {
				us = append(us, unit{Requeries: req})
				req, open = 0, true
			}
			us[len(us)-1].Summaries = append(us[len(us)-1].Summaries, *s)
		}
	}
	if req > 0 {
		us = append(us, unit{Requeries: req})
	}
	return us
}

// figures are one agent step's seed metrics (§7.3).
func figures(s *Step) Sums {
	return Sums{
		Cost: finite(s.Cost), RawInput: s.Tokens.RawInput(), CachedInput: s.Tokens.CachedInput,
		Output: s.Tokens.Output, Reasoning: s.Tokens.Reasoning,
		InferenceMS: finite(s.InferenceMS), ExecutionMS: finite(s.ExecSeconds * 1000), APICalls: 1,
	}
}

func (s *Sums) add(o Sums) {
	s.Cost += o.Cost
	s.RawInput += o.RawInput
	s.CachedInput += o.CachedInput
	s.Output += o.Output
	s.Reasoning += o.Reasoning
	s.InferenceMS += o.InferenceMS
	s.ExecutionMS += o.ExecutionMS
	s.APICalls += o.APICalls
	s.Requeries += o.Requeries
	s.SummaryAPICalls += o.SummaryAPICalls
	s.SummaryCost += o.SummaryCost
}

// putSeed writes the seed's step/, instance/ or cumulative/ figures.
func (s Sums) putSeed(r Row, prefix string, calls bool) {
	in := s.RawInput + s.CachedInput
	r[prefix+"cost"] = s.Cost
	r[prefix+"tokens_in"] = in
	r[prefix+"tokens_out"] = s.Output
	r[prefix+"tokens_raw_input"] = s.RawInput
	r[prefix+"tokens_cached_input"] = s.CachedInput
	r[prefix+"tokens_internal_reasoning"] = s.Reasoning
	r[prefix+"inference_time_ms"] = s.InferenceMS
	r[prefix+"execution_time_ms"] = s.ExecutionMS
	r[prefix+"cache_hit_rate"] = ratio(float64(s.CachedInput), float64(in))
	if calls {
		r[prefix+"api_calls"] = s.APICalls
	}
}

// putOurs writes our instance/ or cumulative/ re-query and summary sums.
func (s Sums) putOurs(r Row, prefix string) {
	r[prefix+"requeries"] = s.Requeries
	r[prefix+"summary_api_calls"] = s.SummaryAPICalls
	r[prefix+"summary_cost"] = s.SummaryCost
}

// putSummaries writes our step/summary_* fields for the summarizer calls
// made after a step.
func putSummaries(r Row, sums []Step) {
	var u Usage
	var cost, ms float64
	for _, s := range sums {
		u = u.Add(s.Tokens)
		cost += finite(s.Cost)
		ms += finite(s.InferenceMS)
	}
	r["step/summary_api_calls"] = len(sums)
	r["step/summary_cost"] = cost
	r["step/summary_tokens_in"] = u.Input
	r["step/summary_tokens_raw_input"] = u.RawInput()
	r["step/summary_tokens_cached_input"] = u.CachedInput
	r["step/summary_tokens_out"] = u.Output
	r["step/summary_inference_time_ms"] = ms
}

// InstanceStepRows returns the per-step rows of one instance (§7.3) and the
// state after it; global_step and cumulative/* continue from before.
//
// As in the seed, every AgentStep advances `step` (1-based within the
// instance) and `global_step`, and one row is logged per AgentStep with
// HasStats, holding the step/*, instance/* and cumulative/* metrics; the
// instance/* and cumulative/* sums cover logged steps only, and */api_calls
// counts logged steps. Re-queried calls and summarizer calls stay out of
// those figures, as in the seed.
//
// Ours (the seed dropped these): every row also holds step/requeries (the
// rejected calls before the step), instance/ and cumulative/ requeries,
// summary_api_calls and summary_cost; a row whose step was followed by
// summarizer calls holds step/summary_api_calls, step/summary_cost,
// step/summary_tokens_{in,raw_input,cached_input,out} and
// step/summary_inference_time_ms. A step without statistics that has
// re-queries or summaries (e.g. the exit step of exit_format) gets a row
// with step, global_step and these fields only; such rows never advance
// the counters, so global_step numbering is the seed's.
func InstanceStepRows(in Instance, before Cumulative) ([]Row, Cumulative) {
	c := before
	var inst Sums
	step := 0
	var rows []Row
	for _, u := range units(in.Steps) {
		stats := false
		if u.Agent != nil {
			step++
			c.GlobalStep++
			if stats = u.Agent.HasStats; stats {
				f := figures(u.Agent)
				inst.add(f)
				c.Sums.add(f)
			}
		}
		ours := Sums{Requeries: u.Requeries, SummaryAPICalls: len(u.Summaries)}
		for _, s := range u.Summaries {
			ours.SummaryCost += finite(s.Cost)
		}
		inst.add(ours)
		c.Sums.add(ours)
		if !stats && u.Requeries == 0 && len(u.Summaries) == 0 {
			continue
		}
		r := Row{"step": step, "global_step": c.GlobalStep, "step/requeries": u.Requeries}
		if stats {
			figures(u.Agent).putSeed(r, "step/", false)
			inst.putSeed(r, "instance/", true)
			c.Sums.putSeed(r, "cumulative/", true)
		}
		inst.putOurs(r, "instance/")
		c.Sums.putOurs(r, "cumulative/")
		if len(u.Summaries) > 0 {
			putSummaries(r, u.Summaries)
		}
		rows = append(rows, r)
	}
	return rows, c
}

// StepRows returns the per-step rows of the completed instances, instance
// after instance in completion order.
func StepRows(done []Instance) []Row {
	var rows []Row
	var c Cumulative
	for _, in := range done {
		var rs []Row
		rs, c = InstanceStepRows(in, c)
		rows = append(rows, rs...)
	}
	return rows
}

// CumulativeAfter is the step state after the completed instances done.
func CumulativeAfter(done []Instance) Cumulative {
	var c Cumulative
	for _, in := range done {
		_, c = InstanceStepRows(in, c)
	}
	return c
}
