package workflows_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/sweep"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// fakeTrial records a TrialWorkflow's activity calls and mocked children.
type fakeTrial struct {
	mu        sync.Mutex
	loadIn    []wf.LoadRecordsInput
	written   []wf.WriteTrialInput
	childIDs  []string
	childIns  []wf.InstanceInput
	running   int
	maxActive int
}

var trialIDs = []string{"demo__a", "demo__b", "demo__c"}

func resolvedPtr(b bool) *bool { return &b }

// newTrialEnv selects trialIDs, has a stored record for demo__b, and mocks
// the child InstanceWorkflow: demo__a takes longer than demo__c, and
// failID (if any) fails.
func newTrialEnv(t *testing.T, failID string) (*testsuite.TestWorkflowEnvironment, *fakeTrial) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	f := &fakeTrial{}
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, _ wf.TrialRef) (wf.SelectInstancesResult, error) {
		return wf.SelectInstancesResult{IDs: append([]string(nil), trialIDs...)}, nil
	}, wf.ActSelectInstances)
	reg(func(_ context.Context, in wf.LoadRecordsInput) ([]wf.InstanceRecord, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.loadIn = append(f.loadIn, in)
		return []wf.InstanceRecord{{InstanceID: "demo__b", ExitStatus: agent.ExitSubmitted, Submitted: true,
			Resolved: resolvedPtr(true), Cost: 1, SummaryCost: 0.5}}, nil
	}, wf.ActLoadRecords)
	reg(func(_ context.Context, in wf.WriteTrialInput) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.written = append(f.written, in)
		return nil
	}, wf.ActWriteTrial)

	env.RegisterWorkflow(wf.InstanceWorkflow)
	env.OnWorkflow(wf.InstanceWorkflow, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in wf.InstanceInput) (wf.InstanceRecord, error) {
			f.mu.Lock()
			f.childIDs = append(f.childIDs, workflow.GetInfo(ctx).WorkflowExecution.ID)
			f.childIns = append(f.childIns, in)
			f.running++
			f.maxActive = max(f.maxActive, f.running)
			f.mu.Unlock()
			d := time.Minute
			if in.Ref.InstanceID == "demo__a" {
				d = 10 * time.Minute
			}
			err := workflow.Sleep(ctx, d)
			f.mu.Lock()
			f.running--
			f.mu.Unlock()
			if err != nil {
				return wf.InstanceRecord{}, err
			}
			if in.Ref.InstanceID == failID {
				return wf.InstanceRecord{}, temporal.NewNonRetryableApplicationError("instance crashed", "Crash", nil)
			}
			return wf.InstanceRecord{InstanceID: in.Ref.InstanceID, ExitStatus: agent.ExitFormat, Cost: 0.25}, nil
		})
	return env, f
}

func testTrialRef(workers int) wf.TrialRef {
	c := sweep.DefaultRunConfig()
	c.Model, c.Strategy, c.InstancesSubset, c.NumWorkers = "replay", "raw", "demo", workers
	ref, err := wf.TrialRefFor("unit", c, wf.Tuning{})
	if err != nil {
		panic(err)
	}
	return ref
}

func recordIDs(recs []wf.InstanceRecord) []string {
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.InstanceID)
	}
	return ids
}

func TestTrialSkipsStoredRecords(t *testing.T) {
	for _, workers := range []int{2, 1} {
		t.Run("workers="+string(rune('0'+workers)), func(t *testing.T) {
			env, f := newTrialEnv(t, "")
			ref := testTrialRef(workers)
			env.ExecuteWorkflow(wf.TrialWorkflow, ref)
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			var res wf.TrialResult
			require.NoError(t, env.GetWorkflowResult(&res))

			assert.ElementsMatch(t, []string{ref.TrialID + "/demo__a", ref.TrialID + "/demo__c"}, f.childIDs,
				"only instances without a stored record run, under deterministic IDs")
			for _, in := range f.childIns {
				assert.Equal(t, ref, in.Ref.Trial)
				assert.Nil(t, in.State)
			}
			assert.Equal(t, workers, f.maxActive, "NumWorkers bounds the children running at once")
			require.Len(t, f.loadIn, 1)
			assert.Equal(t, trialIDs, f.loadIn[0].IDs)
			require.Len(t, f.written, 1)
			assert.Equal(t, trialIDs, recordIDs(f.written[0].Records), "records in selection order")
			assert.Equal(t, ref, f.written[0].Trial)
			assert.True(t, f.written[0].Records[1].Submitted, "the stored record is passed through")
			assert.Equal(t, trialIDs, recordIDs(res.Records))

			v, err := env.QueryWorkflow("status")
			require.NoError(t, err)
			var st wf.TrialStatus
			require.NoError(t, v.Get(&st))
			assert.Equal(t, 3, st.Total)
			assert.Len(t, st.Records, 3)
			assert.Empty(t, st.Running)
			assert.Equal(t, 1, st.Submitted)
			assert.Equal(t, 1, st.Resolved)
			assert.InDelta(t, 2.0, st.Cost, 1e-9)
		})
	}
}

func TestTrialChildFailure(t *testing.T) {
	env, f := newTrialEnv(t, "demo__c")
	env.ExecuteWorkflow(wf.TrialWorkflow, testTrialRef(2))
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	require.Error(t, err)
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "got %v", err)
	assert.Contains(t, app.Error(), "instance crashed")
	require.Len(t, f.written, 1, "the records that exist are still written")
	assert.Equal(t, []string{"demo__a", "demo__b"}, recordIDs(f.written[0].Records))
}
