package workflows_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/agent"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// budgetSim runs the real TrialWorkflow under the sweep, with mocked
// activities (4 instances per trial, none stored) and a mocked
// InstanceWorkflow that takes an hour and costs cost, or, past its cost
// limit, the limit plus one model call of callCost (exit_cost), as the
// instance loop does.
type budgetSim struct {
	mu       sync.Mutex
	limits   []float64 // cost limit of every instance started
	perTrial map[string]int
	running  int
	maxRun   int
}

func newBudgetEnv(t *testing.T, cost, callCost float64, budgeted bool) (*testsuite.TestWorkflowEnvironment, *budgetSim) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	sim := &budgetSim{perTrial: map[string]int{}}
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(context.Context, wf.TrialRef) (wf.SelectInstancesResult, error) {
		return wf.SelectInstancesResult{IDs: []string{"t1", "t2", "t3", "t4"}}, nil
	}, wf.ActSelectInstances)
	reg(func(context.Context, wf.LoadRecordsInput) ([]wf.InstanceRecord, error) { return nil, nil }, wf.ActLoadRecords)
	reg(func(context.Context, wf.WriteTrialInput) error { return nil }, wf.ActWriteTrial)
	// The sweep puts its budget in the trial's memo; the test environment
	// does not pass child memos on, so this wrapper sets it (the engine
	// test checks the real thing on a server).
	env.RegisterWorkflowWithOptions(func(ctx workflow.Context, ref wf.TrialRef) (wf.TrialResult, error) {
		if budgeted {
			if err := workflow.UpsertMemo(ctx, map[string]any{"budget_usd": 1.0}); err != nil {
				return wf.TrialResult{}, err
			}
		}
		return wf.TrialWorkflow(ctx, ref)
	}, workflow.RegisterOptions{Name: "TrialWorkflow"})
	env.RegisterWorkflow(wf.InstanceWorkflow)
	env.OnWorkflow(wf.InstanceWorkflow, mock.Anything, mock.Anything).Return(
		func(ctx workflow.Context, in wf.InstanceInput) (wf.InstanceRecord, error) {
			limit := in.Ref.Trial.Limits.CostLimit
			sim.mu.Lock()
			sim.limits = append(sim.limits, limit)
			sim.perTrial[in.Ref.Trial.TrialID]++
			sim.running++
			sim.maxRun = max(sim.maxRun, sim.running)
			sim.mu.Unlock()
			err := workflow.Sleep(ctx, time.Hour)
			sim.mu.Lock()
			sim.running--
			sim.mu.Unlock()
			if err != nil {
				return wf.InstanceRecord{}, err
			}
			rec := wf.InstanceRecord{InstanceID: in.Ref.InstanceID, ExitStatus: agent.ExitSubmitted, Submitted: true, Cost: cost}
			if limit > 0 && cost > limit {
				rec.ExitStatus, rec.Submitted, rec.Cost = agent.ExitCost, false, limit+callCost
			}
			return rec, nil
		})
	return env, sim
}

func budgetSweep(parallel int, budget float64) wf.SweepInput {
	src := "method: grid\nmetric: {name: submission_rate, goal: maximize}\n" +
		fmt.Sprintf("budget_usd: %v\n", budget) +
		"parameters:\n  model: {value: replay}\n  strategy: {values: [raw, observation_masking, llm_summary]}\n" +
		"  instances-subset: {value: demo}\n  num-workers: {value: 2}\n"
	return wf.SweepInput{Name: "bud", File: "bud.yaml", Source: src, Parallel: parallel}
}

func TestSweepBudgetStopsNewInstancesAndTrials(t *testing.T) {
	// 3 trials x 4 instances at $1, 2 at a time, one trial at a time, $6:
	// the first trial runs its 4 instances ($4; allowances $3, $3, then
	// $2 = twice the mean cost); the second gets $2 for one instance, then
	// the $1 left for another once the first returned its unused $1 ($6
	// spent), is refused a third and ends; the third never starts.
	env, sim := newBudgetEnv(t, 1, 0.1, true)
	st := runSweep(t, env, budgetSweep(1, 6))
	assert.Equal(t, wf.SweepBudgetExhausted, st.State)
	require.Len(t, st.Trials, 3)
	assert.Equal(t, wf.TrialCompleted, st.Trials[0].State)
	assert.Equal(t, wf.TrialBudget, st.Trials[1].State)
	assert.Equal(t, wf.TrialSkipped, st.Trials[2].State)
	assert.Equal(t, []int{4, 2, 0}, []int{st.Trials[0].Done, st.Trials[1].Done, st.Trials[2].Done})
	assert.Equal(t, 6, st.Instances)
	assert.InDelta(t, 6.0, st.Cost, 1e-9, "never more than the budget when no instance reaches its allowance")
	assert.Len(t, sim.limits, 6, "instances started")
	assert.Equal(t, []float64{3, 3, 2, 2, 2, 1}, sim.limits, "shares of what is left, in start order")
	require.NotNil(t, st.Budget)
	assert.True(t, st.Budget.Exhausted)
	assert.Zero(t, st.Budget.Reserved)
	assert.Contains(t, st.Note, "budget exhausted")
	assert.Equal(t, []float64{1, 1}, st.Trials[1].Values, "the cut trial keeps its metric history")
}

func TestSweepBudgetBoundWithExpensiveInstances(t *testing.T) {
	// Instances cost $1.5 but stop one $0.1 call past their allowance.
	// Two trials at a time, 2 instances each: at most 4 run at once.
	const budget, call = 4.0, 0.1
	env, sim := newBudgetEnv(t, 1.5, call, true)
	st := runSweep(t, env, budgetSweep(2, budget))
	assert.Equal(t, wf.SweepBudgetExhausted, st.State)
	assert.LessOrEqual(t, st.Cost, budget+call*float64(sim.maxRun), "budget + one call per running instance")
	assert.Greater(t, st.Cost, budget/2, "the budget is used")
	assert.Less(t, len(sim.limits), 12, "not every instance ran")
	for _, l := range sim.limits {
		assert.Greater(t, l, 0.0, "every instance runs with an allowance")
		assert.LessOrEqual(t, l, budget)
	}
	assert.LessOrEqual(t, sim.maxRun, 4)
	t.Logf("allowances %v, %d instances, cost $%.2f of $%.2f", sim.limits, len(sim.limits), st.Cost, budget)
}

func TestSweepBudgetAllowanceCappedByCostLimit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		budgeted bool
		src      string
	}{
		{"no budget", false, ""},
		{"large budget", true, "budget_usd: 100\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, sim := newBudgetEnv(t, 1, 0.1, tc.budgeted)
			in := budgetSweep(1, 1)
			in.Source = "method: grid\n" + tc.src + "parameters:\n  model: {value: replay}\n  strategy: {value: raw}\n" +
				"  instances-subset: {value: demo}\n  cost-limit: {value: 0.5}\n  num-workers: {value: 2}\n"
			st := runSweep(t, env, in)
			assert.Equal(t, "completed", st.State)
			assert.Equal(t, tc.budgeted, st.Budget != nil)
			assert.Equal(t, []float64{0.5, 0.5, 0.5, 0.5}, sim.limits, "the trial's own cost-limit bounds every allowance")
			assert.InDelta(t, 4*0.6, st.Cost, 1e-9)
		})
	}
}

func TestSweepBudgetJustEnoughCompletes(t *testing.T) {
	// One trial, 4 instances at $1, budget $4: everything runs, and the
	// sweep says "completed" although the budget would refuse a next trial.
	env, sim := newBudgetEnv(t, 1, 0.1, true)
	in := budgetSweep(1, 4)
	in.Source = "method: grid\nbudget_usd: 4\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n" +
		"  instances-subset: {value: demo}\n  num-workers: {value: 2}\n"
	st := runSweep(t, env, in)
	assert.Equal(t, "completed", st.State)
	assert.Equal(t, 4, st.Instances)
	assert.False(t, st.Budget.Exhausted)
	assert.InDelta(t, 4.0, st.Cost, 1e-9)
	// $2 each for the first two; after both returned $1, $2 for the third
	// (twice the mean), then the $1 left once the third is done.
	assert.Equal(t, []float64{2, 2, 2, 1}, sim.limits)
}
