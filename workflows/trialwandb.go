package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// wandbOwnerChange versions the trial's W&B logging: from version 1 a
// WandbRun activity owns the run for the whole trial (heartbeats between
// instances, coalesced requests, the UI's Stop), the logging activities
// only write the offline log, and every way a trial ends finishes the run.
const wandbOwnerChange = "wandb-run-owner"

// TrialStoppedFromWandb is the trial_state of a run stopped from the W&B UI.
const TrialStoppedFromWandb = "stopped from W&B"

// trialWandb logs a trial's finished instances to W&B one at a time, in
// completion order, through a buffered channel drained by one coroutine:
// the logging activity assigns history offsets in the order it is called,
// so calls must not overlap. Without --wandb it does nothing.
type trialWandb struct {
	t     TrialRef
	ch    workflow.Channel
	done  workflow.WaitGroup
	owned bool            // version 1: the owner activity streams the run
	owner workflow.Future // the WandbRun activity
	start time.Time
	// stopped: the W&B UI asked the run to stop.
	stopped, finished bool
}

// startWandb starts the trial's W&B logging; onStop is called when the
// W&B UI stops the run.
func startWandb(ctx workflow.Context, t TrialRef, n int, onStop func()) *trialWandb {
	if !t.Config.Wandb {
		return nil
	}
	w := &trialWandb{t: t, ch: workflow.NewBufferedChannel(ctx, n+1), done: workflow.NewWaitGroup(ctx)}
	lctx := ctx
	if w.owned = workflow.GetVersion(ctx, wandbOwnerChange, workflow.DefaultVersion, 1) == 1; w.owned {
		// Rows already queued are logged even when the trial is cancelled.
		lctx, _ = workflow.NewDisconnectedContext(ctx)
		w.start = workflow.Now(ctx)
		w.owner = w.runOwner(lctx)
		workflow.Go(ctx, func(gctx workflow.Context) {
			var res WandbRunResult
			if err := w.owner.Get(gctx, &res); err == nil && res.Stopped && !w.finished {
				w.stopped = true
				onStop()
			}
		})
	}
	actx := w.opts(lctx)
	w.done.Add(1)
	workflow.Go(lctx, func(gctx workflow.Context) {
		defer w.done.Done()
		for {
			var r InstanceRecord
			if !w.ch.Receive(gctx, &r) {
				return
			}
			in := WandbLogInput{Trial: t, Record: r, Owned: w.owned}
			if err := workflow.ExecuteActivity(actx, ActWandbLog, in).Get(gctx, nil); err != nil {
				workflow.GetLogger(gctx).Error("W&B logging failed", "instance", r.InstanceID, "error", err)
			}
		}
	})
	return w
}

func (w *trialWandb) runOwner(ctx workflow.Context) workflow.Future {
	octx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 90 * 24 * time.Hour, HeartbeatTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 20, NonRetryableErrorTypes: []string{ErrConfig}},
	})
	return workflow.ExecuteActivity(octx, ActWandbRun, WandbRunInput{Trial: w.t, StartTime: w.start})
}

func (w *trialWandb) opts(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute, HeartbeatTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 10, NonRetryableErrorTypes: []string{ErrConfig}},
	})
}

// log queues a finished instance (records already logged are skipped by
// the activity).
func (w *trialWandb) log(r InstanceRecord) {
	if w != nil {
		w.ch.SendAsync(r)
	}
}

// end finishes the run on a path where only the owned version does
// (stopped, cancelled, failed): nothing for histories from before it.
func (w *trialWandb) end(ctx workflow.Context, exitCode int, state string) {
	if w != nil && w.owned {
		w.finish(ctx, exitCode, state)
	}
}

// finish waits for the queued instances, records the end of the run and,
// with an owner, waits until the owner has sent its completion. It runs
// in a disconnected context, so a cancelled trial finishes its run too.
func (w *trialWandb) finish(ctx workflow.Context, exitCode int, state string) {
	if w == nil || w.finished {
		return
	}
	w.finished = true
	if w.owned {
		ctx, _ = workflow.NewDisconnectedContext(ctx)
	}
	w.ch.Close()
	w.done.Wait(ctx)
	in := WandbFinishInput{Trial: w.t, ExitCode: exitCode}
	if w.owned {
		in.State, in.Owned = state, true
	}
	if err := workflow.ExecuteActivity(w.opts(ctx), ActWandbFinish, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("W&B finish failed", "trial", w.t.RunName, "error", err)
	}
	if !w.owned {
		return
	}
	owner := w.owner
	if owner.IsReady() {
		// The owner returned early (stopped from the UI): a new one sends
		// the end of the run.
		owner = w.runOwner(ctx)
	}
	if err := owner.Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("W&B run owner failed; the run stays in the offline log", "trial", w.t.RunName, "error", err)
	}
}
