package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/agent"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

const (
	missingKey = "activity error (type: ModelCall, scheduledEventID: %d, startedEventID: %d, identity: w1): model gpt-4o-mini: OPENAI_API_KEY is not set (put it in the worker's environment or .env file) (type: ConfigError, retryable: false)"
	revokedKey = "activity error (type: ModelCall, scheduledEventID: %d, startedEventID: %d, identity: w1): model gpt-4o-mini, turn %d: openai gpt-4o-mini: AuthFailed (HTTP 401 invalid_api_key): Incorrect API key provided (type: AuthFailed, retryable: false)"
)

// failedRec is a failed record with the error format (its event ids and
// turn vary with n, as they do between instances).
func failedRec(id, format string, n int) wf.InstanceRecord {
	args := []any{n, n + 1, n%7 + 1}
	if format == missingKey {
		args = args[:2]
	}
	return wf.InstanceRecord{InstanceID: id, ExitStatus: agent.ExitError, Error: fmt.Sprintf(format, args...)}
}

func okRec(id string) wf.InstanceRecord {
	return wf.InstanceRecord{InstanceID: id, ExitStatus: agent.ExitSubmitted, Submitted: true}
}

func TestBreakerDecision(t *testing.T) {
	fails := func(format string, from, n int) []wf.InstanceRecord {
		var out []wf.InstanceRecord
		for i := from; i < from+n; i++ {
			out = append(out, failedRec(fmt.Sprintf("demo__%d", i), format, i))
		}
		return out
	}
	cases := []struct {
		name     string
		recs     []wf.InstanceRecord
		n, total int
		trips    bool
		first    bool
	}{
		{"first N missing key", fails(missingKey, 0, 5), 5, 100, true, true},
		{"fewer than N so far", fails(missingKey, 0, 4), 5, 100, false, false},
		{"trial smaller than N", fails(missingKey, 0, 2), 5, 2, true, true},
		{"off", fails(missingKey, 0, 9), 0, 100, false, false},
		{"key revoked mid-run", append([]wf.InstanceRecord{okRec("a"), okRec("b")}, fails(revokedKey, 2, 3)...), 3, 100, true, false},
		{"one success among them", append(append(fails(revokedKey, 0, 2), okRec("a")), fails(revokedKey, 3, 2)...), 3, 100, false, false},
		{"two different errors", append(fails(revokedKey, 0, 2), fails(missingKey, 2, 1)...), 3, 100, false, false},
		{"an outage is not a configuration error", []wf.InstanceRecord{
			{InstanceID: "a", ExitStatus: agent.ExitAPI, Error: "HTTP 503 (type: ProviderUnavailable, retryable: true)"},
			{InstanceID: "b", ExitStatus: agent.ExitAPI, Error: "HTTP 503 (type: ProviderUnavailable, retryable: true)"},
		}, 2, 100, false, false},
	}
	for _, c := range cases {
		trip, ok := wf.Breaker(c.recs, c.n, c.total)
		if assert.Equal(t, c.trips, ok, c.name) && ok {
			assert.Equal(t, c.first, trip.First, c.name)
			assert.Equal(t, min(c.n, c.total), trip.Count, c.name)
		}
	}
	assert.Contains(t, wf.BreakerHint(fmt.Sprintf(missingKey, 1, 2), "gpt-4o-mini", "s1"), "`starter resume s1`")
	assert.Contains(t, wf.BreakerHint(fmt.Sprintf(revokedKey, 1, 2, 3), "gpt-4o-mini", "s1"), "preset gpt-4o-mini")
}

// breakerTrialEnv runs a trial of ids, one at a time; the instance
// workflow succeeds for the first ok instances and then fails with a
// revoked key. It returns the instance IDs that ran.
func breakerTrialEnv(t *testing.T, ids []string, ok int) (*testsuite.TestWorkflowEnvironment, *[]string, *[]wf.WriteTrialInput, *int) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var mu sync.Mutex
	var ran []string
	var written []wf.WriteTrialInput
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, _ wf.TrialRef) (wf.SelectInstancesResult, error) {
		return wf.SelectInstancesResult{IDs: ids}, nil
	}, wf.ActSelectInstances)
	reg(func(_ context.Context, _ wf.LoadRecordsInput) ([]wf.InstanceRecord, error) { return nil, nil }, wf.ActLoadRecords)
	reg(func(_ context.Context, in wf.WriteTrialInput) error {
		mu.Lock()
		defer mu.Unlock()
		written = append(written, in)
		return nil
	}, wf.ActWriteTrial)
	cancelled := 0
	env.RegisterWorkflowWithOptions(
		func(ctx workflow.Context, in wf.InstanceInput) (wf.InstanceRecord, error) {
			mu.Lock()
			ran = append(ran, in.Ref.InstanceID)
			n := len(ran)
			mu.Unlock()
			if err := workflow.Sleep(ctx, time.Duration(n)*time.Minute); err != nil {
				mu.Lock()
				cancelled++
				mu.Unlock()
				return wf.InstanceRecord{}, err
			}
			if n <= ok {
				return okRec(in.Ref.InstanceID), nil
			}
			return failedRec(in.Ref.InstanceID, revokedKey, n), nil
		}, workflow.RegisterOptions{Name: "InstanceWorkflow"})
	return env, &ran, &written, &cancelled
}

// A key revoked after two instances succeeded: the trial stops after 3
// failures in a row instead of failing all 20, keeps the 5 records and
// reports the breaker's message (preset, error, what to do).
func TestTrialBreakerStopsOnRevokedKey(t *testing.T) {
	var ids []string
	for i := 0; i < 20; i++ {
		ids = append(ids, fmt.Sprintf("demo__%02d", i))
	}
	env, ran, written, _ := breakerTrialEnv(t, ids, 2)
	ref := testTrialRef(1)
	ref.Tuning.StopAfterConfigErrors = 3
	env.ExecuteWorkflow(wf.TrialWorkflow, ref)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res wf.TrialResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Len(t, *ran, 5, "2 successes, then 3 failures in a row stop the trial")
	assert.Len(t, res.Records, 5)
	assert.Equal(t, 20, res.Total)
	require.Len(t, *written, 1, "the finished records are written")
	assert.Len(t, (*written)[0].Records, 5)
	assert.Contains(t, res.Breaker, "3 instances in a row")
	assert.Contains(t, res.Breaker, "model preset replay")
	assert.Contains(t, res.Breaker, "HTTP 401 invalid_api_key")
	assert.Contains(t, res.Breaker, "What to do: the provider refused the credentials")

	// Off (0): every instance runs.
	env, ran, _, _ = breakerTrialEnv(t, ids, 2)
	ref.Tuning.StopAfterConfigErrors = 0
	env.ExecuteWorkflow(wf.TrialWorkflow, ref)
	require.NoError(t, env.GetWorkflowError())
	res = wf.TrialResult{}
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Len(t, *ran, 20)
	assert.Empty(t, res.Breaker)
}

// Running instances are cancelled when the breaker trips (num-workers 4).
func TestTrialBreakerCancelsRunningInstances(t *testing.T) {
	var ids []string
	for i := 0; i < 12; i++ {
		ids = append(ids, fmt.Sprintf("demo__%02d", i))
	}
	env, ran, _, cancelled := breakerTrialEnv(t, ids, 0)
	ref := testTrialRef(4)
	ref.Tuning.StopAfterConfigErrors = 2
	env.ExecuteWorkflow(wf.TrialWorkflow, ref)
	require.NoError(t, env.GetWorkflowError())
	var res wf.TrialResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.NotEmpty(t, res.Breaker)
	// Instance n takes n minutes. Four start; the first fails at 1 min
	// (the fifth starts), the second at 2 min trips the breaker: the
	// three running are cancelled and no more start.
	assert.Len(t, *ran, 5, "no instance starts after the breaker")
	assert.Equal(t, 3, *cancelled, "the running instances are cancelled")
	assert.Len(t, res.Records, 2)
	assert.Contains(t, res.Breaker, "the first 2 instance(s)")
}

// A trial stopped by the breaker stops the sweep: the other running
// trial is cancelled, no further trial starts, and the sweep fails with
// the breaker's error (type CircuitBreaker), also in its status.
func TestSweepStopsOnBreaker(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var mu sync.Mutex
	var started []string
	cancelled := 0
	const msg = "Stopped the sweep (finished instances are kept): the first 5 instance(s) of trial x failed"
	// Registered under the workflow's name (not mocked): a mocked child
	// cannot be cancelled in the test environment.
	env.RegisterWorkflowWithOptions(
		func(ctx workflow.Context, ref wf.TrialRef) (wf.TrialResult, error) {
			mu.Lock()
			started = append(started, ref.Config.Strategy)
			mu.Unlock()
			assert.Equal(t, 5, ref.Tuning.StopAfterConfigErrors, "the flag's value reaches the trials")
			if ref.Config.Strategy == "raw" {
				if err := workflow.Sleep(ctx, time.Minute); err != nil {
					return wf.TrialResult{}, err
				}
				return wf.TrialResult{Trial: ref, Records: []wf.InstanceRecord{failedRec("a", missingKey, 1)}, Breaker: msg, Total: 6}, nil
			}
			if err := workflow.Sleep(ctx, time.Hour); err != nil {
				mu.Lock()
				cancelled++
				mu.Unlock()
				return wf.TrialResult{}, err
			}
			return wf.TrialResult{Trial: ref}, nil
		}, workflow.RegisterOptions{Name: "TrialWorkflow"})
	env.ExecuteWorkflow(wf.SweepWorkflow, wf.SweepInput{File: "sweeps/demo.yaml", Source: demoSweep, Parallel: 2,
		Tuning: wf.Tuning{StopAfterConfigErrors: 5}})
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "got %v", err)
	assert.Equal(t, wf.ErrCircuitBreaker, app.Type())
	assert.Equal(t, msg, app.Message())
	assert.ElementsMatch(t, []string{"raw", "observation_masking"}, started, "no trial starts after the breaker")
	assert.Equal(t, 1, cancelled, "the other running trial is cancelled")
	st := sweepStatus(t, env)
	assert.Equal(t, "failed", st.State)
	assert.Equal(t, msg, st.Note)
	assert.Equal(t, wf.TrialFailed, st.Trials[0].State)
	assert.Equal(t, 1, st.Trials[0].Done, "the stopped trial's records count")
	assert.Equal(t, 6, st.Trials[0].Total, "and its instances that did not run")
	assert.Equal(t, wf.TrialCancelled, st.Trials[1].State)
	assert.Equal(t, wf.TrialSkipped, st.Trials[2].State)
}

// A trial resumed after the key was fixed: the failed records of the
// earlier run (loaded from the store) do not count towards the breaker.
func TestTrialBreakerIgnoresLoadedRecords(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	ids := []string{"demo__0", "demo__1", "demo__2", "demo__3", "demo__4", "demo__5"}
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, _ wf.TrialRef) (wf.SelectInstancesResult, error) {
		return wf.SelectInstancesResult{IDs: ids}, nil
	}, wf.ActSelectInstances)
	reg(func(_ context.Context, _ wf.LoadRecordsInput) ([]wf.InstanceRecord, error) {
		var out []wf.InstanceRecord
		for i, id := range ids[:3] {
			out = append(out, failedRec(id, missingKey, i))
		}
		return out, nil
	}, wf.ActLoadRecords)
	reg(func(_ context.Context, _ wf.WriteTrialInput) error { return nil }, wf.ActWriteTrial)
	var ran []string
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context, in wf.InstanceInput) (wf.InstanceRecord, error) {
		ran = append(ran, in.Ref.InstanceID)
		if len(ran) == 1 { // one more failure: with the loaded ones, 4 in a row
			return failedRec(in.Ref.InstanceID, missingKey, 9), nil
		}
		return okRec(in.Ref.InstanceID), nil
	}, workflow.RegisterOptions{Name: "InstanceWorkflow"})
	ref := testTrialRef(1)
	ref.Tuning.StopAfterConfigErrors = 3
	env.ExecuteWorkflow(wf.TrialWorkflow, ref)
	require.NoError(t, env.GetWorkflowError())
	var res wf.TrialResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Empty(t, res.Breaker)
	assert.Equal(t, ids[3:], ran)
	assert.Len(t, res.Records, 6)
}
