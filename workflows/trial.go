package workflows

import (
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// SignalProgress carries a trial's progress to its sweep.
const SignalProgress = "trial-progress"

// TrialProgress is what a trial reports after each instance.
type TrialProgress struct {
	TrialID   string  `json:"trial_id"`
	Total     int     `json:"total"`
	Done      int     `json:"done"`
	Submitted int     `json:"submitted"`
	Resolved  int     `json:"resolved"`
	Cost      float64 `json:"cost"`
}

// TrialResult is what a trial returns: its records, in instance order.
type TrialResult struct {
	Trial   TrialRef         `json:"trial"`
	Records []InstanceRecord `json:"records"`
}

// TrialStatus answers a trial's "status" query.
type TrialStatus struct {
	Total     int              `json:"total"`
	Running   []string         `json:"running"`
	Records   []InstanceRecord `json:"records"`
	Cost      float64          `json:"cost"`
	Submitted int              `json:"submitted"`
	Resolved  int              `json:"resolved"`
}

// TrialWorkflow selects a trial's instances and runs them, NumWorkers at a
// time, as child InstanceWorkflows. Instances whose record is already in the
// store (from an earlier, interrupted run of the same trial) are not run
// again.
func TrialWorkflow(ctx workflow.Context, t TrialRef) (TrialResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{ErrConfig}},
	})
	var sel SelectInstancesResult
	if err := workflow.ExecuteActivity(actx, ActSelectInstances, t).Get(ctx, &sel); err != nil {
		return TrialResult{}, err
	}
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
	add := func(r InstanceRecord) {
		byID[r.InstanceID] = r
		status.Records = append(status.Records, r)
		status.Cost += r.TotalCost()
		if r.Submitted {
			status.Submitted++
		}
		if r.Resolved != nil && *r.Resolved {
			status.Resolved++
		}
		reportProgress(ctx, t.TrialID, status)
	}
	for _, id := range sel.IDs {
		if r, ok := byID[id]; ok {
			add(r)
		}
	}
	workers := t.Config.NumWorkers
	if workers < 1 {
		workers = 1
	}
	sem := workflow.NewSemaphore(ctx, int64(workers))
	wg := workflow.NewWaitGroup(ctx)
	var firstErr error
	for _, id := range sel.IDs {
		if _, done := byID[id]; done {
			continue
		}
		if err := sem.Acquire(ctx, 1); err != nil {
			return TrialResult{}, err
		}
		id := id
		running[id] = true
		wg.Add(1)
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			defer sem.Release(1)
			cctx := workflow.WithChildOptions(gctx, workflow.ChildWorkflowOptions{
				WorkflowID:            t.TrialID + "/" + id,
				WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
				ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
			})
			var rec InstanceRecord
			err := workflow.ExecuteChildWorkflow(cctx, InstanceWorkflow, InstanceInput{Ref: InstanceRef{Trial: t, InstanceID: id}}).Get(gctx, &rec)
			delete(running, id)
			if err != nil {
				if firstErr == nil && !temporal.IsCanceledError(err) {
					firstErr = err
				}
				workflow.GetLogger(gctx).Error("instance failed", "instance", id, "error", err)
				return
			}
			add(rec)
		})
	}
	wg.Wait(ctx)
	if ctx.Err() != nil {
		return TrialResult{}, temporal.NewCanceledError()
	}
	records := make([]InstanceRecord, 0, len(sel.IDs))
	for _, id := range sel.IDs {
		if r, ok := byID[id]; ok {
			records = append(records, r)
		}
	}
	if err := workflow.ExecuteActivity(actx, ActWriteTrial, WriteTrialInput{Trial: t, Records: records}).Get(ctx, nil); err != nil {
		return TrialResult{}, err
	}
	if firstErr != nil {
		return TrialResult{Trial: t, Records: records}, firstErr
	}
	return TrialResult{Trial: t, Records: records}, nil
}

func reportProgress(ctx workflow.Context, trialID string, s *TrialStatus) {
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil {
		return
	}
	p := TrialProgress{TrialID: trialID, Total: s.Total, Done: len(s.Records), Submitted: s.Submitted, Resolved: s.Resolved, Cost: s.Cost}
	workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalProgress, p)
}
