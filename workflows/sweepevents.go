package workflows

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/sweep"
)

// What a sweep does as its trials report and end.

// progress records a trial's report after one of its instances finished.
func (r *sweepRun) progress(ctx workflow.Context, p TrialProgress) {
	tr := r.runs[p.TrialID]
	if tr == nil || tr.ended {
		return // late: the trial's result has the final figures
	}
	t := &r.st.Trials[tr.idx]
	if p.Done <= t.Done {
		return
	}
	r.presetProgress(ctx, tr, p)
	t.Total, t.Done, t.Submitted, t.Resolved, t.Cost = p.Total, p.Done, p.Submitted, p.Resolved, p.Cost
	t.Outcome = sweep.Outcome{Instances: p.Done, Submitted: p.Submitted, Resolved: p.Resolved,
		Cost: p.Cost, SummaryCost: p.SummaryCost, Turns: p.Turns, APICalls: p.APICalls}
	r.record(tr)
	if r.budget != nil {
		r.budget.release(p.TrialID, p.InstanceID)
		r.grant(ctx)
	}
	r.hyperband(ctx)
}

// record appends the metric of the trial's outcome to its history until
// there is one value per finished instance.
func (r *sweepRun) record(tr *trialRun) {
	if r.spec.Metric == nil {
		return
	}
	t, h := &r.st.Trials[tr.idx], &r.hist[tr.hist]
	v, err := sweep.MetricValue(r.spec.Metric.Name, t.Outcome)
	if err != nil {
		return // checked by plan
	}
	for len(h.Values) < t.Done {
		h.Values = append(h.Values, v)
	}
	t.Values = h.Values
}

// hyperband cancels the running trials the early-termination rule stops.
func (r *sweepRun) hyperband(ctx workflow.Context) {
	if r.spec.EarlyTerminate == nil {
		return
	}
	for _, i := range r.spec.EarlyTerminate.ToStop(r.hist, r.st.Goal) {
		tr := r.byHist[i]
		if tr == nil || tr.ended || tr.stopped {
			continue
		}
		tr.stopped = true
		r.hist[i].Stopped = true
		r.st.Trials[tr.idx].State = TrialStopped
		workflow.GetLogger(ctx).Info("hyperband stops a trial", "trial", tr.ref.RunName, "iteration", len(r.hist[i].Values))
		tr.cancel()
	}
}

// ended records a trial's end.
func (r *sweepRun) ended(ctx workflow.Context, tr *trialRun, res TrialResult, err error) {
	tr.ended = true
	r.running--
	t, h := &r.st.Trials[tr.idx], &r.hist[tr.hist]
	if len(res.Records) > 0 {
		o := outcomeOf(res.Records)
		t.Done, t.Submitted, t.Resolved, t.Cost, t.Outcome = o.Instances, o.Submitted, o.Resolved, o.Cost, o
		if t.Total < t.Done {
			t.Total = t.Done
		}
		r.record(tr)
	}
	switch {
	case err == nil && res.Breaker != "" && workflow.GetVersion(ctx, sweepBreakerVersion, workflow.DefaultVersion, 1) == 1:
		t.State, t.Error, h.Failed = TrialFailed, "stopped by the circuit breaker (the sweep's error says why)", true
		t.Total = max(t.Total, res.Total)
		r.breakerStop(ctx, tr, res.Breaker)
	case err == nil && res.Stopped != "":
		t.State, h.Stopped = TrialBudget, true
	case err == nil:
		t.State, h.Done = TrialCompleted, true
	case temporal.IsCanceledError(err):
		h.Stopped = true
		if !tr.stopped {
			t.State = TrialCancelled
		}
	default:
		t.State, t.Error, h.Failed = TrialFailed, err.Error(), true
	}
	if r.budget != nil {
		r.budget.trialEnded(tr.ref.TrialID, res.Records)
		r.grant(ctx)
	}
}

// breakerStop stops the sweep after the circuit breaker stopped one of
// its trials (from; nil when the breaker across trials tripped): no trial starts any more, the running ones are cancelled
// (their finished instances are kept) and the sweep ends failed with the
// breaker's message.
func (r *sweepRun) breakerStop(ctx workflow.Context, from *trialRun, msg string) {
	if r.broken {
		return
	}
	r.broken, r.err = true, errors.New(msg)
	if from != nil {
		workflow.GetLogger(ctx).Error("circuit breaker: stopping the sweep", "trial", from.ref.RunName)
	} else {
		workflow.GetLogger(ctx).Error("circuit breaker: stopping the sweep", "across trials", true)
	}
	for _, o := range r.byHist { // in proposal order: deterministic
		if o != nil && o != from && !o.ended && o.cancel != nil {
			o.cancel()
		}
	}
}

// end closes the sweep once nothing runs.
func (r *sweepRun) end(ctx workflow.Context) (SweepStatus, error) {
	r.wandbSweepEnd(ctx, ctx.Err() != nil)
	if ctx.Err() != nil {
		for i := range r.st.Trials {
			if s := r.st.Trials[i].State; s == TrialPending || s == TrialRunning {
				r.st.Trials[i].State = TrialCancelled
			}
		}
		r.st.State = "cancelled"
		return r.status(), temporal.NewCanceledError(r.status())
	}
	if r.budget != nil && !r.noMore && r.err == nil {
		// The budget refused the next trial, if there is one.
		if p, err := r.ask(ctx); err != nil || p.OK {
			r.budget.exhausted = true
		}
	}
	for i := range r.st.Trials {
		if r.st.Trials[i].State == TrialPending {
			r.st.Trials[i].State = TrialSkipped
		}
	}
	if r.err != nil {
		r.st.State, r.st.Note = "failed", r.err.Error()
		typ := "SweepControllerError"
		if r.broken {
			typ = ErrCircuitBreaker
		}
		return r.status(), temporal.NewNonRetryableApplicationError(r.err.Error(), typ, nil)
	}
	out := r.status()
	switch {
	case r.budget != nil && r.budget.exhausted:
		r.st.State = SweepBudgetExhausted
		r.st.Note = fmt.Sprintf("budget exhausted: $%.4f of $%.4f spent; no trial or instance started past it", r.spent(), r.budget.limit)
	case out.Failed > 0:
		r.st.State = SweepWithFailures
	default:
		r.st.State = "completed"
	}
	return r.status(), nil
}

func outcomeOf(records []InstanceRecord) sweep.Outcome {
	o := sweep.Outcome{Instances: len(records)}
	for _, rec := range records {
		o.Cost += rec.TotalCost()
		o.SummaryCost += rec.SummaryCost
		o.Turns += rec.Turns
		o.APICalls += rec.APICalls
		if rec.Submitted {
			o.Submitted++
		}
		if rec.Resolved != nil && *rec.Resolved {
			o.Resolved++
		}
	}
	return o
}
