package activities

import (
	"os"

	"github.com/ctxresearch/ctxsweep/metrics"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// metricsInstance reads one finished instance back from the store in the
// shape the metrics package computes the seed's W&B figures from: the
// record, plus every stored reply, observation and summary as steps (see
// metrics/README.md, "Filling Instance"). order is its completion index.
func (a *Activities) metricsInstance(trialDir string, rec workflows.InstanceRecord, order int) (metrics.Instance, error) {
	dir := store.InstanceDir(trialDir, rec.InstanceID)
	in := metrics.Instance{
		ID: rec.InstanceID, ExitStatus: rec.ExitStatus, Submitted: rec.Submitted, Resolved: rec.Resolved,
		Order: order, Requeries: rec.Requeries, Summaries: rec.Summaries,
		Tokens: metrics.Usage(rec.Usage), Cost: rec.Cost, SummaryTokens: metrics.Usage(rec.SummaryUsage),
		SummaryCost: rec.SummaryCost, ExecSeconds: rec.ExecSeconds,
	}
	if rec.PatchFile != "" {
		if b, err := os.ReadFile(a.Store.Path(rec.PatchFile)); err == nil {
			in.PatchLines = metrics.CountPatchLines(string(b))
		}
	}
	summaries := map[int][]StoredSummary{}
	for i := 1; ; i++ {
		var s StoredSummary
		ok, err := a.Store.ReadJSON(store.SummaryFile(dir, i), &s)
		if err != nil {
			return in, err
		}
		if !ok {
			break
		}
		if s.Called {
			summaries[s.Turn] = append(summaries[s.Turn], s)
			in.SummaryAPICalls++
		}
	}
	in.APICalls = rec.APICalls - in.SummaryAPICalls
	for turn := 1; ; turn++ {
		// The accepted attempt of a completed turn is the one its
		// observation names; the others were re-queried (format errors,
		// retry-with-output).
		var obs Observation
		hasObs, err := a.Store.ReadJSON(store.ObservationFile(dir, turn), &obs)
		if err != nil {
			return in, err
		}
		accepted := false
		found := false
		for attempt := 0; ; attempt++ {
			var r Reply
			ok, err := a.Store.ReadJSON(store.ReplyFile(dir, turn, attempt), &r)
			if err != nil {
				return in, err
			}
			if !ok {
				break
			}
			found = true
			in.Turns++
			step := metrics.Step{Index: turn, Tokens: metrics.Usage(r.Usage), Cost: r.Cost, InferenceMS: float64(r.LatencyMS)}
			switch {
			case hasObs && attempt == obs.Attempt:
				step.Kind, step.HasStats, step.ExecSeconds = metrics.AgentStep, true, obs.ExecSeconds
			case !hasObs && r.Valid && turn > rec.Turns:
				// The reply that hit a limit: the seed logs no statistics
				// for the exit step.
				step.Kind = metrics.AgentStep
			default:
				step.Kind = metrics.RequeryStep
				in.Steps = append(in.Steps, step)
				continue
			}
			accepted = true
			in.Steps = append(in.Steps, step)
			break
		}
		if !found {
			break
		}
		if accepted {
			for _, s := range summaries[turn] {
				in.Steps = append(in.Steps, metrics.Step{Kind: metrics.SummaryStep, Index: turn,
					Tokens: metrics.Usage(s.Usage), Cost: s.Cost})
			}
		}
	}
	if rec.ExitStatus != "" && !rec.Submitted && len(in.Steps) > 0 {
		last := in.Steps[len(in.Steps)-1]
		if last.Kind != metrics.AgentStep || last.HasStats {
			in.Steps = append(in.Steps, metrics.Step{Kind: metrics.AgentStep, Index: rec.Turns + 1})
		}
	}
	return in, nil
}
