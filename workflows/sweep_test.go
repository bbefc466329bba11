package workflows_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/sweep"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// demoSweep mirrors sweeps/demo.yaml: 1 model × 4 strategies.
const demoSweep = `method: grid
metric: {name: solve_rate, goal: maximize}
parameters:
  model: {value: replay}
  strategy: {values: [raw, observation_masking, llm_summary, hybrid]}
  instances-subset: {value: demo}
  instances-shuffle: {value: false}
  call-limit: {value: 250}
  cost-limit: {value: 0.0}
  num-workers: {value: 2}
  hp-obs-n: {value: 3}
  hp-sum-n: {value: 4}
  hp-sum-keep-m: {value: 2}
`

type fakeSweep struct {
	mu       sync.Mutex
	childIDs []string
	refs     []wf.TrialRef
}

// newSweepEnv mocks the child TrialWorkflow: it reports its progress to
// the sweep the way the real one does (unless the sweep asked for quiet
// progress), then returns two records (one submitted and resolved).
func newSweepEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *fakeSweep) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	f := &fakeSweep{}
	env.RegisterWorkflow(wf.TrialWorkflow)
	env.OnWorkflow(wf.TrialWorkflow, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, ref wf.TrialRef) (wf.TrialResult, error) {
			info := workflow.GetInfo(ctx)
			f.mu.Lock()
			f.childIDs = append(f.childIDs, info.WorkflowExecution.ID)
			f.refs = append(f.refs, ref)
			f.mu.Unlock()
			p := wf.TrialProgress{TrialID: ref.TrialID, Total: 2, Done: 1, Cost: 0.5}
			if ref.QuietProgress {
				// no report
			} else if err := workflow.SignalExternalWorkflow(ctx, info.ParentWorkflowExecution.ID, "", wf.SignalProgress, p).Get(ctx, nil); err != nil {
				return wf.TrialResult{}, err
			}
			if err := workflow.Sleep(ctx, time.Hour); err != nil {
				return wf.TrialResult{}, err
			}
			return wf.TrialResult{Trial: ref, Records: []wf.InstanceRecord{
				{InstanceID: "a", Submitted: true, Resolved: resolvedPtr(true), Cost: 0.5, SummaryCost: 0.25},
				{InstanceID: "b", Resolved: resolvedPtr(false), Cost: 1},
			}}, nil
		})
	return env, f
}

func sweepStatus(t *testing.T, env *testsuite.TestWorkflowEnvironment) wf.SweepStatus {
	t.Helper()
	v, err := env.QueryWorkflow("status")
	require.NoError(t, err)
	var st wf.SweepStatus
	require.NoError(t, v.Get(&st))
	return st
}

// expectedTrialIDs computes TrialRefFor(...).TrialID for every config of the
// grid, independently of SweepWorkflow.
func expectedTrialIDs(t *testing.T, name, src string) []string {
	spec, err := sweep.Parse(name+".yaml", []byte(src))
	require.NoError(t, err)
	configs, err := spec.GridTrials(sweep.CommandFlags{})
	require.NoError(t, err)
	var ids []string
	for _, c := range configs {
		ref, err := wf.TrialRefFor(name, c, wf.Tuning{})
		require.NoError(t, err)
		ids = append(ids, ref.TrialID)
	}
	return ids
}

func TestSweepDemoGrid(t *testing.T) {
	env, f := newSweepEnv(t)
	var mid wf.SweepStatus
	env.RegisterDelayedCallback(func() { mid = sweepStatus(t, env) }, 30*time.Minute)
	env.ExecuteWorkflow(wf.SweepWorkflow, wf.SweepInput{File: "sweeps/demo.yaml", Source: demoSweep, Parallel: 2})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())

	want := expectedTrialIDs(t, "demo", demoSweep)
	require.Len(t, want, 4)
	// Children of one Parallel batch start in any order in the test
	// environment; grid order is checked on the status below.
	assert.ElementsMatch(t, want, f.childIDs, "children run under TrialRefFor IDs")
	byID := map[string]wf.TrialRef{}
	for i, ref := range f.refs {
		assert.True(t, strings.HasPrefix(ref.TrialID, "sweep/demo/trial-"), ref.TrialID)
		assert.Equal(t, f.childIDs[i], ref.TrialID, "workflow ID is the ref's TrialID")
		assert.Equal(t, "demo", ref.Sweep)
		assert.Equal(t, ref.Config.Strategy, ref.Strategy.Strategy)
		assert.Equal(t, 3, ref.Strategy.ObsN)
		assert.Equal(t, 250, ref.Limits.CallLimit)
		assert.True(t, ref.QuietProgress, "no budget and no early termination: the sweep needs no report per instance")
		byID[ref.TrialID] = ref
	}
	require.Len(t, byID, 4, "distinct trial IDs")
	var strategies []string
	for _, id := range want {
		strategies = append(strategies, byID[id].Config.Strategy)
	}
	assert.Equal(t, []string{"raw", "observation_masking", "llm_summary", "hybrid"}, strategies)
	assert.Equal(t, want, expectedTrialIDs(t, "demo", demoSweep), "IDs are deterministic")

	// Half an hour in, two trials run (Parallel 2). They report no
	// progress (clients ask them: see WithLive).
	assert.Equal(t, 2, mid.Running)
	assert.Equal(t, 0, mid.Done)
	assert.Equal(t, 0, mid.Instances)
	assert.Equal(t, wf.TrialRunning, mid.Trials[0].State)
	assert.Equal(t, wf.TrialPending, mid.Trials[3].State)

	var out wf.SweepStatus
	require.NoError(t, env.GetWorkflowResult(&out))
	st := sweepStatus(t, env)
	for _, s := range []wf.SweepStatus{out, st} {
		assert.Equal(t, "demo", s.Name)
		assert.Equal(t, "completed", s.State)
		require.Len(t, s.Trials, 4)
		assert.Equal(t, 4, s.Done)
		assert.Equal(t, 0, s.Running)
		assert.Equal(t, 0, s.Failed)
		assert.Equal(t, 8, s.Instances)
		assert.Equal(t, 8, s.Total)
		assert.InDelta(t, 7.0, s.Cost, 1e-9)
		for i, tr := range s.Trials {
			assert.Equal(t, want[i], tr.ID)
			assert.Equal(t, wf.TrialCompleted, tr.State)
			assert.Equal(t, 1, tr.Submitted)
			assert.Equal(t, 1, tr.Resolved)
		}
	}
}

func TestSweepMalformedSource(t *testing.T) {
	src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {values: [raw, summary]}\n"
	env, f := newSweepEnv(t)
	env.ExecuteWorkflow(wf.SweepWorkflow, wf.SweepInput{File: "sweeps/bad.yaml", Source: src})
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	require.Error(t, err)
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "got %v", err)
	assert.Equal(t, wf.ErrConfig, app.Type())
	assert.True(t, app.NonRetryable())
	assert.Contains(t, app.Error(), "sweeps/bad.yaml:4:")
	assert.Contains(t, app.Error(), `strategy "summary"`)
	assert.Empty(t, f.childIDs)
}

func TestSweepUnboundedSpaceRejected(t *testing.T) {
	src := "method: random\nparameters:\n  model: {value: replay}\n  strategy: {values: [raw]}\n" +
		"  cost-limit: {distribution: uniform, min: 0.5, max: 2}\n"
	env, f := newSweepEnv(t)
	env.ExecuteWorkflow(wf.SweepWorkflow, wf.SweepInput{File: "sweeps/rnd.yaml", Source: src})
	err := env.GetWorkflowError()
	require.Error(t, err)
	var app *temporal.ApplicationError
	require.True(t, errors.As(err, &app), "got %v", err)
	assert.Equal(t, wf.ErrConfig, app.Type())
	assert.Contains(t, err.Error(), "sweeps/rnd.yaml: run_cap: method random over a continuous parameter needs run_cap")
	assert.Empty(t, f.childIDs)
}

func TestSweepDedupsIgnoredParameters(t *testing.T) {
	for _, tc := range []struct {
		name, strategies string
		want             int
	}{
		// raw ignores the summarizer and hp-obs-n: 6 grid points, 1 experiment.
		{"raw", "[raw]", 1},
		// llm_summary ignores hp-obs-n and resolves "same" to the model (replay): 2 more.
		{"raw+llm_summary", "[raw, llm_summary]", 1 + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {values: " + tc.strategies + "}\n" +
				"  summarizer-model: {values: [same, replay, bedrock-nova-pro]}\n  hp-obs-n: {values: [3, 5]}\n"
			env, f := newSweepEnv(t)
			env.ExecuteWorkflow(wf.SweepWorkflow, wf.SweepInput{Name: "dd", File: "sweeps/grid_file.yaml", Source: src, Parallel: 4})
			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			assert.Len(t, f.childIDs, tc.want)
			st := sweepStatus(t, env)
			assert.Len(t, st.Trials, tc.want)
			assert.Equal(t, "dd", st.Name, "SweepInput.Name overrides the file name")
			seen := map[string]bool{}
			for _, ref := range f.refs {
				key := ref.Config.ExperimentKey()
				assert.False(t, seen[key], "experiment %s run twice", key)
				seen[key] = true
				assert.Equal(t, "sweep/dd/trial-"+key, ref.TrialID)
			}
		})
	}
}
