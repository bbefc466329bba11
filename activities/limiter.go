package activities

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"

	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// RequestSlot hands a slot request to the queue's limiter workflow,
// starting it if it is not running (signal-with-start, in the worker's
// namespace, on the main task queue).
func (a *Activities) RequestSlot(ctx context.Context, req workflows.SlotRequest) error {
	c := activity.GetClient(ctx)
	_, err := c.SignalWithStartWorkflow(ctx, workflows.LimiterID(req.Queue), workflows.SignalSlotAcquire, req,
		client.StartWorkflowOptions{TaskQueue: workflows.TaskQueue}, workflows.LimiterWorkflow,
		workflows.LimiterState{Queue: req.Queue, Max: req.Max})
	if err != nil {
		return fmt.Errorf("asking the limiter of queue %s for a slot: %w", req.Queue, err)
	}
	return nil
}

// ClosedHolders returns the tokens of the holders whose workflow run is no
// longer running (or no longer exists). Holders that cannot be described
// for another reason count as running.
func (a *Activities) ClosedHolders(ctx context.Context, holders []workflows.SlotHolder) ([]string, error) {
	c := activity.GetClient(ctx)
	var closed []string
	for _, h := range holders {
		d, err := c.DescribeWorkflowExecution(ctx, h.WorkflowID, h.RunID)
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			closed = append(closed, h.Token)
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			a.Log.Sugar().Warnw("describing a slot holder", "workflow", h.WorkflowID, "error", err)
		case d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
			closed = append(closed, h.Token)
		}
	}
	return closed, nil
}

// pollTrialQueues makes this worker poll the rate-limited task queues of
// the trial's model and summarizer: presets that came with the sweep (its
// --models-file) are unknown to a worker started without that file, and
// their calls would otherwise wait for a worker that polls their queue.
func (a *Activities) pollTrialQueues(t workflows.TrialRef) error {
	if a.PollQueues == nil || (t.ModelQueue == "" && t.SummaryQueue == "") {
		return nil
	}
	presets, err := a.presets(t)
	if err != nil {
		return err
	}
	used := llm.Presets{}
	for _, name := range []string{t.Config.Model, t.Config.Summarizer()} {
		if p, ok := presets[name]; ok {
			used[name] = p
		}
	}
	limits, err := used.QueueLimits(workflows.TaskQueue)
	if err != nil {
		return configError("trial %s: %v", t.RunName, err)
	}
	return a.PollQueues(limits)
}
