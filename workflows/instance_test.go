package workflows_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// fakeActs stands in for the activities package: every activity is
// registered under its Act* name and records what it was called with.
type fakeActs struct {
	progress   wf.InstanceState // what LoadProgress finds in the store
	model      func(wf.ModelCallInput) (wf.ModelCallResult, error)
	execute    func(wf.ExecuteInput) (wf.ExecuteResult, error)
	summarize  func(wf.SummarizeInput) (wf.SummarizeResult, error)
	autosubmit func(wf.AutosubmitInput) (wf.AutosubmitResult, error)
	evaluate   func(wf.EvaluateInput) (wf.EvaluateResult, error)

	models    []wf.ModelCallInput
	executes  []wf.ExecuteInput
	summaries []wf.SummarizeInput
	setups    int
	restores  []wf.RestoreInput
	autosubs  int
	teardowns int
	finalized []wf.FinalizeInput
}

var testUsage = agent.Usage{Input: 100, CachedInput: 40, Output: 10}

func newInstanceEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *fakeActs) {
	return newInstanceEnvWith(&testsuite.WorkflowTestSuite{})
}

func newInstanceEnvWith(s *testsuite.WorkflowTestSuite) (*testsuite.TestWorkflowEnvironment, *fakeActs) {
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{EnableSessionWorker: true})
	f := &fakeActs{
		model: func(wf.ModelCallInput) (wf.ModelCallResult, error) {
			return wf.ModelCallResult{Valid: true, Usage: testUsage, Cost: 0.25}, nil
		},
		execute:    func(wf.ExecuteInput) (wf.ExecuteResult, error) { return wf.ExecuteResult{ExecSeconds: 1}, nil },
		summarize:  func(wf.SummarizeInput) (wf.SummarizeResult, error) { return wf.SummarizeResult{}, nil },
		autosubmit: func(wf.AutosubmitInput) (wf.AutosubmitResult, error) { return wf.AutosubmitResult{}, nil },
		evaluate:   func(wf.EvaluateInput) (wf.EvaluateResult, error) { return wf.EvaluateResult{}, nil },
	}
	reg := func(fn any, name string) { env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name}) }
	reg(func(_ context.Context, in wf.ModelCallInput) (wf.ModelCallResult, error) {
		f.models = append(f.models, in)
		return f.model(in)
	}, wf.ActModelCall)
	reg(func(_ context.Context, in wf.ExecuteInput) (wf.ExecuteResult, error) {
		f.executes = append(f.executes, in)
		return f.execute(in)
	}, wf.ActExecute)
	reg(func(_ context.Context, in wf.SummarizeInput) (wf.SummarizeResult, error) {
		f.summaries = append(f.summaries, in)
		return f.summarize(in)
	}, wf.ActSummarize)
	reg(func(_ context.Context, in wf.AutosubmitInput) (wf.AutosubmitResult, error) {
		f.autosubs++
		return f.autosubmit(in)
	}, wf.ActAutosubmit)
	reg(func(_ context.Context, in wf.EvaluateInput) (wf.EvaluateResult, error) { return f.evaluate(in) }, wf.ActEvaluate)
	reg(func(_ context.Context, in wf.SetupInput) (wf.SetupResult, error) {
		f.setups++
		return wf.SetupResult{SandboxID: "sb-" + string(rune('0'+f.setups))}, nil
	}, wf.ActSetup)
	reg(func(_ context.Context, in wf.RestoreInput) error { f.restores = append(f.restores, in); return nil }, wf.ActRestore)
	reg(func(_ context.Context, in wf.TeardownInput) error { f.teardowns++; return nil }, wf.ActTeardown)
	reg(func(_ context.Context, in wf.InstanceRef) (wf.InstanceState, error) { return f.progress, nil }, wf.ActLoadProgress)
	reg(func(_ context.Context, in wf.FinalizeInput) (wf.InstanceRecord, error) {
		f.finalized = append(f.finalized, in)
		return in.Record, nil
	}, wf.ActFinalize)
	return env, f
}

func instanceIn(strat string, lim agent.Limits) wf.InstanceInput {
	return wf.InstanceInput{Ref: wf.InstanceRef{InstanceID: "demo__fix-1", Trial: wf.TrialRef{
		Sweep: "s", TrialID: "sweep/s/trial-abc", Dir: "runs/s/x", Strategy: strategy.Defaults(strat), Limits: lim,
	}}}
}

func submitOn(turn int) func(wf.ExecuteInput) (wf.ExecuteResult, error) {
	return func(in wf.ExecuteInput) (wf.ExecuteResult, error) {
		return wf.ExecuteResult{Submitted: in.Turn == turn, ExecSeconds: 1.5, PatchBytes: 42}, nil
	}
}

func runInstance(t *testing.T, env *testsuite.TestWorkflowEnvironment, in wf.InstanceInput) wf.InstanceRecord {
	t.Helper()
	env.ExecuteWorkflow(wf.InstanceWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var rec wf.InstanceRecord
	require.NoError(t, env.GetWorkflowResult(&rec))
	return rec
}

func TestInstanceHappyPath(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
		return wf.ModelCallResult{Valid: true, Usage: agent.Usage{Input: 100 * in.Turn, Output: 10}, Cost: 0.1 * float64(in.Turn)}, nil
	}
	f.execute = submitOn(3)
	f.evaluate = func(wf.EvaluateInput) (wf.EvaluateResult, error) {
		return wf.EvaluateResult{Evaluated: true, Resolved: true}, nil
	}
	rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))

	assert.Equal(t, agent.ExitSubmitted, rec.ExitStatus)
	assert.True(t, rec.Submitted)
	assert.Equal(t, 3, rec.Turns)
	assert.Equal(t, 3, rec.APICalls)
	assert.Equal(t, 0, rec.Requeries)
	assert.Equal(t, agent.Usage{Input: 600, Output: 30}, rec.Usage)
	assert.InDelta(t, 0.6, rec.Cost, 1e-9)
	assert.InDelta(t, 4.5, rec.ExecSeconds, 1e-9)
	require.NotNil(t, rec.Resolved)
	assert.True(t, *rec.Resolved)
	assert.Equal(t, 0, f.autosubs, "no autosubmit after a real submit")
	assert.Equal(t, 1, f.setups)
	assert.Equal(t, 1, f.teardowns)
	assert.Empty(t, f.summaries, "raw never summarizes")
	for i, e := range f.executes {
		assert.Equal(t, i+1, e.Turn)
		assert.Equal(t, "sb-1", e.SandboxID)
	}
	require.Len(t, f.finalized, 1)
	assert.Equal(t, rec, f.finalized[0].Record)
	assert.Equal(t, "demo__fix-1", f.finalized[0].Ref.InstanceID)
	v, err := env.QueryWorkflow("status")
	require.NoError(t, err)
	var st wf.InstanceStatus
	require.NoError(t, v.Get(&st))
	assert.Equal(t, wf.InstanceStatus{Turn: 3, Calls: 3, Cost: rec.Cost, Phase: "done"}, st)
}

func TestInstanceFormatErrors(t *testing.T) {
	for _, tc := range []struct {
		patch int
		want  string
	}{{17, "submitted (exit_format)"}, {0, agent.ExitFormat}} {
		t.Run(tc.want, func(t *testing.T) {
			env, f := newInstanceEnv(t)
			f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
				return wf.ModelCallResult{Valid: in.Turn < 2, FormatError: "no code block", Usage: testUsage, Cost: 0.5}, nil
			}
			f.autosubmit = func(wf.AutosubmitInput) (wf.AutosubmitResult, error) {
				return wf.AutosubmitResult{PatchBytes: tc.patch}, nil
			}
			rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
			assert.Equal(t, tc.want, rec.ExitStatus)
			assert.Equal(t, tc.patch > 0, rec.Submitted)
			assert.Equal(t, 1, rec.Turns)
			assert.Equal(t, 4, rec.APICalls) // 1 for turn 1, 3 attempts for turn 2
			assert.Equal(t, 2, rec.Requeries)
			assert.InDelta(t, 2.0, rec.Cost, 1e-9)
			assert.Equal(t, 1, f.autosubs)
			var attempts []int
			for _, m := range f.models[1:] {
				assert.Equal(t, 2, m.Turn)
				attempts = append(attempts, m.Attempt)
			}
			assert.Equal(t, []int{0, 1, 2}, attempts)
			assert.Len(t, f.executes, 1, "no action runs for a turn without a valid reply")
		})
	}
}

func TestInstanceLimits(t *testing.T) {
	t.Run("call limit", func(t *testing.T) {
		env, f := newInstanceEnv(t)
		lim := agent.DefaultLimits()
		lim.CallLimit = 2
		rec := runInstance(t, env, instanceIn("raw", lim))
		assert.Equal(t, agent.ExitCost, rec.ExitStatus)
		assert.Equal(t, 3, rec.APICalls)
		assert.Equal(t, 2, rec.Turns)
		assert.Len(t, f.models, 3)
		assert.Len(t, f.executes, 2)
		assert.Equal(t, 1, f.autosubs)
	})
	t.Run("cost limit", func(t *testing.T) {
		env, f := newInstanceEnv(t)
		lim := agent.DefaultLimits()
		lim.CostLimit = 0.6 // 0.25 per call: exceeded by the 3rd call
		f.autosubmit = func(wf.AutosubmitInput) (wf.AutosubmitResult, error) { return wf.AutosubmitResult{PatchBytes: 5}, nil }
		rec := runInstance(t, env, instanceIn("raw", lim))
		assert.Equal(t, "submitted (exit_cost)", rec.ExitStatus)
		assert.True(t, rec.Submitted)
		assert.Equal(t, 3, rec.APICalls)
		assert.Equal(t, 2, rec.Turns)
		assert.InDelta(t, 0.75, rec.Cost, 1e-9)
	})
}

func TestInstanceSummaries(t *testing.T) {
	t.Run("llm_summary", func(t *testing.T) {
		env, f := newInstanceEnv(t)
		f.execute = submitOn(4)
		f.summarize = func(in wf.SummarizeInput) (wf.SummarizeResult, error) {
			switch in.Turn {
			case 2:
				return wf.SummarizeResult{}, temporal.NewNonRetryableApplicationError("boom", "Boom", nil)
			case 3: // a placeholder summary: made without a model call
				return wf.SummarizeResult{Made: true}, nil
			}
			return wf.SummarizeResult{Made: true, Called: true, Usage: agent.Usage{Input: 7, Output: 3}, Cost: 0.05}, nil
		}
		rec := runInstance(t, env, instanceIn("llm_summary", agent.DefaultLimits()))
		assert.Equal(t, agent.ExitSubmitted, rec.ExitStatus, "a failed summary does not end the instance")
		assert.Equal(t, 4, rec.Turns)
		var turns, done []int
		for _, s := range f.summaries {
			turns, done = append(turns, s.Turn), append(done, s.Done)
			assert.False(t, s.SkipCall)
		}
		assert.Equal(t, []int{1, 2, 3}, turns, "one request after each non-final turn, none after the submit")
		assert.Equal(t, []int{0, 1, 1}, done, "the failed summary is not counted")
		assert.Equal(t, 2, rec.Summaries)
		assert.Equal(t, 4+1, rec.APICalls, "only summaries that called the model count")
		assert.Equal(t, agent.Usage{Input: 7, Output: 3}, rec.SummaryUsage)
		assert.InDelta(t, 0.05, rec.SummaryCost, 1e-9)
		assert.Equal(t, agent.Usage{Input: 400, CachedInput: 160, Output: 40}, rec.Usage, "summary tokens kept apart")
		assert.InDelta(t, 1.0, rec.Cost, 1e-9)
		assert.InDelta(t, 1.05, rec.TotalCost(), 1e-9)
	})
	t.Run("raw", func(t *testing.T) {
		env, f := newInstanceEnv(t)
		f.execute = submitOn(4)
		rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
		assert.Empty(t, f.summaries)
		assert.Equal(t, 4, rec.APICalls)
		assert.Equal(t, 0, rec.Summaries)
	})
}

func TestInstanceSandboxLost(t *testing.T) {
	env, f := newInstanceEnv(t)
	lost := false
	f.execute = func(in wf.ExecuteInput) (wf.ExecuteResult, error) {
		if in.Turn == 3 && !lost {
			lost = true
			return wf.ExecuteResult{}, temporal.NewNonRetryableApplicationError("gone", wf.ErrSandboxLost, nil)
		}
		return wf.ExecuteResult{Submitted: in.Turn == 4, ExecSeconds: 1}, nil
	}
	rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
	assert.Equal(t, agent.ExitSubmitted, rec.ExitStatus)
	assert.Equal(t, 1, rec.Recoveries)
	assert.Equal(t, 4, rec.Turns)
	assert.Equal(t, 4, rec.APICalls, "the turn's model call is not paid again")
	assert.Equal(t, 2, f.setups)
	require.Len(t, f.restores, 1)
	assert.Equal(t, 2, f.restores[0].Turns)
	assert.Equal(t, "sb-2", f.restores[0].SandboxID)
	var turns []int
	for _, e := range f.executes {
		turns = append(turns, e.Turn)
	}
	assert.Equal(t, []int{1, 2, 3, 3, 4}, turns)
	last := f.executes[len(f.executes)-1]
	assert.Equal(t, "sb-2", last.SandboxID, "turns after the recovery use the new sandbox")
}

func TestInstanceContinueAsNew(t *testing.T) {
	env, f := newInstanceEnv(t)
	in := instanceIn("raw", agent.DefaultLimits())
	in.Ref.Trial.Tuning.ContinueAsNewEvery = 2
	env.ExecuteWorkflow(wf.InstanceWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	require.True(t, workflow.IsContinueAsNewError(err), "got %v", err)
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(err, &can))
	var next wf.InstanceInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.State)
	assert.Equal(t, 2, next.State.Turn)
	assert.Equal(t, 2, next.State.Calls)
	assert.Equal(t, "sb-1", next.State.SandboxID)
	assert.Equal(t, in.Ref, next.Ref)
	assert.Len(t, f.models, 2, "turn 3 belongs to the next run")
	assert.Empty(t, f.finalized)
	assert.Zero(t, f.teardowns, "the sandbox survives continue-as-new")
}
