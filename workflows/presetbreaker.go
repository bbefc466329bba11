package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"
)

// The circuit breaker across trials: when trials of one model preset run
// side by side (--parallel-trials), each sees only its share of the
// failures, so a missing or revoked key would fail N instances in every
// trial before one trips. The sweep also counts the instances of each
// preset in the order its trials report them, and stops when the last N
// of them, whatever their trial, failed with the same configuration or
// authentication error.

const presetBreakerVersion = "sweep-preset-breaker"

// presetBreaker is the sweep's count for one preset: the records its
// trials finished in this run, last n kept.
type presetBreaker struct {
	finished []InstanceRecord
	trials   []string // run names of finished, same order
}

// presetFailure is a record's configuration or authentication error
// (empty for any other end).
func presetFailure(r InstanceRecord) string {
	if r.Error != "" && ConfigFailure(r.Error) {
		return r.Error
	}
	return ""
}

// presetProgress counts a trial's newly finished instance towards its
// preset's breaker and stops the sweep when it trips.
func (r *sweepRun) presetProgress(ctx workflow.Context, tr *trialRun, p TrialProgress) {
	n := r.in.Tuning.StopAfterConfigErrors
	if n <= 0 || !p.Fresh || r.broken || tr.ref.Config.Model == "" {
		return
	}
	if r.presets == nil {
		r.presets = map[string]*presetBreaker{}
	}
	b := r.presets[tr.ref.Config.Model]
	if b == nil {
		b = &presetBreaker{}
		r.presets[tr.ref.Config.Model] = b
	}
	b.finished = append(b.finished, InstanceRecord{InstanceID: p.InstanceID, Error: p.ConfigFailure})
	b.trials = append(b.trials, tr.ref.RunName)
	if len(b.finished) > n {
		b.finished, b.trials = b.finished[len(b.finished)-n:], b.trials[len(b.trials)-n:]
	}
	trip, ok := Breaker(b.finished, n, 0)
	if !ok || len(uniq(b.trials)) < 2 {
		return // one trial's own breaker decides on its own failures
	}
	if workflow.GetVersion(ctx, presetBreakerVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return
	}
	msg := fmt.Sprintf("Stopped the sweep (finished instances are kept): %d instances in a row of model preset %s (trials %s) failed with the same configuration or authentication error:\n  %s\nWhat to do: %s",
		trip.Count, tr.ref.Config.Model, strings.Join(uniq(b.trials), ", "), trip.Record.Error, BreakerHint(trip.Record.Error, tr.ref.Config.Model, tr.ref.Sweep))
	r.breakerStop(ctx, nil, msg)
}

func uniq(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
