package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
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
	stop := keepAlive(ctx)
	traj, err := a.trajectory(in.Ref, rec)
	stop()
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
	// Messages is the processed context after the step (see stepMessages).
	Messages  any            `json:"messages"`
	ExtraInfo map[string]any `json:"extra_info"`
	// after is the number of completed turns whose view Messages holds.
	after int
}

// trajectory assembles the seed-format trajectory from the stored turns:
// one step per model reply, format errors and retry-with-output attempts
// included (content-policy refusals, which the seed never records, left
// out).
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
			if rep.FormatCode == agent.CodeContentPolicy {
				continue
			}
			s := trajStep{Response: rep.Content, Thought: rep.Content, after: t - 1,
				ExtraInfo: map[string]any{}, Statistics: map[string]any{"cost": rep.Cost, "tokens": map[string]int{
					"raw_input": rep.Usage.RawInput(), "cached_input": rep.Usage.CachedInput, "output": rep.Usage.Output,
					"internal_reasoning": rep.Usage.Reasoning}, "inference_time": rep.LatencyMS}}
			if rep.Action != nil {
				s.Action = rep.Action.Command
			}
			var ran Observation
			switch {
			case !rep.Valid:
				s.Observation = rep.FormatError
			case hasObs && obs.Attempt == at:
				ran, s.after = obs, t
			default: // an attempt answered with a re-query (retry-with-output)
				_, _ = a.Store.ReadJSON(RetryObservationFile(dir, t, at), &ran)
			}
			if rep.Valid {
				s.Observation, s.ExecutionTime = ran.Output, ran.ExecSeconds
				if ran.State.Cwd != "" {
					state = ran.State
				}
			}
			s.State = map[string]any{}
			for k, v := range state.Vars() {
				s.State[k] = v
			}
			steps = append(steps, s)
		}
	}
	var stored []StoredSummary
	var summaries []map[string]any
	summaryCalls := 0
	for i := 1; ; i++ {
		var s StoredSummary
		if ok, err := a.Store.ReadJSON(store.SummaryFile(dir, i), &s); err != nil || !ok {
			break
		}
		stored = append(stored, s)
		summaries = append(summaries, map[string]any{"summary": s.Summary.Content, "context": s.Summary.Request})
		if s.Called {
			summaryCalls++
		}
	}
	if hist == nil {
		hist = []agent.Message{}
	}
	compact := a.stepMessages(ref, hist, stored, steps)
	var submission any
	if rec.PatchFile != "" {
		if b, err := os.ReadFile(a.Store.Path(rec.PatchFile)); err == nil {
			submission = string(b)
		}
	}
	// As the seed with a separate summary model (§5.6): the agent's and the
	// summarizer's stats apart, model_stats their sum. The record's call
	// count includes the summary calls.
	stats := func(cost float64, calls int, u agent.Usage) map[string]any {
		return map[string]any{"instance_cost": cost, "api_calls": calls, "tokens": map[string]int{
			"raw_input": u.RawInput(), "cached_input": u.CachedInput, "output": u.Output, "internal_reasoning": u.Reasoning}}
	}
	agentCalls := rec.APICalls - summaryCalls
	info := map[string]any{
		"exit_status": rec.ExitStatus, "submission": submission,
		"agent_model_stats":   stats(rec.Cost, agentCalls, rec.Usage),
		"summary_model_stats": stats(rec.SummaryCost, summaryCalls, rec.SummaryUsage),
		"model_stats":         stats(rec.Cost+rec.SummaryCost, rec.APICalls, rec.Usage.Add(rec.SummaryUsage)),
		"resolved":            rec.Resolved,
	}
	for k, v := range a.editedFiles(dir, submission != nil) {
		info[k] = v
	}
	out := map[string]any{"environment": ref.InstanceID, "trajectory": steps, "history": hist, "summaries": summaries, "info": info}
	if compact {
		out["messages_format"] = compactFormat
	}
	return out, nil
}

// editedFiles is info's edited_files30/50/70: stored when the patch was
// taken, the seed's "Empty. No edited files found." without a submission.
func (a *Activities) editedFiles(dir string, submitted bool) map[string]string {
	out := map[string]string{}
	if submitted {
		_, _ = a.Store.ReadJSON(EditedFilesFile(dir), &out)
	}
	for _, n := range agent.EditedFilesContexts {
		if k := fmt.Sprintf("edited_files%d", n); !submitted {
			out[k] = agent.EditedFilesNone
		} else if _, ok := out[k]; !ok {
			out[k] = "" // the patch was taken before edited files were recorded
		}
	}
	return out
}

// saveEditedFiles renders info's edited_files30/50/70 from the patch and
// the files it modifies, as they are in the sandbox now.
func (a *Activities) saveEditedFiles(ctx context.Context, ref workflows.InstanceRef, sb sandbox.Sandbox, patch string) error {
	files := map[string]string{}
	for _, p := range agent.ModifiedPaths(patch) {
		if data, err := sb.ReadFile(ctx, p); err == nil {
			files[p] = string(data)
		}
	}
	out := map[string]string{}
	for _, n := range agent.EditedFilesContexts {
		out[fmt.Sprintf("edited_files%d", n)] = agent.EditedFiles(patch, files, n)
	}
	return a.Store.WriteJSON(EditedFilesFile(ref.Dir()), out)
}

// stepView is the strategy's view of the history after n turns. A summary
// strategy may have a summary due that was never made: the instance ended
// on that turn (nothing queried the model again), or the summary call
// failed and the loop went on without it. The view is then the one after
// the last turn m < n whose summaries were all made, followed by turns
// m+1..n as they are: every message of the context is there, not yet
// condensed.
func (a *Activities) stepView(ref workflows.InstanceRef, hist []agent.Message, stored []StoredSummary, n int) []agent.Message {
	for m := n; m >= 0; m-- {
		var sums []strategy.Summary
		for _, s := range stored {
			if s.Turn <= m {
				sums = append(sums, s.Summary)
			}
		}
		v, err := strategy.View(ref.Trial.Strategy, hist[:2+2*m], sums)
		if err == nil {
			for _, msg := range hist[2+2*m : 2+2*n] {
				v = append(v, msg)
			}
			return v
		}
		if m == 0 {
			a.Log.Warn("trajectory messages: no strategy view", zap.String("instance", ref.InstanceID), zap.Int("turns", n), zap.Error(err))
		}
	}
	return []agent.Message{}
}

// compactFormat is the .traj's "messages_format" when steps' messages refer
// to history items by index.
const compactFormat = "history_index"

// maxFullMessagesBytes bounds the estimated size of all steps' messages
// written in full (a variable for tests).
var maxFullMessagesBytes = 64 << 20

// stepMessages fills each step's messages with the processed context the
// seed records (§2.1 c, §8.2): the strategy's view of the history after
// step.after completed turns, with the summaries made by then. For the
// accepted attempt of turn t that is the context query t+1 sees; for a
// failed or retried attempt, the context its own query saw (without the
// re-query pair), as the seed records its failed attempts.
//
// Written in full, the messages grow with the square of the turns (a
// 250-turn raw trajectory holds some 80 MB of them). Past
// maxFullMessagesBytes every message equal to an item of the raw history
// is written as {"history_index": i} instead and compact is true (the
// .traj then says "messages_format": "history_index"); masked
// placeholders and summaries stay in full.
func (a *Activities) stepMessages(ref workflows.InstanceRef, hist []agent.Message, stored []StoredSummary, steps []trajStep) (compact bool) {
	views := map[int][]agent.Message{}
	size := 0
	for i := range steps {
		n := min(steps[i].after, (len(hist)-2)/2)
		v, ok := views[n]
		if !ok {
			v = a.stepView(ref, hist, stored, n)
			views[n] = v
		}
		for _, m := range v {
			size += len(m.Content) + len(m.Thought) + len(m.Action) + 64
		}
		steps[i].Messages = v
	}
	if size <= maxFullMessagesBytes || len(hist) == 0 {
		return false
	}
	key := func(m agent.Message) string { b, _ := json.Marshal(m); return string(b) }
	index := map[string]int{}
	for i, m := range hist {
		if _, dup := index[key(m)]; !dup {
			index[key(m)] = i
		}
	}
	for i := range steps {
		v := steps[i].Messages.([]agent.Message)
		out := make([]any, len(v))
		for j, m := range v {
			if k, ok := index[key(m)]; ok {
				out[j] = map[string]int{"history_index": k}
			} else {
				out[j] = m
			}
		}
		steps[i].Messages = out
	}
	return true
}
