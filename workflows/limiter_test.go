package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/agent"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// limiterSim drives a LimiterWorkflow in the test suite: requesters are
// workflow ids; grants are the limiter's signals to them.
type limiterSim struct {
	t      *testing.T
	env    *testsuite.TestWorkflowEnvironment
	grants []string        // tokens, in grant order
	held   map[string]bool // granted and not released
	most   int             // most slots held at once
	gone   map[string]bool // requesters whose run has closed
	closed []string        // what ClosedHolders answers
	checks int
}

func newLimiterSim(t *testing.T) *limiterSim {
	s := &limiterSim{t: t, held: map[string]bool{}, gone: map[string]bool{}}
	s.env = (&testsuite.WorkflowTestSuite{}).NewTestWorkflowEnvironment()
	s.env.OnSignalExternalWorkflow(mock.Anything, mock.Anything, mock.Anything, wf.SignalSlotGrant, mock.Anything).Return(
		func(_, workflowID, _, _ string, arg any) error {
			g := arg.(wf.SlotGrant)
			if s.gone[workflowID] {
				return errors.New("workflow execution already completed")
			}
			s.grants = append(s.grants, g.Token)
			s.held[g.Token] = true
			s.most = max(s.most, len(s.held))
			return nil
		})
	s.env.RegisterActivityWithOptions(func(_ context.Context, hs []wf.SlotHolder) ([]string, error) {
		s.checks++
		var out []string
		for _, h := range hs {
			for _, c := range s.closed {
				if h.Token == c {
					out = append(out, c)
				}
			}
		}
		return out, nil
	}, activity.RegisterOptions{Name: wf.ActClosedHolders})
	return s
}

func (s *limiterSim) acquire(at time.Duration, who string, lease time.Duration) {
	s.env.RegisterDelayedCallback(func() {
		s.env.SignalWorkflow(wf.SignalSlotAcquire, wf.SlotRequest{Queue: "q", Max: 2, WorkflowID: who, RunID: "run-" + who, Token: who + "/1", Lease: lease})
	}, at)
}

func (s *limiterSim) release(at time.Duration, who string) {
	s.env.RegisterDelayedCallback(func() {
		delete(s.held, who+"/1")
		s.env.SignalWorkflow(wf.SignalSlotRelease, who+"/1")
	}, at)
}

func (s *limiterSim) state() wf.LimiterState {
	v, err := s.env.QueryWorkflow(wf.LimiterQuery)
	require.NoError(s.t, err)
	var st wf.LimiterState
	require.NoError(s.t, v.Get(&st))
	return st
}

func tokens(hs []wf.SlotHolder) []string {
	out := []string{}
	for _, h := range hs {
		out = append(out, h.Token)
	}
	return out
}

// The limiter grants at most Max slots at once, first come first served;
// a released slot goes to the oldest waiter; a request sent again is not
// queued twice; with nothing held or waiting it ends.
func TestLimiterGrantsFIFOUpToMax(t *testing.T) {
	s := newLimiterSim(t)
	for i, who := range []string{"a", "b", "c", "d", "e"} {
		s.acquire(time.Duration(i+1)*time.Second, who, time.Hour)
	}
	s.acquire(6*time.Second, "d", time.Hour) // sent again while waiting
	s.env.RegisterDelayedCallback(func() {
		st := s.state()
		assert.Equal(t, []string{"a/1", "b/1"}, tokens(st.Holders))
		assert.Equal(t, []string{"c/1", "d/1", "e/1"}, tokens(st.Waiters))
	}, 10*time.Second)
	s.release(20*time.Second, "b")
	s.release(30*time.Second, "a")
	s.release(40*time.Second, "c")
	s.release(50*time.Second, "d")
	s.release(60*time.Second, "e")
	s.env.ExecuteWorkflow(wf.LimiterWorkflow, wf.LimiterState{Queue: "q", Max: 2, IdleAfter: time.Minute})
	require.True(t, s.env.IsWorkflowCompleted(), "the idle limiter ends")
	require.NoError(t, s.env.GetWorkflowError())
	assert.Equal(t, []string{"a/1", "b/1", "c/1", "d/1", "e/1"}, s.grants)
	assert.Equal(t, 2, s.most, "never more than max_concurrent slots held")
	assert.Empty(t, s.held)
	assert.Positive(t, s.checks, "holders are checked while requests wait")
}

// A holder whose run has closed without giving its slot back (terminated)
// loses it to the next waiter at the next check; so does a holder whose
// lease is over; a waiter whose run has closed is skipped.
func TestLimiterReclaimsLostSlots(t *testing.T) {
	s := newLimiterSim(t)
	s.closed = []string{"a/1"}
	s.gone["c"] = true
	s.acquire(time.Second, "a", time.Hour)       // terminated while holding
	s.acquire(2*time.Second, "b", 5*time.Minute) // holds past its lease
	s.acquire(3*time.Second, "c", time.Hour)     // gone before its turn
	s.acquire(4*time.Second, "d", time.Hour)
	s.acquire(5*time.Second, "e", time.Hour)
	s.env.RegisterDelayedCallback(func() {
		assert.Equal(t, []string{"a/1", "b/1"}, s.grants, "nothing reclaimed before the first check")
	}, 20*time.Second)
	s.env.RegisterDelayedCallback(func() {
		assert.Equal(t, []string{"a/1", "b/1", "d/1"}, s.grants, "the closed holder's slot went to the next live waiter")
		st := s.state()
		assert.Equal(t, []string{"b/1", "d/1"}, tokens(st.Holders))
		assert.Equal(t, []string{"e/1"}, tokens(st.Waiters))
	}, 2*time.Minute)
	s.env.RegisterDelayedCallback(func() {
		assert.Equal(t, []string{"a/1", "b/1", "d/1", "e/1"}, s.grants, "e got b's slot when b's 5-minute lease was over")
		assert.Equal(t, 2, s.state().Reclaimed)
	}, 7*time.Minute)
	s.release(time.Hour, "d")
	s.release(time.Hour+time.Second, "e")
	s.env.ExecuteWorkflow(wf.LimiterWorkflow, wf.LimiterState{Queue: "q", Max: 2, CheckEvery: 30 * time.Second, IdleAfter: time.Minute})
	require.True(t, s.env.IsWorkflowCompleted())
	require.NoError(t, s.env.GetWorkflowError())
	assert.Equal(t, []string{"a/1", "b/1", "d/1", "e/1"}, s.grants)
	assert.Positive(t, s.checks)
}

// Continue-as-new carries the holders, the waiters and the counts.
func TestLimiterContinuesAsNewWithItsState(t *testing.T) {
	s := newLimiterSim(t)
	for i := range 12 {
		s.acquire(time.Duration(i+1)*time.Second, fmt.Sprintf("w%02d", i), time.Hour)
	}
	for i := range 9 {
		s.release(time.Duration(20+i)*time.Second, fmt.Sprintf("w%02d", i))
	}
	s.env.ExecuteWorkflow(wf.LimiterWorkflow, wf.LimiterState{Queue: "q", Max: 2, MaxSteps: 20, IdleAfter: time.Minute})
	require.True(t, s.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(s.env.GetWorkflowError(), &can), "want continue-as-new, got %v", s.env.GetWorkflowError())
	var next wf.LimiterState
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	assert.Equal(t, "q", next.Queue)
	assert.Equal(t, 2, next.Max)
	assert.Equal(t, 20, next.MaxSteps)
	assert.Len(t, next.Holders, 2)
	assert.Equal(t, len(s.grants), next.Granted)
	assert.Equal(t, len(s.held), len(next.Holders), "the carried holders are the ones still holding")
	for _, h := range next.Holders {
		assert.True(t, s.held[h.Token], "carried holder %s holds a slot", h.Token)
	}
	assert.Equal(t, 12, next.Granted+len(next.Waiters), "every request is granted or still waiting")
	for i := 1; i < len(next.Waiters); i++ {
		assert.Less(t, next.Waiters[i-1].Token, next.Waiters[i].Token, "waiters keep their order")
	}
}

// An instance whose model queue has max_concurrent asks the queue's
// limiter for a slot before every model call, says so in its phase while
// it waits, and gives the slot back after the call.
func TestInstanceHoldsALimiterSlotPerModelCall(t *testing.T) {
	env, f := newInstanceEnv(t)
	var reqs []wf.SlotRequest
	var releases []string
	inCall := false
	env.RegisterActivityWithOptions(func(_ context.Context, r wf.SlotRequest) error {
		reqs = append(reqs, r)
		env.RegisterDelayedCallback(func() {
			v, err := env.QueryWorkflow("status")
			require.NoError(t, err)
			var st wf.InstanceStatus
			require.NoError(t, v.Get(&st))
			assert.Contains(t, st.Phase, "waiting for a openai-fake slot")
			env.SignalWorkflow(wf.SignalSlotGrant, wf.SlotGrant{Queue: r.Queue, Token: r.Token})
		}, time.Second)
		return nil
	}, activity.RegisterOptions{Name: wf.ActRequestSlot})
	env.OnSignalExternalWorkflow(mock.Anything, wf.LimiterID("ctxsweep-llm-openai-fake"), "", wf.SignalSlotRelease, mock.Anything).Return(
		func(_, _, _, _ string, arg any) error {
			assert.False(t, inCall)
			releases = append(releases, arg.(string))
			return nil
		})
	f.model = func(in wf.ModelCallInput) (wf.ModelCallResult, error) {
		assert.Len(t, reqs, len(f.models), "a slot was asked for before the call")
		assert.Len(t, releases, len(f.models)-1, "the earlier slots were given back")
		return wf.ModelCallResult{Valid: true, Usage: testUsage, Cost: 0.1}, nil
	}
	f.execute = submitOn(3)
	in := instanceIn("raw", agent.DefaultLimits())
	in.Ref.Trial.ModelQueue, in.Ref.Trial.ModelSlots = "ctxsweep-llm-openai-fake", 1
	rec := runInstance(t, env, in)
	require.Equal(t, agent.ExitSubmitted, rec.ExitStatus)
	require.Len(t, reqs, 3)
	assert.Len(t, releases, 3)
	seen := map[string]bool{}
	for i, r := range reqs {
		assert.Equal(t, 1, r.Max)
		assert.False(t, seen[r.Token], "tokens are unique")
		seen[r.Token] = true
		assert.Equal(t, r.Token, releases[i])
	}
}

// A summarizer with max_concurrent takes a slot only for the turns whose
// summary calls the model: the activity says so first (NeedsSlot).
func TestInstanceSummaryTakesASlotOnlyWhenItCallsTheModel(t *testing.T) {
	env, f := newInstanceEnv(t)
	var reqs []wf.SlotRequest
	held := false
	env.RegisterActivityWithOptions(func(_ context.Context, r wf.SlotRequest) error {
		reqs = append(reqs, r)
		env.RegisterDelayedCallback(func() {
			held = true
			env.SignalWorkflow(wf.SignalSlotGrant, wf.SlotGrant{Queue: r.Queue, Token: r.Token})
		}, time.Second)
		return nil
	}, activity.RegisterOptions{Name: wf.ActRequestSlot})
	env.OnSignalExternalWorkflow(mock.Anything, wf.LimiterID("q-sum"), "", wf.SignalSlotRelease, mock.Anything).Return(
		func(_, _, _, _ string, _ any) error { held = false; return nil })
	f.summarize = func(in wf.SummarizeInput) (wf.SummarizeResult, error) {
		switch {
		case in.Turn != 2:
			assert.True(t, in.AskSlot)
			return wf.SummarizeResult{}, nil // nothing due
		case in.AskSlot:
			return wf.SummarizeResult{NeedsSlot: true}, nil
		}
		assert.True(t, held, "the summary call holds a slot")
		return wf.SummarizeResult{Made: true, Called: true, Usage: testUsage, Cost: 0.05}, nil
	}
	f.execute = submitOn(4)
	in := instanceIn("llm_summary", agent.DefaultLimits())
	in.Ref.Trial.SummaryQueue, in.Ref.Trial.SummarySlots = "q-sum", 1
	rec := runInstance(t, env, in)
	require.Equal(t, agent.ExitSubmitted, rec.ExitStatus)
	require.Len(t, reqs, 1, "one slot, for the one summary that called the model")
	assert.Equal(t, "q-sum", reqs[0].Queue)
	assert.False(t, held, "the slot was given back")
	assert.Len(t, f.summaries, 4, "turns 1 and 3 ask once, turn 2 twice")
	assert.InDelta(t, 0.05, rec.SummaryCost, 1e-9)
}
