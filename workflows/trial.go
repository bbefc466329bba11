package workflows

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SignalProgress carries a trial's progress to its sweep.
const SignalProgress = "trial-progress"

// TrialProgress is what a trial reports after each instance: cumulative
// figures over its finished instances (what sweep.Outcome needs), and the
// instance that just finished.
type TrialProgress struct {
	TrialID     string  `json:"trial_id"`
	InstanceID  string  `json:"instance_id,omitempty"`
	Total       int     `json:"total"`
	Done        int     `json:"done"`
	Submitted   int     `json:"submitted"`
	Resolved    int     `json:"resolved"`
	Cost        float64 `json:"cost"` // agent + summarizer
	SummaryCost float64 `json:"summary_cost,omitempty"`
	Turns       int     `json:"turns,omitempty"`
	APICalls    int     `json:"api_calls,omitempty"`
	// Fresh says the instance finished in this run (not loaded from an
	// earlier one); ConfigFailure is its configuration or authentication
	// error, if it ended with one (the sweep's breaker across trials).
	Fresh         bool   `json:"fresh,omitempty"`
	ConfigFailure string `json:"config_failure,omitempty"`
}

// TrialResult is what a trial returns: its records, in instance order.
// Stopped says why some instances did not run (TrialBudget).
type TrialResult struct {
	Trial   TrialRef         `json:"trial"`
	Records []InstanceRecord `json:"records"`
	Stopped string           `json:"stopped,omitempty"`
	// Breaker is set when the circuit breaker stopped the trial (see
	// breaker.go): the error the sweep ends with.
	Breaker string `json:"breaker,omitempty"`
	// Total is the number of instances the trial selected (set when the
	// breaker stopped it, so the sweep can show how many did not run).
	Total int `json:"total,omitempty"`
}

// TrialStatus answers a trial's "status" query.
type TrialStatus struct {
	Total       int              `json:"total"`
	Running     []string         `json:"running"`
	Records     []InstanceRecord `json:"records"`
	Cost        float64          `json:"cost"`
	Submitted   int              `json:"submitted"`
	Resolved    int              `json:"resolved"`
	SummaryCost float64          `json:"summary_cost"`
	Turns       int              `json:"turns"`
	APICalls    int              `json:"api_calls"`
	Stopped     string           `json:"stopped,omitempty"`
}

// TrialWorkflow selects a trial's instances and runs them, NumWorkers at a
// time, as child InstanceWorkflows. Instances whose record is already in the
// store (from an earlier, interrupted run of the same trial) are not run
// again. Under a sweep budget it asks the sweep for each instance's
// allowance first (see budget.go) and stops starting instances when it is
// refused. A cancelled trial writes the records it has before it ends.
func TrialWorkflow(ctx workflow.Context, t TrialRef) (TrialResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{ErrConfig}},
	})
	var sel SelectInstancesResult
	if err := workflow.ExecuteActivity(actx, ActSelectInstances, t).Get(ctx, &sel); err != nil {
		return TrialResult{}, err
	}
	t.ModelQueue, t.SummaryQueue = sel.ModelQueue, sel.SummaryQueue
	t.ModelSlots, t.SummarySlots = sel.ModelSlots, sel.SummarySlots
	var existing []InstanceRecord
	if err := workflow.ExecuteActivity(actx, ActLoadRecords, LoadRecordsInput{Trial: t, IDs: sel.IDs}).Get(ctx, &existing); err != nil {
		return TrialResult{}, err
	}
	byID := map[string]InstanceRecord{}
	for _, r := range existing {
		byID[r.InstanceID] = r
	}
	status := &TrialStatus{Total: len(sel.IDs)}
	running := map[string]bool{}
	if err := workflow.SetQueryHandler(ctx, "status", func() (TrialStatus, error) {
		out := *status
		out.Running = nil
		for _, id := range sel.IDs {
			if running[id] {
				out.Running = append(out.Running, id)
			}
		}
		return out, nil
	}); err != nil {
		return TrialResult{}, err
	}
	// wctx runs the instances; the W&B UI's Stop cancels it (the trial
	// then ends normally with the records it has).
	wctx, stopWork := workflow.WithCancel(ctx)
	wb := startWandb(ctx, t, len(sel.IDs), func() {
		workflow.GetLogger(ctx).Info("the W&B run was stopped from W&B: stopping the trial", "trial", t.RunName)
		stopWork()
	})
	add := func(r InstanceRecord, fresh bool) {
		wb.log(r)
		byID[r.InstanceID] = r
		status.Records = append(status.Records, r)
		status.Cost += r.TotalCost()
		status.SummaryCost += r.SummaryCost
		status.Turns += r.Turns
		status.APICalls += r.APICalls
		if r.Submitted {
			status.Submitted++
		}
		if r.Resolved != nil && *r.Resolved {
			status.Resolved++
		}
		if !t.QuietProgress {
			reportProgress(ctx, t.TrialID, r, fresh, status)
		}
	}
	for _, id := range sel.IDs {
		if r, ok := byID[id]; ok {
			add(r, false)
		}
	}
	brk := &trialBreaker{n: t.Tuning.StopAfterConfigErrors}
	for _, id := range sel.IDs {
		if _, done := byID[id]; !done {
			brk.total++
		}
	}
	workers := t.Config.NumWorkers
	if workers < 1 {
		workers = 1
	}
	sem := workflow.NewSemaphore(ctx, int64(workers))
	wg := workflow.NewWaitGroup(ctx)
	budgeted := budgetOf(ctx) > 0
	answers := workflow.GetSignalChannel(ctx, SignalBudgetGrant)
	var firstErr error
	for _, id := range sel.IDs {
		if _, done := byID[id]; done {
			continue
		}
		if err := sem.Acquire(wctx, 1); err != nil {
			break // cancelled
		}
		inst := t
		if budgeted {
			usd, ok := askBudget(wctx, t, id, answers)
			if !ok {
				sem.Release(1)
				if wctx.Err() == nil {
					status.Stopped = TrialBudget
					workflow.GetLogger(ctx).Info("sweep budget exhausted: no more instances", "trial", t.RunName)
				}
				break
			}
			if usd > 0 {
				inst.Limits.CostLimit = usd
			}
		}
		id := id
		running[id] = true
		wg.Add(1)
		reuse := instanceReusePolicy(ctx)
		workflow.Go(wctx, func(gctx workflow.Context) {
			defer wg.Done()
			defer sem.Release(1)
			cctx := workflow.WithChildOptions(gctx, instanceChildOptions(gctx, InstanceRef{Trial: inst, InstanceID: id}, workflow.ChildWorkflowOptions{
				WorkflowID:            t.TrialID + "/" + id,
				WorkflowIDReusePolicy: reuse,
				ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
				// A cancelled trial ends only after its instances have
				// removed their sandboxes.
				WaitForCancellation: true,
			}))
			var rec InstanceRecord
			err := runInstance(gctx, cctx, InstanceInput{Ref: InstanceRef{Trial: inst, InstanceID: id}}, &rec)
			delete(running, id)
			if err != nil {
				if firstErr == nil && !temporal.IsCanceledError(err) {
					firstErr = err
				}
				if budgeted && ctx.Err() == nil {
					budgetEnded(ctx, t, id) // also when the W&B UI stopped the instances (wctx)
				}
				workflow.GetLogger(gctx).Error("instance failed", "instance", id, "error", err)
				return
			}
			add(rec, true)
			if brk.add(ctx, rec) {
				workflow.GetLogger(ctx).Error("circuit breaker: instances keep failing with one configuration error; stopping the trial",
					"trial", t.RunName, "instances", brk.trip.Count, "error", rec.Error)
				stopWork()
			}
		})
	}
	wg.Wait(ctx)
	records := make([]InstanceRecord, 0, len(sel.IDs))
	for _, id := range sel.IDs {
		if r, ok := byID[id]; ok {
			records = append(records, r)
		}
	}
	if ctx.Err() != nil {
		// Stopped (hyperband) or cancelled: keep what finished.
		if len(records) > 0 {
			dctx, _ := workflow.NewDisconnectedContext(ctx)
			dctx = workflow.WithActivityOptions(dctx, workflow.ActivityOptions{ScheduleToCloseTimeout: 5 * time.Minute,
				RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 3, NonRetryableErrorTypes: []string{ErrConfig}}})
			_ = workflow.ExecuteActivity(dctx, ActWriteTrial, WriteTrialInput{Trial: t, Records: records}).Get(dctx, nil)
		}
		wb.end(ctx, 0, TrialStopped) // its run ends finished, with its rows
		return TrialResult{}, temporal.NewCanceledError()
	}
	if err := workflow.ExecuteActivity(actx, ActWriteTrial, WriteTrialInput{Trial: t, Records: records}).Get(ctx, nil); err != nil {
		wb.end(ctx, 1, TrialFailed)
		return TrialResult{}, err
	}
	exit, state := 0, TrialCompleted
	switch {
	case brk.trip != nil:
		exit, state = 1, TrialFailed
	case firstErr != nil:
		exit, state = 1, TrialFailed
	case status.Stopped != "":
		state = status.Stopped
	case wb != nil && wb.stopped:
		state = TrialStoppedFromWandb
	}
	wb.finish(ctx, exit, state)
	res := TrialResult{Trial: t, Records: records, Stopped: status.Stopped}
	if brk.trip != nil {
		// The records stay in the result: the sweep keeps them and stops.
		res.Breaker, res.Total = brk.trip.message(t), len(sel.IDs)
		return res, nil
	}
	if firstErr != nil {
		return res, firstErr
	}
	return res, nil
}

// instanceRetries is the version of instanceReusePolicy.
const instanceRetries = "instance-retry-attempts"

// instanceReusePolicy lets an instance whose record is gone from the store
// run again although its earlier workflow completed: `starter retry` moves
// the records of the instances it retries to <trial>/.attempts/, and the
// trial only starts instances without a record.
func instanceReusePolicy(ctx workflow.Context) enumspb.WorkflowIdReusePolicy {
	if workflow.GetVersion(ctx, instanceRetries, workflow.DefaultVersion, 1) == 1 {
		return enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
	}
	return enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY
}

func reportProgress(ctx workflow.Context, trialID string, r InstanceRecord, fresh bool, s *TrialStatus) {
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil {
		return
	}
	p := TrialProgress{TrialID: trialID, InstanceID: r.InstanceID, Fresh: fresh, ConfigFailure: presetFailure(r), Total: s.Total, Done: len(s.Records), Submitted: s.Submitted,
		Resolved: s.Resolved, Cost: s.Cost, SummaryCost: s.SummaryCost, Turns: s.Turns, APICalls: s.APICalls}
	workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalProgress, p)
}

// runInstance runs an instance as a child workflow. An earlier run of the
// same instance may still be finishing its cancellation (its trial was
// cancelled and is being resumed): the start is retried until that run has
// closed, instead of failing the trial.
func runInstance(ctx, cctx workflow.Context, in InstanceInput, rec *InstanceRecord) error {
	for attempt := 0; ; attempt++ {
		err := workflow.ExecuteChildWorkflow(cctx, InstanceWorkflow, in).Get(ctx, rec)
		var started *temporal.ChildWorkflowExecutionAlreadyStartedError
		if err == nil || !errors.As(err, &started) || attempt >= 60 || ctx.Err() != nil {
			return err
		}
		workflow.GetLogger(ctx).Warn("an earlier run of this instance is still closing; waiting", "instance", in.Ref.InstanceID)
		if err := workflow.Sleep(ctx, 5*time.Second); err != nil {
			return err
		}
	}
}
