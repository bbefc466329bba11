package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// apiCtx is the context of model and summary calls: on queue (a
// rate-limited provider's task queue) when set, retried with backoff on
// provider errors until Tuning.APIGiveUp has passed.
func (r *instanceRun) apiCtx(ctx workflow.Context, queue string, attempts int32) workflow.Context {
	ctx = r.mainCtx(ctx, 15*time.Minute, attempts)
	opts := workflow.GetActivityOptions(ctx)
	opts.ScheduleToCloseTimeout = r.tuning().apiGiveUp()
	if queue != "" {
		opts.TaskQueue = queue
	}
	// A call holding a limiter slot keeps it until the call has really
	// ended, also when the instance is cancelled.
	opts.WaitForCancellation = r.inSlot
	return workflow.WithActivityOptions(ctx, opts)
}

// localModelCalls is the version of the instance workflow from which a
// model call on the main queue runs as a local activity (see modelCall).
const localModelCalls = "local-model-calls"

// useLocalModelCalls decides once per workflow run whether model calls run
// as local activities: not on a rate-limited provider's queue (the limit
// is a task-queue property), not when Tuning.RemoteModelCalls asks for
// activities, and not in a run recorded before the change.
func (r *instanceRun) useLocalModelCalls(ctx workflow.Context) bool {
	if r.ref.Trial.ModelQueue != "" || r.tuning().RemoteModelCalls {
		return false
	}
	return workflow.GetVersion(ctx, localModelCalls, workflow.DefaultVersion, 1) == 1
}

// modelCall runs the ModelCall activity for one attempt of a turn. As a
// local activity it runs on the worker that runs this workflow task, and
// its result is recorded with the task that schedules the command: one
// workflow task and no activity dispatch less per turn. A worker killed
// before that task is recorded makes the call run again, and the activity
// then answers from the reply it stored (no second payment) unless it was
// killed during the provider call itself, as with a regular activity.
func (r *instanceRun) modelCall(ctx workflow.Context, in ModelCallInput) workflow.Future {
	if !r.localCalls {
		return workflow.ExecuteActivity(r.apiCtx(ctx, r.ref.Trial.ModelQueue, 0), ActModelCall, in)
	}
	opts := workflow.GetActivityOptions(r.apiCtx(ctx, "", 0))
	lctx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: opts.ScheduleToCloseTimeout, StartToCloseTimeout: opts.StartToCloseTimeout,
		RetryPolicy: opts.RetryPolicy,
	})
	return workflow.ExecuteLocalActivity(lctx, ActModelCall, in)
}

// providerGaveUp says whether a model call failed because the provider
// kept failing (rate limits, outages, bad responses) until the give-up
// time, as opposed to a bad request, a failure of ours or no worker.
func providerGaveUp(err error) bool {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch app.Type() {
		case "RateLimited", "ProviderUnavailable", "BadResponse", ErrCredentials:
			return true
		}
	}
	return false
}

// ErrCredentials is the application error type of a model or summary call
// whose credentials could not be used for now but may heal (an expired
// session token, a credentials endpoint down; llm.KindCredentials). The
// activity does not retry it: the instance waits (phase "waiting for
// credentials") and asks again, until Tuning.CredentialWait has passed.
const ErrCredentials = "CredentialsUnavailable"

// credWait tracks one wait for credentials.
type credWait struct {
	since time.Time
	delay time.Duration
}

// waitForCredentials says whether err is a credentials failure worth
// waiting for; if so it sleeps (growing delays, at most a minute) with the
// instance's phase saying so, and reports false once the credential wait
// is over (the caller gives up) or when err is something else.
func (r *instanceRun) waitForCredentials(ctx workflow.Context, err error, w *credWait) bool {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != ErrCredentials {
		return false
	}
	now := workflow.Now(ctx)
	if w.since.IsZero() {
		w.since = now
	}
	limit := r.tuning().credentialWait()
	if now.Sub(w.since) >= limit {
		return false
	}
	ceiling := min(time.Minute, max(time.Second, limit/20))
	w.delay = min(max(w.delay*2, time.Second), ceiling)
	prev := r.phase
	r.phase = fmt.Sprintf("waiting for credentials since %s (gives up after %s): %s",
		w.since.UTC().Format(time.TimeOnly), limit, app.Message())
	workflow.GetLogger(ctx).Warn("waiting for credentials", "instance", r.ref.InstanceID, "error", app.Message())
	_ = workflow.Sleep(ctx, w.delay)
	r.phase = prev
	return ctx.Err() == nil
}
