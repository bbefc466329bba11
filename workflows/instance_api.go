package workflows

import (
	"errors"
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
	return workflow.WithActivityOptions(ctx, opts)
}

// providerGaveUp says whether a model call failed because the provider
// kept failing (rate limits, outages, bad responses) until the give-up
// time, as opposed to a bad request, a failure of ours or no worker.
func providerGaveUp(err error) bool {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch app.Type() {
		case "RateLimited", "ProviderUnavailable", "BadResponse":
			return true
		}
	}
	return false
}
