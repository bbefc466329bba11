package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// wandbSweepChange versions the W&B sweep: from version 1 the sweep
// creates it from its file when the first W&B trial starts and moves it to
// FINISHED or CANCELED when it ends.
const wandbSweepChange = "wandb-sweep"

// W&B sweep states (wandb.Sweep*).
const (
	wandbSweepRunning  = "RUNNING"
	wandbSweepFinished = "FINISHED"
	wandbSweepCanceled = "CANCELED"
)

// wandbCancelWait bounds how long a cancelled W&B sweep waits for its
// trials to finish their runs.
const wandbCancelWait = 10 * time.Minute

// sweepWandb is the sweep's W&B sweep, once a W&B trial started.
type sweepWandb struct {
	in WandbSweepInput
}

// wandbTrial prepares a W&B trial: the first one creates the W&B sweep
// (its ID goes to the data directory, where the trials' runs find it),
// and every one carries its parameters for its run's config.
func (r *sweepRun) wandbTrial(ctx workflow.Context, ref *TrialRef, params map[string]any) {
	if !ref.Config.Wandb {
		return
	}
	if r.wb == nil {
		if workflow.GetVersion(ctx, wandbSweepChange, workflow.DefaultVersion, 1) != 1 {
			return
		}
		r.wb = &sweepWandb{in: WandbSweepInput{Sweep: r.spec.Name, Source: r.in.Source,
			Entity: ref.Config.WandbEntity, Project: ref.Config.WandbProject, State: wandbSweepRunning}}
		r.wandbSweep(ctx, wandbSweepRunning)
	}
	ref.Params = params
}

// wandbSweepEnd moves the W&B sweep to its final state.
func (r *sweepRun) wandbSweepEnd(ctx workflow.Context, cancelled bool) {
	if r.wb == nil {
		return
	}
	state := wandbSweepFinished
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if cancelled {
		state = wandbSweepCanceled
		// The cancelled trials finish their W&B runs (their rows and the
		// completion) before the sweep closes, so a process that ends with
		// the sweep does not leave them crashed.
		if _, err := workflow.AwaitWithTimeout(dctx, wandbCancelWait, func() bool { return r.running == 0 }); err != nil {
			workflow.GetLogger(ctx).Warn("W&B sweep: waiting for the cancelled trials", "error", err)
		}
	}
	r.wandbSweep(dctx, state)
}

func (r *sweepRun) wandbSweep(ctx workflow.Context, state string) {
	in := r.wb.in
	in.State = state
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3, NonRetryableErrorTypes: []string{ErrConfig}},
	})
	if err := workflow.ExecuteActivity(actx, ActWandbSweep, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("W&B sweep", "state", state, "error", err)
	}
}
