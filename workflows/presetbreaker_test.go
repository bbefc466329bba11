package workflows_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// presetSweep runs the demo sweep (4 trials of preset replay, 2 at a time)
// with trials that report the given instance ends, one a minute, as the
// real trial does; a trial never trips its own breaker (4 < 5). It
// returns the sweep's error, how many trials started and how many were
// cancelled.
func presetSweep(t *testing.T, ends func(trial string, i int) (failure string, fresh bool)) (error, int, int) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var mu sync.Mutex
	started, cancelled := 0, 0
	env.RegisterWorkflowWithOptions(
		func(ctx workflow.Context, ref wf.TrialRef) (wf.TrialResult, error) {
			mu.Lock()
			started++
			mu.Unlock()
			parent := workflow.GetInfo(ctx).ParentWorkflowExecution.ID
			var recs []wf.InstanceRecord
			for i := range 4 {
				if err := workflow.Sleep(ctx, time.Minute); err != nil {
					mu.Lock()
					cancelled++
					mu.Unlock()
					return wf.TrialResult{}, err
				}
				failure, fresh := ends(ref.Config.Strategy, i)
				rec := wf.InstanceRecord{InstanceID: fmt.Sprintf("demo__%d", i), Error: failure}
				recs = append(recs, rec)
				p := wf.TrialProgress{TrialID: ref.TrialID, InstanceID: rec.InstanceID, Total: 4, Done: i + 1, Fresh: fresh, ConfigFailure: failure}
				if err := workflow.SignalExternalWorkflow(ctx, parent, "", wf.SignalProgress, p).Get(ctx, nil); err != nil {
					return wf.TrialResult{}, err
				}
			}
			return wf.TrialResult{Trial: ref, Records: recs}, nil
		}, workflow.RegisterOptions{Name: "TrialWorkflow"})
	env.ExecuteWorkflow(wf.SweepWorkflow, wf.SweepInput{File: "sweeps/demo.yaml", Source: demoSweep, Parallel: 2,
		Tuning: wf.Tuning{StopAfterConfigErrors: 5}})
	require.True(t, env.IsWorkflowCompleted())
	return env.GetWorkflowError(), started, cancelled
}

// Two trials of one preset side by side, each failing its instances with
// a missing key: together 5 in a row, so the sweep stops although neither
// trial alone reached 5.
func TestBreakerAcrossTrialsOfAPreset(t *testing.T) {
	err, started, cancelled := presetSweep(t, func(string, int) (string, bool) { return fmt.Sprintf(missingKey, 1, 2), true })
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "got %v", err)
	assert.Equal(t, wf.ErrCircuitBreaker, app.Type())
	assert.Contains(t, app.Message(), "5 instances in a row of model preset replay")
	assert.Contains(t, app.Message(), "OPENAI_API_KEY is not set")
	assert.Contains(t, app.Message(), "`starter resume")
	assert.Equal(t, 2, started, "no trial starts after the breaker")
	assert.Equal(t, 2, cancelled, "the running trials are cancelled")
}

// Not tripped: failures loaded from an earlier run, or a success among
// the failures.
func TestBreakerAcrossTrialsNeedsFreshFailuresInARow(t *testing.T) {
	err, started, _ := presetSweep(t, func(string, int) (string, bool) { return fmt.Sprintf(missingKey, 1, 2), false })
	assert.NoError(t, err, "records loaded from an earlier run do not count")
	assert.Equal(t, 4, started)
	// Every second instance of a trial succeeds: never 5 failures in a row.
	err, _, _ = presetSweep(t, func(_ string, i int) (string, bool) {
		if i%2 == 1 {
			return "", true
		}
		return fmt.Sprintf(missingKey, 1, 2), true
	})
	assert.NoError(t, err, "one success among them")
}
