package activities_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/activity"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// With a summarizer whose queue has max_concurrent, the real Summarize
// activity says when a summary needs a model call, and only then does the
// instance take a slot of the queue's limiter; the summary is made while
// the slot is held and counted once.
func TestSummaryCallsHoldALimiterSlot(t *testing.T) {
	replies := []reply{}
	for range 8 {
		replies = append(replies, bash("echo x"))
	}
	l := newLoop(t, replies...)
	var reqs []wf.SlotRequest
	var held atomic.Bool
	var heldAt []bool // per model call, under the scripted model's lock
	l.model.onCall = func() { heldAt = append(heldAt, held.Load()) }
	l.env.RegisterActivityWithOptions(func(_ context.Context, r wf.SlotRequest) error {
		reqs = append(reqs, r)
		l.env.RegisterDelayedCallback(func() {
			held.Store(true)
			l.env.SignalWorkflow(wf.SignalSlotGrant, wf.SlotGrant{Queue: r.Queue, Token: r.Token})
		}, time.Second)
		return nil
	}, activity.RegisterOptions{Name: wf.ActRequestSlot})
	l.env.OnSignalExternalWorkflow(mock.Anything, wf.LimiterID("q-sum"), "", wf.SignalSlotRelease, mock.Anything).Return(
		func(_, _, _, _ string, _ any) error { held.Store(false); return nil })
	r := ref(agent.Limits{CallLimit: 8})
	r.Trial.Strategy = strategy.Defaults("llm_summary")
	r.Trial.Strategy.SumN, r.Trial.Strategy.SumKeepM = 2, 1
	r.Trial.Config.Strategy = "llm_summary"
	r.Trial.SummaryQueue, r.Trial.SummarySlots = "q-sum", 1
	rec := l.runRef(t, r)
	if rec.Summaries == 0 || rec.Turns < 3 {
		t.Fatalf("record %+v: want summaries made over several turns", rec)
	}
	// Summary calls are the ones whose system prompt is not the agent's.
	sent := l.model.sent
	summaries := 0
	for i, msgs := range sent {
		if msgs[0].Content == sent[0][0].Content {
			continue
		}
		summaries++
		if !heldAt[i] {
			t.Errorf("model call %d (a summary) made without a slot", i+1)
		}
	}
	if summaries != rec.Summaries || len(reqs) != rec.Summaries {
		t.Errorf("%d slot requests, %d summary calls for %d summaries over %d turns: want one per summary", len(reqs), summaries, rec.Summaries, rec.Turns)
	}
	if held.Load() {
		t.Error("the last slot was not given back")
	}
	t.Logf("%d turns, %d summaries, %d slots", rec.Turns, rec.Summaries, len(reqs))
}
