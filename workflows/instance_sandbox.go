package workflows

// The instance's sandbox: the session that pins it to a worker, running
// actions in it, and replacing it when its worker is lost.

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// execute runs the action in the sandbox, recovering the sandbox on another
// worker when the session's worker is gone.
func (r *instanceRun) execute(ctx workflow.Context, turn, attempt int) (ExecuteResult, error) {
	for {
		var res ExecuteResult
		actx := workflow.WithActivityOptions(r.sessCtx, r.sessionActivityOpts(10*time.Minute))
		err := workflow.ExecuteActivity(actx, ActExecute, ExecuteInput{Ref: r.ref, SandboxID: r.st.SandboxID, Turn: turn, Attempt: attempt}).Get(ctx, &res)
		if err == nil {
			return res, nil
		}
		if !r.lost(ctx, err) {
			return res, err
		}
		if err := r.recover(ctx, err); err != nil {
			return res, err
		}
	}
}

func (r *instanceRun) sessionActivityOpts(startToClose time.Duration) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout:    startToClose,
		ScheduleToStartTimeout: 2 * r.tuning().heartbeat(),
		HeartbeatTimeout:       r.tuning().heartbeat(),
		// Transient infrastructure failures (a full disk, a restarting
		// Docker daemon) get about half a minute of backoff before they can
		// end the instance (whose record is then marked retryable).
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 16 * time.Second, MaximumAttempts: 6,
			NonRetryableErrorTypes: []string{ErrSandboxLost, ErrConfig, ErrInstanceDirLost},
		},
	}
}

// lost reports whether err means the sandbox or its worker is gone. When
// the instance itself is being cancelled, nothing is lost.
func (r *instanceRun) lost(ctx workflow.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == ErrSandboxLost {
		return true
	}
	var to *temporal.TimeoutError
	if errors.As(err, &to) {
		return true
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) || errors.Is(err, workflow.ErrSessionFailed) {
		return true
	}
	if r.sessCtx != nil {
		if info := workflow.GetSessionInfo(r.sessCtx); info != nil && info.SessionState == workflow.SessionStateFailed {
			return true
		}
	}
	return false
}

// attach pins the instance to a worker: the session of a previous run when
// continuing, else a new session with a new sandbox.
func (r *instanceRun) attach(ctx workflow.Context) error {
	if r.st.SandboxID != "" && len(r.st.SessionToken) > 0 {
		sctx, err := workflow.RecreateSession(ctx, r.st.SessionToken, r.sessionOpts())
		if err == nil {
			r.sessCtx = sctx
			r.st.SessionToken = workflow.GetSessionInfo(sctx).GetRecreateToken()
			return nil
		}
	}
	return r.newSandbox(ctx)
}

func (r *instanceRun) newSandbox(ctx workflow.Context) error {
	sctx, err := workflow.CreateSession(ctx, r.sessionOpts())
	if err != nil {
		return err
	}
	r.sessCtx = sctx
	r.st.SessionToken = workflow.GetSessionInfo(sctx).GetRecreateToken()
	var setup SetupResult
	actx := workflow.WithActivityOptions(sctx, r.sessionActivityOpts(30*time.Minute))
	if err := workflow.ExecuteActivity(actx, ActSetup, SetupInput{Ref: r.ref}).Get(ctx, &setup); err != nil {
		return err
	}
	r.st.SandboxID = setup.SandboxID
	if r.st.Turn == 0 {
		return nil
	}
	r.phase = fmt.Sprintf("restoring %d turns", r.st.Turn)
	return workflow.ExecuteActivity(actx, ActRestore, RestoreInput{Ref: r.ref, SandboxID: setup.SandboxID, Turns: r.st.Turn}).Get(ctx, nil)
}

// recover replaces a lost sandbox: a new session on a live worker, a new
// sandbox, and the recorded actions replayed into it.
func (r *instanceRun) recover(ctx workflow.Context, cause error) error {
	for {
		r.st.Recoveries++
		if r.st.Recoveries > maxRecoveries {
			return fmt.Errorf("sandbox lost %d times, giving up: %w", r.st.Recoveries-1, cause)
		}
		workflow.GetLogger(ctx).Warn("sandbox lost; recreating", "instance", r.ref.InstanceID, "turn", r.st.Turn, "cause", cause)
		if r.sessCtx != nil {
			workflow.CompleteSession(r.sessCtx)
		}
		err := r.newSandbox(ctx)
		if err == nil {
			return nil
		}
		if !r.lost(ctx, err) {
			return err
		}
		cause = err
	}
}

// cancelled removes the sandbox of a cancelled instance (on its worker,
// through a session recreated on a disconnected context) and reports the
// cancellation.
func (r *instanceRun) cancelled(ctx workflow.Context) (InstanceRecord, error) {
	r.phase = "cancelled"
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if r.st.SandboxID != "" && len(r.st.SessionToken) > 0 {
		opts := r.sessionOpts()
		opts.CreationTimeout = r.tuning().heartbeat()
		if sctx, err := workflow.RecreateSession(dctx, r.st.SessionToken, opts); err == nil {
			actx := workflow.WithActivityOptions(sctx, r.sessionActivityOpts(time.Minute))
			_ = workflow.ExecuteActivity(actx, ActTeardown, TeardownInput{SandboxID: r.st.SandboxID}).Get(dctx, nil)
			workflow.CompleteSession(sctx)
		}
	}
	return InstanceRecord{}, temporal.NewCanceledError(r.st.Turn)
}
