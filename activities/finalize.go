package activities

import (
	"context"
	"os"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Evaluate runs the task's tests against the stored patch.
func (a *Activities) Evaluate(ctx context.Context, in workflows.EvaluateInput) (workflows.EvaluateResult, error) {
	patch, err := os.ReadFile(a.Store.Path(store.PatchFile(in.Ref.Dir(), in.Ref.InstanceID)))
	if os.IsNotExist(err) {
		return workflows.EvaluateResult{Evaluated: true, Resolved: false, Note: "no patch"}, nil
	}
	if err != nil {
		return workflows.EvaluateResult{}, err
	}
	stop := keepAlive(ctx)
	defer stop()
	resolved, evaluated, err := a.Tasks.Evaluate(ctx, in.Ref.Trial.Config, in.Ref.InstanceID, string(patch))
	if err != nil {
		return workflows.EvaluateResult{}, err
	}
	return workflows.EvaluateResult{Evaluated: evaluated, Resolved: resolved}, nil
}

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
	return rec, a.Store.WriteJSON(store.RecordFile(dir), rec)
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
			s := trajStep{Response: rep.Content, Thought: rep.Content, State: map[string]any{"open_file": "n/a"},
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
			}
			steps = append(steps, s)
		}
	}
	var summaries []map[string]any
	if sums, err := a.summaries(dir); err == nil {
		for _, s := range sums {
			summaries = append(summaries, map[string]any{"summary": s.Content, "context": s.Request})
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
	stats := map[string]any{"instance_cost": rec.Cost, "api_calls": rec.APICalls, "tokens": map[string]int{
		"raw_input": rec.Usage.RawInput(), "cached_input": rec.Usage.CachedInput, "output": rec.Usage.Output, "internal_reasoning": rec.Usage.Reasoning}}
	return map[string]any{
		"environment": ref.InstanceID,
		"trajectory":  steps,
		"history":     hist,
		"summaries":   summaries,
		"info": map[string]any{
			"exit_status": rec.ExitStatus, "submission": submission, "agent_model_stats": stats, "model_stats": stats,
			"summary_model_stats": map[string]any{"instance_cost": rec.SummaryCost, "tokens": rec.SummaryUsage},
			"resolved":            rec.Resolved,
		},
	}, nil
}
