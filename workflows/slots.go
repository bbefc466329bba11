package workflows

import (
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// globalSlots is the version of the instance workflow from which a call on
// a queue with max_concurrent holds a slot of the queue's limiter.
const globalSlots = "global-max-concurrent"

// slotResend is how long a requester waits for its grant before it sends
// its request again (a limiter that was terminated loses its queue; the
// next request starts a new one).
const slotResend = 2 * time.Minute

// useGlobalSlots decides once per run whether calls take limiter slots:
// only when a queue of the trial has max_concurrent, and not in a run
// recorded before the limiter existed.
func (r *instanceRun) useGlobalSlots(ctx workflow.Context) bool {
	t := r.ref.Trial
	if (t.ModelQueue == "" || t.ModelSlots <= 0) && (t.SummaryQueue == "" || t.SummarySlots <= 0) {
		return false
	}
	return workflow.GetVersion(ctx, globalSlots, workflow.DefaultVersion, 1) == 1
}

// slotted says whether calls on queue take a slot of its limiter.
func (r *instanceRun) slotted(queue string, max int) bool {
	return r.globalSlots && queue != "" && max > 0
}

// withSlot runs call holding one of the max slots of queue's limiter
// (none needed when max is 0 or the run predates the limiter). The slot is
// given back when call returns, also when the instance is cancelled.
func (r *instanceRun) withSlot(ctx workflow.Context, queue string, max int, call func() error) error {
	if !r.slotted(queue, max) {
		return call()
	}
	release, err := r.acquireSlot(ctx, queue, max)
	if err != nil {
		return err
	}
	defer release()
	r.inSlot = true
	defer func() { r.inSlot = false }()
	return call()
}

// acquireSlot asks the limiter of queue for a slot and waits for it, with
// the instance's phase saying so. It returns the slot's release.
func (r *instanceRun) acquireSlot(ctx workflow.Context, queue string, max int) (func(), error) {
	info := workflow.GetInfo(ctx)
	r.slotSeq++
	req := SlotRequest{
		Queue: queue, Max: max, WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID,
		Token: fmt.Sprintf("%s/%d", info.WorkflowExecution.RunID, r.slotSeq),
		Lease: r.tuning().apiGiveUp() + 15*time.Minute,
	}
	release := func(g SlotGrant) {
		// Waited for: the server drops a signal whose sender has closed.
		// A limiter that has ended (the error) has nothing to free.
		dctx, _ := workflow.NewDisconnectedContext(ctx)
		_ = workflow.SignalExternalWorkflow(dctx, LimiterID(g.Queue), "", SignalSlotRelease, g.Token).Get(dctx, nil)
	}
	mine := SlotGrant{Queue: queue, Token: req.Token}
	prev := r.phase
	r.phase = fmt.Sprintf("waiting for a %s slot (max_concurrent %d across all workers)", strings.TrimPrefix(queue, TaskQueue+"-llm-"), max)
	defer func() { r.phase = prev }()
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	grants := workflow.GetSignalChannel(ctx, SignalSlotGrant)
	for {
		if err := workflow.ExecuteActivity(actx, ActRequestSlot, req).Get(ctx, nil); err != nil {
			if ctx.Err() != nil {
				release(mine)
			}
			return nil, err
		}
		tctx, stop := workflow.WithCancel(ctx)
		timer := workflow.NewTimer(tctx, slotResend)
		got, fired := false, false
		for !got && !fired {
			sel := workflow.NewSelector(ctx)
			sel.AddReceive(grants, func(c workflow.ReceiveChannel, _ bool) {
				var g SlotGrant
				c.Receive(ctx, &g)
				if g == mine {
					got = true
				} else {
					// A grant of an earlier call, sent again after that
					// call gave it back: free it.
					release(g)
				}
			})
			sel.AddFuture(timer, func(workflow.Future) { fired = true })
			sel.Select(ctx)
		}
		stop()
		if got {
			return func() { release(mine) }, nil
		}
		if ctx.Err() != nil {
			release(mine)
			return nil, ctx.Err()
		}
	}
}
