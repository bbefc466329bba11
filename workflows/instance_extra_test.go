package workflows_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/agent"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// The next run after continue-as-new re-attaches to the same worker's
// sandbox: no new Setup, no Restore, turns and counters carry over.
func TestInstanceResumesAfterContinueAsNew(t *testing.T) {
	env, _ := newInstanceEnv(t)
	in := instanceIn("raw", agent.DefaultLimits())
	in.Ref.Trial.Tuning.ContinueAsNewEvery = 2
	env.ExecuteWorkflow(wf.InstanceWorkflow, in)
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(env.GetWorkflowError(), &can))
	var next wf.InstanceInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotEmpty(t, next.State.SessionToken)

	env2, f := newInstanceEnv(t)
	f.execute = submitOn(3)
	rec := runInstance(t, env2, next)
	assert.Equal(t, agent.ExitSubmitted, rec.ExitStatus)
	assert.Equal(t, 3, rec.Turns)
	assert.Equal(t, 3, rec.APICalls, "calls of the first run are carried over")
	assert.InDelta(t, 0.75, rec.Cost, 1e-9)
	assert.Zero(t, f.setups)
	assert.Empty(t, f.restores)
	require.Len(t, f.models, 1)
	assert.Equal(t, 3, f.models[0].Turn)
	require.Len(t, f.executes, 1)
	assert.Equal(t, "sb-1", f.executes[0].SandboxID)
	assert.Equal(t, 1, f.teardowns)
}

func TestInstanceConsecutiveTimeouts(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.execute = func(in wf.ExecuteInput) (wf.ExecuteResult, error) {
		return wf.ExecuteResult{TimedOut: in.Turn != 2, ExecSeconds: 30}, nil
	}
	rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
	assert.Equal(t, agent.ExitCommandTimeout, rec.ExitStatus, "3 in a row after the reset at turn 2")
	assert.Equal(t, 5, rec.Turns)
	assert.InDelta(t, 150, rec.ExecSeconds, 1e-9)
	assert.Equal(t, 1, f.autosubs)
}

func TestInstanceSetupConfigError(t *testing.T) {
	env, f := newInstanceEnv(t)
	env.RegisterActivityWithOptions(func(context.Context, wf.SetupInput) (wf.SetupResult, error) {
		f.setups++
		return wf.SetupResult{}, temporal.NewNonRetryableApplicationError("no image", wf.ErrConfig, nil)
	}, activity.RegisterOptions{Name: wf.ActSetup})
	rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
	assert.Equal(t, agent.ExitEnvironmentError, rec.ExitStatus)
	assert.Contains(t, rec.Error, "no image")
	assert.Equal(t, 1, f.setups, "a config error is not retried")
	assert.Zero(t, rec.Recoveries)
	assert.Empty(t, f.models)
	assert.Zero(t, f.autosubs, "no sandbox, nothing to autosubmit")
	require.Len(t, f.finalized, 1, "the failure is still recorded")
	assert.False(t, rec.Retryable, "a configuration error does not heal by running again")
}

// A full disk during sandbox setup (issue 21, defect 4) is retried with
// backoff before it becomes a result, and the record it ends with is
// marked retryable (for `starter retry`) instead of being final.
func TestInstanceSetupTransientErrors(t *testing.T) {
	env, f := newInstanceEnv(t)
	env.RegisterActivityWithOptions(func(context.Context, wf.SetupInput) (wf.SetupResult, error) {
		f.setups++
		return wf.SetupResult{}, errors.New("mkdir /sandboxes/x: no space left on device")
	}, activity.RegisterOptions{Name: wf.ActSetup})
	rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
	assert.Equal(t, 6, f.setups, "retried with backoff before it becomes a result")
	assert.Equal(t, agent.ExitEnvironmentError, rec.ExitStatus)
	assert.Contains(t, rec.Error, "no space left on device")
	assert.True(t, rec.Retryable, "marked for `starter retry`")
}

// Cancelling an instance (its trial or sweep was cancelled) while a command
// runs must not be mistaken for a lost sandbox, and the sandbox must still
// be removed.
func TestInstanceCancelTearsDownSandbox(t *testing.T) {
	logs := &warnCounter{}
	s := &testsuite.WorkflowTestSuite{}
	s.SetLogger(logs)
	env, f := newInstanceEnvWith(s)
	env.SetTestTimeout(30 * time.Second)
	env.RegisterActivityWithOptions(func(ctx context.Context, in wf.ExecuteInput) (wf.ExecuteResult, error) {
		f.executes = append(f.executes, in)
		if in.Turn < 2 {
			return wf.ExecuteResult{}, nil
		}
		env.CancelWorkflow()
		for {
			select {
			case <-ctx.Done():
				return wf.ExecuteResult{}, ctx.Err()
			case <-time.After(10 * time.Millisecond):
				activity.RecordHeartbeat(ctx)
			}
		}
	}, activity.RegisterOptions{Name: wf.ActExecute})
	env.ExecuteWorkflow(wf.InstanceWorkflow, instanceIn("raw", agent.DefaultLimits()))
	require.True(t, env.IsWorkflowCompleted())
	assert.True(t, temporal.IsCanceledError(env.GetWorkflowError()), "got %v", env.GetWorkflowError())
	assert.Zero(t, logs.lost, "a cancellation is not a lost sandbox")
	assert.Equal(t, 1, f.setups)
	assert.Equal(t, 1, f.teardowns, "the sandbox is removed on cancellation")
}

// warnCounter is a quiet logger that counts "sandbox lost" warnings.
type warnCounter struct{ lost int }

func (w *warnCounter) Debug(string, ...any) {}
func (w *warnCounter) Info(string, ...any)  {}
func (w *warnCounter) Error(string, ...any) {}
func (w *warnCounter) Warn(msg string, _ ...any) {
	if strings.HasPrefix(msg, "sandbox lost") {
		w.lost++
	}
}

var _ log.Logger = (*warnCounter)(nil)
