package workflows_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/agent"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// A provider that keeps answering 429 past the give-up time ends the
// instance with exit_api (not exit_error), and the turns done before
// still count.
func TestInstanceProviderOutageEndsWithExitAPI(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
		if in.Turn >= 3 {
			return wf.ModelCallResult{}, temporal.NewApplicationError("429 from the provider", "RateLimited")
		}
		return wf.ModelCallResult{Valid: true, Usage: testUsage, Cost: 0.25}, nil
	}
	in := instanceIn("raw", agent.DefaultLimits())
	in.Ref.Trial.Tuning.APIGiveUp = 10 * time.Minute
	rec := runInstance(t, env, in)
	assert.Equal(t, agent.ExitAPI, rec.ExitStatus)
	assert.Equal(t, 2, rec.APICalls, "failed calls are not counted as calls")
	assert.Greater(t, len(f.models), 4, "the call was retried before giving up")
	assert.Equal(t, 1, f.teardowns)
}

// A bad request (not the provider's availability) is still an error.
func TestInstanceBadRequestIsNotExitAPI(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
		return wf.ModelCallResult{}, temporal.NewNonRetryableApplicationError("unknown model", "BadRequest", nil)
	}
	rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
	assert.Equal(t, agent.ExitError, rec.ExitStatus)
}

// Model and summary calls of a rate-limited preset go to its task queue.
func TestInstanceModelCallsUseTheProviderQueue(t *testing.T) {
	env, f := newInstanceEnv(t)
	var queues []string
	env.RegisterActivityWithOptions(func(ctx context.Context, in wf.ModelCallInput) (wf.ModelCallResult, error) {
		queues = append(queues, activity.GetInfo(ctx).TaskQueue)
		f.models = append(f.models, in)
		return wf.ModelCallResult{Valid: true, Usage: testUsage, Cost: 0.1}, nil
	}, activity.RegisterOptions{Name: wf.ActModelCall})
	f.execute = submitOn(2)
	in := instanceIn("raw", agent.DefaultLimits())
	in.Ref.Trial.ModelQueue = "ctxsweep-llm-openrouter-free"
	rec := runInstance(t, env, in)
	require.Equal(t, agent.ExitSubmitted, rec.ExitStatus)
	require.Len(t, queues, 2)
	for _, q := range queues {
		assert.Equal(t, "ctxsweep-llm-openrouter-free", q)
	}
}

// Credentials that cannot be used for a while (an expired session token, a
// credentials endpoint down) make the instance wait, with its phase saying
// so, and ask again: no failed turn, no exit_error.
func TestInstanceWaitsForCredentials(t *testing.T) {
	env, f := newInstanceEnv(t)
	failures := 0
	f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
		if in.Turn == 2 && failures < 5 {
			failures++
			return wf.ModelCallResult{}, temporal.NewNonRetryableApplicationError("ExpiredTokenException", wf.ErrCredentials, nil)
		}
		return wf.ModelCallResult{Valid: true, Usage: testUsage, Cost: 0.25}, nil
	}
	f.execute = submitOn(3)
	var phases []string
	for _, at := range []time.Duration{500 * time.Millisecond, 4 * time.Second} {
		env.RegisterDelayedCallback(func() {
			v, err := env.QueryWorkflow("status")
			require.NoError(t, err)
			var st wf.InstanceStatus
			require.NoError(t, v.Get(&st))
			phases = append(phases, st.Phase)
		}, at)
	}
	in := instanceIn("raw", agent.DefaultLimits())
	in.Ref.Trial.Tuning.CredentialWait = time.Hour
	rec := runInstance(t, env, in)
	assert.Equal(t, agent.ExitSubmitted, rec.ExitStatus)
	assert.Equal(t, 3, rec.APICalls)
	assert.Equal(t, 5, failures)
	require.Len(t, phases, 2)
	assert.Contains(t, phases[0]+phases[1], "waiting for credentials")
}

// Credentials that never come back end the instance with exit_api once the
// credential wait is over.
func TestInstanceCredentialWaitEndsWithExitAPI(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
		if in.Turn >= 2 {
			return wf.ModelCallResult{}, temporal.NewNonRetryableApplicationError("credentials endpoint down", wf.ErrCredentials, nil)
		}
		return wf.ModelCallResult{Valid: true, Usage: testUsage, Cost: 0.25}, nil
	}
	in := instanceIn("raw", agent.DefaultLimits())
	in.Ref.Trial.Tuning.CredentialWait = 10 * time.Minute
	rec := runInstance(t, env, in)
	assert.Equal(t, agent.ExitAPI, rec.ExitStatus)
	assert.Equal(t, 1, rec.APICalls)
	assert.Greater(t, len(f.models), 10, "asked again while waiting")
	assert.Less(t, len(f.models), 60, "with growing delays")
}
