package workflows_test

import (
	"context"
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

// A stopped (hyperband) or cancelled trial writes the records it has.
func TestTrialCancelledWritesFinishedRecords(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var written []wf.WriteTrialInput
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(context.Context, wf.TrialRef) (wf.SelectInstancesResult, error) {
		return wf.SelectInstancesResult{IDs: []string{"a", "b", "c"}}, nil
	}, wf.ActSelectInstances)
	reg(func(context.Context, wf.LoadRecordsInput) ([]wf.InstanceRecord, error) {
		return []wf.InstanceRecord{{InstanceID: "b", Cost: 1}}, nil
	}, wf.ActLoadRecords)
	reg(func(_ context.Context, in wf.WriteTrialInput) error { written = append(written, in); return nil }, wf.ActWriteTrial)
	// Registered under the name, not mocked: mocked children cannot be
	// cancelled in the test environment.
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context, in wf.InstanceInput) (wf.InstanceRecord, error) {
		d := time.Minute
		if in.Ref.InstanceID == "a" {
			d = 10 * time.Minute
		}
		if err := workflow.Sleep(ctx, d); err != nil {
			return wf.InstanceRecord{}, err
		}
		return wf.InstanceRecord{InstanceID: in.Ref.InstanceID, Cost: 0.25}, nil
	}, workflow.RegisterOptions{Name: "InstanceWorkflow"})
	env.RegisterDelayedCallback(env.CancelWorkflow, 5*time.Minute)
	env.ExecuteWorkflow(wf.TrialWorkflow, testTrialRef(2))
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	require.Error(t, err)
	assert.True(t, temporal.IsCanceledError(err), "got %v", err)
	// b was stored, c finished after a minute, a (ten minutes) was cancelled.
	require.Len(t, written, 1)
	assert.Equal(t, []string{"b", "c"}, recordIDs(written[0].Records))
}
