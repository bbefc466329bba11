package workflows_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/sweep"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// simInstance is one simulated instance of a mocked trial.
type simInstance struct {
	submitted bool
	cost      float64
}

// simSweep mocks TrialWorkflow: each trial runs the instances script
// returns for its config, one per hour, reporting its progress after each
// the way the real trial does; a cancelled trial returns at once.
type simSweep struct {
	mu        sync.Mutex
	started   []wf.TrialRef
	cancelled map[string]int // trial ID -> instances finished when cancelled
}

func newSimEnv(t *testing.T, script func(sweep.RunConfig) []simInstance) (*testsuite.TestWorkflowEnvironment, *simSweep) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	sim := &simSweep{cancelled: map[string]int{}}
	// Registered under TrialWorkflow's name rather than mocked with
	// env.OnWorkflow: the test environment reports a mocked child as
	// started only once its function returns, so it cannot be cancelled.
	env.RegisterWorkflowWithOptions(
		func(ctx workflow.Context, ref wf.TrialRef) (wf.TrialResult, error) {
			sim.mu.Lock()
			sim.started = append(sim.started, ref)
			sim.mu.Unlock()
			parent := workflow.GetInfo(ctx).ParentWorkflowExecution.ID
			insts := script(ref.Config)
			var recs []wf.InstanceRecord
			p := wf.TrialProgress{TrialID: ref.TrialID, Total: len(insts)}
			for i, in := range insts {
				if err := workflow.Sleep(ctx, time.Hour); err != nil {
					sim.mu.Lock()
					sim.cancelled[ref.TrialID] = len(recs)
					sim.mu.Unlock()
					return wf.TrialResult{}, temporal.NewCanceledError()
				}
				rec := wf.InstanceRecord{InstanceID: fmt.Sprintf("i%d", i), Submitted: in.submitted, Cost: in.cost, Turns: 3, APICalls: 4}
				recs = append(recs, rec)
				p.InstanceID, p.Done, p.Cost, p.Turns, p.APICalls = rec.InstanceID, len(recs), p.Cost+in.cost, p.Turns+3, p.APICalls+4
				if in.submitted {
					p.Submitted++
				}
				if err := workflow.SignalExternalWorkflow(ctx, parent, "", wf.SignalProgress, p).Get(ctx, nil); err != nil {
					return wf.TrialResult{}, err
				}
			}
			return wf.TrialResult{Trial: ref, Records: recs}, nil
		}, workflow.RegisterOptions{Name: "TrialWorkflow"})
	return env, sim
}

func runSweep(t *testing.T, env *testsuite.TestWorkflowEnvironment, in wf.SweepInput) wf.SweepStatus {
	t.Helper()
	env.ExecuteWorkflow(wf.SweepWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var out wf.SweepStatus
	require.NoError(t, env.GetWorkflowResult(&out))
	return out
}

func roundTrip(t *testing.T, p map[string]any) map[string]any {
	data, err := json.Marshal(p)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(data, &out))
	return out
}

const randomSweep = `method: random
metric: {name: submission_rate, goal: maximize}
run_cap: 5
parameters:
  model: {value: replay}
  strategy: {values: [raw, observation_masking, llm_summary, hybrid]}
  hp-obs-n: {values: [1, 2, 3, 4, 5]}
  instances-subset: {value: demo}
`

func oneInstance(sweep.RunConfig) []simInstance { return []simInstance{{submitted: true, cost: 0.1}} }

func TestSweepRandomRunCap(t *testing.T) {
	run := func(seed int64) ([]string, wf.SweepStatus, *simSweep) {
		env, sim := newSimEnv(t, oneInstance)
		st := runSweep(t, env, wf.SweepInput{Name: "rnd", File: "rnd.yaml", Source: randomSweep, Parallel: 2, Seed: seed})
		var ids []string
		for _, tr := range st.Trials {
			ids = append(ids, tr.ID)
		}
		return ids, st, sim
	}
	ids, st, sim := run(7)
	require.Len(t, st.Trials, 5, "run_cap trials")
	assert.Equal(t, 5, st.Planned)
	assert.Equal(t, int64(7), st.Seed)
	assert.Equal(t, 5, st.Done)
	assert.Equal(t, "completed", st.State)
	require.Len(t, sim.started, 5)
	started := map[string]bool{}
	for _, ref := range sim.started {
		started[ref.TrialID] = true
	}
	assert.Len(t, started, 5, "five distinct experiments")

	// The trials are exactly what the controller proposes for this seed,
	// under TrialRefFor IDs, and each carries its metric history.
	spec, err := sweep.Parse("rnd.yaml", []byte(randomSweep))
	require.NoError(t, err)
	ctrl, err := sweep.NewController(spec, 7)
	require.NoError(t, err)
	var hist []sweep.TrialState
	for i, tr := range st.Trials {
		p, ok, err := ctrl.Next(hist)
		require.NoError(t, err)
		require.True(t, ok)
		c, err := spec.Trial(p, sweep.CommandFlags{})
		require.NoError(t, err)
		ref, err := wf.TrialRefFor("rnd", c, wf.Tuning{})
		require.NoError(t, err)
		assert.Equal(t, ref.TrialID, tr.ID, "trial %d", i)
		assert.Equal(t, roundTrip(t, p), tr.Params)
		assert.Equal(t, []float64{1}, tr.Values)
		assert.Equal(t, 4, tr.Outcome.APICalls)
		hist = append(hist, sweep.TrialState{Params: roundTrip(t, p), Values: []float64{1}, Done: true})
	}

	again, _, _ := run(7)
	assert.Equal(t, ids, again, "same seed, same trials")
	other, _, _ := run(8)
	assert.NotEqual(t, ids, other, "another seed, other trials")
	_, st0, _ := run(0)
	assert.Equal(t, wf.DefaultSeed("rnd"), st0.Seed, "seed 0 derives the seed from the name")
}

// bayesSweep: a 1-D ordinal space (hp-obs-n 1..12) whose simulated
// avg_cost is lowest at hp-obs-n = 7.
const bayesSweep = `method: bayes
metric: {name: avg_cost, goal: minimize}
run_cap: 7
parameters:
  model: {value: replay}
  strategy: {value: observation_masking}
  hp-obs-n: {values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}
  instances-subset: {value: demo}
`

func TestSweepBayesUsesReportedMetric(t *testing.T) {
	bowl := func(n int) float64 { return 0.01 + 0.01*float64((n-7)*(n-7)) }
	hill := func(n int) float64 { return 1 - 0.01*float64((n-7)*(n-7)) }
	run := func(cost func(int) float64) ([]int, wf.SweepStatus) {
		env, _ := newSimEnv(t, func(c sweep.RunConfig) []simInstance {
			x := cost(*c.HpObsN)
			return []simInstance{{cost: x}, {cost: x}}
		})
		st := runSweep(t, env, wf.SweepInput{Name: "bo", File: "bo.yaml", Source: bayesSweep, Parallel: 1, Seed: 3})
		var ns []int
		for _, tr := range st.Trials {
			ns = append(ns, int(tr.Params["hp-obs-n"].(float64)))
		}
		return ns, st
	}
	ns, st := run(bowl)
	require.Len(t, ns, 7)
	t.Logf("bayes proposals on the bowl: %v", ns)

	// Replaying the controller on the values the mocked trials reported
	// gives the same proposals: the sweep feeds it the right history.
	spec, err := sweep.Parse("bo.yaml", []byte(bayesSweep))
	require.NoError(t, err)
	ctrl, err := sweep.NewController(spec, 3)
	require.NoError(t, err)
	var hist []sweep.TrialState
	for i, tr := range st.Trials {
		p, ok, err := ctrl.Next(hist)
		require.NoError(t, err)
		require.True(t, ok)
		assert.Equal(t, roundTrip(t, p), tr.Params, "proposal %d", i)
		x := bowl(ns[i])
		assert.Equal(t, []float64{x, x}, tr.Values, "one value per finished instance")
		hist = append(hist, sweep.TrialState{Params: tr.Params, Values: []float64{x, x}, Done: true})
	}
	assert.Contains(t, ns, 7, "bayes finds the minimum of the bowl within 7 of 12 points")

	// The same sweep with other reported values proposes other trials
	// once it has two observations (the first two are random).
	inv, _ := run(hill)
	t.Logf("bayes proposals on the hill: %v", inv)
	assert.Equal(t, ns[:2], inv[:2])
	assert.NotEqual(t, ns, inv)
}

const hyperbandSweep = `method: grid
metric: {name: submission_rate, goal: maximize}
early_terminate: {type: hyperband, min_iter: 2, eta: 2}
parameters:
  model: {value: replay}
  strategy: {values: [raw, observation_masking, llm_summary]}
  instances-subset: {value: demo}
`

func TestSweepHyperbandStopsTheWorstTrial(t *testing.T) {
	subs := map[string][]bool{
		"raw":                 {true, true, true, true},
		"observation_masking": {false, false, false, false},
		"llm_summary":         {true, false, true, true},
	}
	env, sim := newSimEnv(t, func(c sweep.RunConfig) []simInstance {
		var out []simInstance
		for _, s := range subs[c.Strategy] {
			out = append(out, simInstance{submitted: s, cost: 0.1})
		}
		return out
	})
	st := runSweep(t, env, wf.SweepInput{Name: "hb", File: "hb.yaml", Source: hyperbandSweep, Parallel: 3})
	require.Len(t, st.Trials, 3)
	byStrategy := map[string]wf.SweepTrial{}
	for _, tr := range st.Trials {
		byStrategy[tr.Params["strategy"].(string)] = tr
	}
	// At band 2 the values are raw 1, llm_summary 0.5, masking 0: the
	// threshold (eta 2) is the median, 0.5, and masking is below it.
	om := byStrategy["observation_masking"]
	assert.Equal(t, wf.TrialStopped, om.State)
	assert.Equal(t, []float64{0, 0}, om.Values, "stopped at iteration 2")
	assert.Equal(t, 2, om.Done, "its finished instances stay recorded")
	assert.Equal(t, map[string]int{om.ID: 2}, sim.cancelled, "only the masking trial is cancelled, after 2 instances")
	for _, s := range []string{"raw", "llm_summary"} {
		assert.Equal(t, wf.TrialCompleted, byStrategy[s].State, s)
		assert.Len(t, byStrategy[s].Values, 4, s)
	}
	assert.Equal(t, []float64{1, 0.5, 2.0 / 3, 0.75}, byStrategy["llm_summary"].Values)
	assert.Equal(t, 1, st.Stopped)
	assert.Equal(t, 2, st.Done)
	assert.Equal(t, "completed", st.State)
	assert.Equal(t, 10, st.Instances)
}
