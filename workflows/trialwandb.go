package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// trialWandb logs a trial's finished instances to W&B one at a time, in
// completion order, through a buffered channel drained by one coroutine:
// the logging activity assigns history offsets in the order it is called,
// so calls must not overlap. Without --wandb it does nothing.
type trialWandb struct {
	t    TrialRef
	ch   workflow.Channel
	done workflow.WaitGroup
}

func startWandb(ctx workflow.Context, t TrialRef, n int) *trialWandb {
	if !t.Config.Wandb {
		return nil
	}
	w := &trialWandb{t: t, ch: workflow.NewBufferedChannel(ctx, n+1), done: workflow.NewWaitGroup(ctx)}
	actx := w.opts(ctx)
	w.done.Add(1)
	workflow.Go(ctx, func(gctx workflow.Context) {
		defer w.done.Done()
		for {
			var r InstanceRecord
			if !w.ch.Receive(gctx, &r) {
				return
			}
			if err := workflow.ExecuteActivity(actx, ActWandbLog, WandbLogInput{Trial: t, Record: r}).Get(gctx, nil); err != nil {
				workflow.GetLogger(gctx).Error("W&B logging failed", "instance", r.InstanceID, "error", err)
			}
		}
	})
	return w
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

// finish waits for the queued instances and ends the run.
func (w *trialWandb) finish(ctx workflow.Context, exitCode int) {
	if w == nil {
		return
	}
	w.ch.Close()
	w.done.Wait(ctx)
	if err := workflow.ExecuteActivity(w.opts(ctx), ActWandbFinish, WandbFinishInput{Trial: w.t, ExitCode: exitCode}).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("W&B finish failed", "trial", w.t.RunName, "error", err)
	}
}
