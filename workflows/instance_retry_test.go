package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

type turnAttempt struct{ turn, attempt int }

func modelAttempts(f *fakeActs) []turnAttempt {
	var out []turnAttempt
	for _, m := range f.models {
		out = append(out, turnAttempt{m.Turn, m.Attempt})
	}
	return out
}

// TestInstanceRetryWithOutput: an action that fails the seed's
// retry-with-output way (an editor error) makes the next model call a new
// attempt of the same turn: a re-query, not a turn, not a format error.
func TestInstanceRetryWithOutput(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.execute = func(in wf.ExecuteInput) (wf.ExecuteResult, error) {
		retry := in.Turn == 2 && in.Attempt < 2
		return wf.ExecuteResult{RetryWithOutput: retry, Submitted: in.Turn == 3, ExecSeconds: 1}, nil
	}
	rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
	assert.Equal(t, agent.ExitSubmitted, rec.ExitStatus)
	assert.Equal(t, 3, rec.Turns)
	assert.Equal(t, 5, rec.APICalls)
	assert.Equal(t, 2, rec.Requeries, "each retry is a re-query")
	assert.InDelta(t, 5.0, rec.ExecSeconds, 1e-9, "the retried commands' time counts")
	assert.Equal(t, []turnAttempt{{1, 0}, {2, 0}, {2, 1}, {2, 2}, {3, 0}}, modelAttempts(f))
	var executed []turnAttempt
	for _, e := range f.executes {
		executed = append(executed, turnAttempt{e.Turn, e.Attempt})
	}
	assert.Equal(t, []turnAttempt{{1, 0}, {2, 0}, {2, 1}, {2, 2}, {3, 0}}, executed)
	var sumTurns []int
	for _, s := range f.summaries {
		sumTurns = append(sumTurns, s.Turn)
	}
	assert.Empty(t, sumTurns, "raw makes no summary")
}

// TestInstanceRetryDoesNotResetFormatErrors: retries are not counted, but
// neither do they reset the count: three format errors of one turn end it
// with exit_format even with a retry between them (the seed's n_fail).
func TestInstanceRetryDoesNotResetFormatErrors(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
		valid := in.Attempt == 1 || in.Attempt == 3
		return wf.ModelCallResult{Valid: valid, FormatError: "no tool call", Usage: testUsage, Cost: 0.1}, nil
	}
	f.execute = func(in wf.ExecuteInput) (wf.ExecuteResult, error) {
		return wf.ExecuteResult{RetryWithOutput: true, ExecSeconds: 2}, nil
	}
	rec := runInstance(t, env, instanceIn("raw", agent.DefaultLimits()))
	assert.Equal(t, agent.ExitFormat, rec.ExitStatus)
	assert.Equal(t, 0, rec.Turns)
	// attempts: 0 error, 1 retry, 2 error, 3 retry, 4 error -> third error.
	assert.Equal(t, []turnAttempt{{1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}}, modelAttempts(f))
	assert.Equal(t, 5, rec.APICalls)
	assert.Equal(t, 4, rec.Requeries)
	assert.InDelta(t, 4.0, rec.ExecSeconds, 1e-9)
	assert.Equal(t, 1, f.autosubs)
}

// TestInstanceRetryTotalExecutionTime: the total execution time is checked
// before every query, retries included.
func TestInstanceRetryTotalExecutionTime(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.execute = func(in wf.ExecuteInput) (wf.ExecuteResult, error) {
		return wf.ExecuteResult{RetryWithOutput: true, ExecSeconds: 10}, nil
	}
	lim := agent.DefaultLimits()
	lim.TotalExecutionTimeoutSec = 25
	rec := runInstance(t, env, instanceIn("raw", lim))
	assert.Equal(t, agent.ExitTotalExecutionTime, rec.ExitStatus)
	assert.Len(t, f.models, 3)
	assert.InDelta(t, 30.0, rec.ExecSeconds, 1e-9)
}

// TestInstanceAgentConfigLimits: the agent configuration's loop limits
// (carried in the trial) replace the trial's; its call limit does not.
func TestInstanceAgentConfigLimits(t *testing.T) {
	env, f := newInstanceEnv(t)
	f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
		return wf.ModelCallResult{Valid: false, FormatError: "no tool call"}, nil
	}
	in := instanceIn("raw", agent.DefaultLimits())
	one, calls := 1, 1
	in.Ref.Trial.Tuning.Agent = &agent.ConfigRef{Hash: "abc", Limits: agent.ConfigLimits{MaxRequeries: &one, CallLimit: &calls}}
	require.Equal(t, 1, in.Ref.Trial.AgentLimits().MaxRequeries)
	require.Equal(t, 250, in.Ref.Trial.AgentLimits().CallLimit)
	rec := runInstance(t, env, in)
	assert.Equal(t, agent.ExitFormat, rec.ExitStatus)
	assert.Len(t, f.models, 1, "max_requeries 1: the first format error ends the turn")
}
