package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// wandbCalls records a W&B trial's logging activities, in order.
type wandbCalls struct {
	mu       sync.Mutex
	order    []string // "run", "log:<id>", "finish:<state>"
	finishes []wf.WandbFinishInput
	owned    bool
}

func (c *wandbCalls) add(s string) { c.mu.Lock(); c.order = append(c.order, s); c.mu.Unlock() }

// newWandbTrialEnv is a W&B trial of a (10 min), b (stored), c (1 min);
// failWrite makes WriteTrial fail.
func newWandbTrialEnv(t *testing.T, failWrite bool) (*testsuite.TestWorkflowEnvironment, *wandbCalls, wf.TrialRef) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	calls := &wandbCalls{owned: true}
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(context.Context, wf.TrialRef) (wf.SelectInstancesResult, error) {
		return wf.SelectInstancesResult{IDs: []string{"a", "b", "c"}}, nil
	}, wf.ActSelectInstances)
	reg(func(context.Context, wf.LoadRecordsInput) ([]wf.InstanceRecord, error) {
		return []wf.InstanceRecord{{InstanceID: "b"}}, nil
	}, wf.ActLoadRecords)
	reg(func(context.Context, wf.WriteTrialInput) error {
		if failWrite {
			return temporal.NewNonRetryableApplicationError("disk full", "test", errors.New("disk full"))
		}
		return nil
	}, wf.ActWriteTrial)
	// The owner returns at once here (the test clock only skips ahead
	// while no activity runs); the real one streams until the end.
	reg(func(context.Context, wf.WandbRunInput) (wf.WandbRunResult, error) {
		calls.add("run")
		return wf.WandbRunResult{}, nil
	}, wf.ActWandbRun)
	reg(func(_ context.Context, in wf.WandbLogInput) error {
		calls.mu.Lock()
		calls.owned = calls.owned && in.Owned
		calls.mu.Unlock()
		calls.add("log:" + in.Record.InstanceID)
		return nil
	}, wf.ActWandbLog)
	reg(func(_ context.Context, in wf.WandbFinishInput) error {
		calls.mu.Lock()
		calls.finishes = append(calls.finishes, in)
		calls.mu.Unlock()
		calls.add("finish:" + in.State)
		return nil
	}, wf.ActWandbFinish)
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context, in wf.InstanceInput) (wf.InstanceRecord, error) {
		d := time.Minute
		if in.Ref.InstanceID == "a" {
			d = 10 * time.Minute
		}
		if err := workflow.Sleep(ctx, d); err != nil {
			return wf.InstanceRecord{}, err
		}
		return wf.InstanceRecord{InstanceID: in.Ref.InstanceID}, nil
	}, workflow.RegisterOptions{Name: "InstanceWorkflow"})
	ref := testTrialRef(2)
	ref.Config.Wandb = true
	return env, calls, ref
}

// A cancelled trial (what hyperband does to a trial it stops) finishes its
// W&B run after logging the instances that finished: trial_state
// "stopped", exit code 0, and the end is pushed by an owner.
func TestCancelledTrialFinishesItsWandbRun(t *testing.T) {
	env, calls, ref := newWandbTrialEnv(t, false)
	env.RegisterDelayedCallback(env.CancelWorkflow, 5*time.Minute)
	env.ExecuteWorkflow(wf.TrialWorkflow, ref)
	require.True(t, env.IsWorkflowCompleted())
	assert.True(t, temporal.IsCanceledError(env.GetWorkflowError()), "got %v", env.GetWorkflowError())
	assert.True(t, calls.owned, "logging activities push themselves")
	// The owner starts with the trial (concurrently with the first log).
	order := calls.order
	if len(order) > 1 && order[1] == "run" {
		order[0], order[1] = order[1], order[0]
	}
	assert.Equal(t, []string{"run", "log:b", "log:c", "finish:stopped", "run"}, order)
	require.Len(t, calls.finishes, 1)
	assert.Equal(t, 0, calls.finishes[0].ExitCode)
	assert.True(t, calls.finishes[0].Owned)
}

// A completed trial ends "completed"; one whose records cannot be written
// still ends its run, failed.
func TestTrialEndsItsWandbRunOnEveryPath(t *testing.T) {
	env, calls, ref := newWandbTrialEnv(t, false)
	env.ExecuteWorkflow(wf.TrialWorkflow, ref)
	require.NoError(t, env.GetWorkflowError())
	require.Len(t, calls.finishes, 1)
	assert.Equal(t, wf.TrialCompleted, calls.finishes[0].State)
	assert.Equal(t, 0, calls.finishes[0].ExitCode)

	env, calls, ref = newWandbTrialEnv(t, true)
	env.ExecuteWorkflow(wf.TrialWorkflow, ref)
	require.Error(t, env.GetWorkflowError())
	require.Len(t, calls.finishes, 1)
	assert.Equal(t, wf.TrialFailed, calls.finishes[0].State)
	assert.Equal(t, 1, calls.finishes[0].ExitCode)
}

// The W&B UI's Stop (the owner returns Stopped) stops the trial's
// instances; the trial then ends normally with what it has, and a new
// owner sends the end of the run.
func TestWandbStopFromTheUIStopsTheTrial(t *testing.T) {
	env, calls, ref := newWandbTrialEnv(t, false)
	var n int
	env.RegisterActivityWithOptions(func(context.Context, wf.WandbRunInput) (wf.WandbRunResult, error) {
		calls.add("run")
		n++
		return wf.WandbRunResult{Stopped: n == 1}, nil
	}, activity.RegisterOptions{Name: wf.ActWandbRun})
	env.ExecuteWorkflow(wf.TrialWorkflow, ref)
	require.NoError(t, env.GetWorkflowError())
	var res wf.TrialResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, []string{"b"}, recordIDs(res.Records), "a and c were stopped")
	assert.Equal(t, "", res.Stopped, "not a budget stop")
	require.Len(t, calls.finishes, 1)
	assert.Equal(t, wf.TrialStoppedFromWandb, calls.finishes[0].State)
	assert.Equal(t, 2, n)
}
