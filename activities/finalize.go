package activities

import (
	"context"
	"os"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Finalize writes the instance's trajectory (.traj, the seed's layout) and
// its record. Writing twice writes the same files.
func (a *Activities) Finalize(ctx context.Context, in workflows.FinalizeInput) (workflows.InstanceRecord, error) {
	dir := in.Ref.Dir()
	rec := in.Record
	if a.Store.Exists(store.PatchFile(dir, in.Ref.InstanceID)) {
		rec.PatchFile = store.PatchFile(dir, in.Ref.InstanceID)
		if fi, err := os.Stat(a.Store.Path(rec.PatchFile)); err == nil {
			rec.PatchBytes = int(fi.Size())
		}
	}
	traj, err := a.trajectory(in.Ref, rec)
	if err != nil {
		return rec, err
	}
	rec.TrajFile = store.TrajFile(dir, in.Ref.InstanceID)
	if err := a.Store.WriteJSON(rec.TrajFile, traj); err != nil {
		return rec, err
	}
	// record.json carries the per-test results; the workflows get the
	// record without them (they can be thousands of test ids).
	onDisk := rec
	if _, tests, ok, err := a.loadOutcome(in.Ref.Trial.Dir, in.Ref.InstanceID); err != nil {
		return rec, err
	} else if ok && len(tests) > 0 {
		onDisk.TestsStatus = &tests
	}
	rec.TestsStatus = nil
	return rec, a.Store.WriteJSON(store.RecordFile(dir), onDisk)
}

type trajStep struct {
	Action        string         `json:"action"`
	Observation   string         `json:"observation"`
	Response      string         `json:"response"`
	Thought       string         `json:"thought"`
	ExecutionTime float64        `json:"execution_time"`
	State         map[string]any `json:"state"`
	Statistics    map[string]any `json:"turn_statistics"`
	ExtraInfo     map[string]any `json:"extra_info"`
}

// trajectory assembles the seed-format trajectory from the stored turns.
// Steps omit the per-step "messages" (the processed context), which would
// grow with the square of the turn count; `starter view` recomputes it.
func (a *Activities) trajectory(ref workflows.InstanceRef, rec workflows.InstanceRecord) (map[string]any, error) {
	dir := ref.Dir()
	hist, err := a.history(dir, rec.Turns)
	if err != nil && rec.Turns > 0 {
		return nil, err
	}
	var steps []trajStep
	var head Head
	_, _ = a.Store.ReadJSON(store.HeadFile(dir), &head)
	state := agent.ViewerState{Cwd: head.Workdir} // the state trailer's values at each step
	for t := 1; t <= rec.Turns+1; t++ {
		obs, hasObs := Observation{}, false
		if t <= rec.Turns {
			hasObs, _ = a.Store.ReadJSON(store.ObservationFile(dir, t), &obs)
		}
		for at := 0; ; at++ {
			var rep Reply
			ok, err := a.Store.ReadJSON(store.ReplyFile(dir, t, at), &rep)
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
			s := trajStep{Response: rep.Content, Thought: rep.Content,
				ExtraInfo: map[string]any{}, Statistics: map[string]any{"cost": rep.Cost, "tokens": map[string]int{
					"raw_input": rep.Usage.RawInput(), "cached_input": rep.Usage.CachedInput, "output": rep.Usage.Output,
					"internal_reasoning": rep.Usage.Reasoning}, "inference_time": rep.LatencyMS}}
			if rep.Action != nil {
				s.Action = rep.Action.Command
			}
			if !rep.Valid {
				s.Observation = rep.FormatError
			} else if hasObs && obs.Attempt == at {
				s.Observation, s.ExecutionTime = obs.Output, obs.ExecSeconds
				if obs.State.Cwd != "" {
					state = obs.State
				}
			}
			s.State = map[string]any{}
			for k, v := range state.Vars() {
				s.State[k] = v
			}
			steps = append(steps, s)
		}
	}
	var summaries []map[string]any
	summaryCalls := 0
	for i := 1; ; i++ {
		var s StoredSummary
		if ok, err := a.Store.ReadJSON(store.SummaryFile(dir, i), &s); err != nil || !ok {
			break
		}
		summaries = append(summaries, map[string]any{"summary": s.Summary.Content, "context": s.Summary.Request})
		if s.Called {
			summaryCalls++
		}
	}
	var submission any
	if rec.PatchFile != "" {
		if b, err := os.ReadFile(a.Store.Path(rec.PatchFile)); err == nil {
			submission = string(b)
		}
	}
	if hist == nil {
		hist = []agent.Message{}
	}
	// As the seed with a separate summary model (§5.6): the agent's and the
	// summarizer's stats apart, model_stats their sum. The record's call
	// count includes the summary calls.
	stats := func(cost float64, calls int, u agent.Usage) map[string]any {
		return map[string]any{"instance_cost": cost, "api_calls": calls, "tokens": map[string]int{
			"raw_input": u.RawInput(), "cached_input": u.CachedInput, "output": u.Output, "internal_reasoning": u.Reasoning}}
	}
	agentCalls := rec.APICalls - summaryCalls
	return map[string]any{
		"environment": ref.InstanceID,
		"trajectory":  steps,
		"history":     hist,
		"summaries":   summaries,
		"info": map[string]any{
			"exit_status": rec.ExitStatus, "submission": submission,
			"agent_model_stats":   stats(rec.Cost, agentCalls, rec.Usage),
			"summary_model_stats": stats(rec.SummaryCost, summaryCalls, rec.SummaryUsage),
			"model_stats":         stats(rec.Cost+rec.SummaryCost, rec.APICalls, rec.Usage.Add(rec.SummaryUsage)),
			"resolved":            rec.Resolved,
		},
	}, nil
}
