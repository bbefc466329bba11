package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/traj"
)

func params(name string, o int) strategy.Params {
	p := strategy.Defaults(name)
	p.ObsN = o
	return p
}

func simulate(t *testing.T, f *traj.File, p strategy.Params) Result {
	t.Helper()
	r, err := Simulate(f, p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSimulateByHand checks the simulator on a 3-turn trajectory against
// sums written out message by message.
func TestSimulateByHand(t *testing.T) {
	msg := func(role, content string) agent.Message { return agent.Message{Role: role, Content: content} }
	h := []agent.Message{msg("system", "S"), msg("user", "issue"),
		msg("assistant", "a1"), msg("user", "o1\nline"), msg("assistant", "a2"), msg("user", "o2"), msg("assistant", "a3")}
	data, _ := json.Marshal(map[string]any{"history": h})
	f, err := traj.Parse("hand.traj", data)
	if err != nil {
		t.Fatal(err)
	}
	c := func(ms ...agent.Message) int { return llm.CountMessages(ms) }
	masked := msg("user", strategy.MaskedContent("o1\nline"))
	// raw: every prompt extends the previous prompt + reply.
	want := Result{Calls: 3,
		Input:     c(h[:2]...) + c(h[:4]...) + c(h[:6]...),
		Cached:    0 + c(h[:3]...) + c(h[:5]...),
		Output:    c(h[2]) + c(h[4]) + c(h[6]),
		Followups: 2, Reused: 2}
	if got := simulate(t, f, strategy.Defaults(strategy.Raw)); got != want {
		t.Errorf("raw: %+v, want %+v", got, want)
	}
	// masking o=1: query 3 masks o1, so the cache stops before it.
	want.Input = c(h[:2]...) + c(h[:4]...) + c(h[0], h[1], h[2], masked, h[4], h[5])
	want.Cached = 0 + c(h[:3]...) + c(h[:3]...)
	want.Reused = 1 // query 3 recomputes from the masked observation on
	if got := simulate(t, f, params(strategy.ObservationMasking, 1)); got != want {
		t.Errorf("masking o=1: %+v, want %+v", got, want)
	}
	if got := want.Cost(Price{Input: 1e6, Cached: 0, Output: 0}); got != float64(want.Input-want.Cached) {
		t.Errorf("cost of uncached input = %v", got)
	}
	if _, err := Simulate(f, strategy.Defaults(strategy.LLMSummary)); err == nil {
		t.Error("summarizing strategy accepted")
	}
}

// TestCacheGainOnLongTrajectory is the regression guard for the
// cache-aware strategy at the paper's o=10 on synthetic 100-turn runs with
// the paper's sizes. The literal target, 2x the hit rate of
// observation_masking, cannot be reached here: masking already caches more
// than half the input (its prefix up to the newly masked observation), and
// no hit rate exceeds 100%. So this asserts what a cache-aware strategy can
// deliver: >= 90% hit rate, >= 90% of the largest possible hit-rate gain,
// at least 2x (in fact >= 4x) fewer uncached input tokens, at most half
// the cost, and no more visible tokens.
func TestCacheGainOnLongTrajectory(t *testing.T) {
	price := Price{Input: 1.0, Cached: 0.1, Output: 5.0}
	for seed := uint64(1); seed <= 5; seed++ {
		f, err := Synthetic(100, seed)
		if err != nil {
			t.Fatal(err)
		}
		m := simulate(t, f, params(strategy.ObservationMasking, 10))
		c := simulate(t, f, params(strategy.ObservationMaskingCached, 10))
		ceiling := 1 / m.HitRate()
		gain := c.HitRate() / m.HitRate()
		t.Logf("seed %d: hit %.1f%% vs %.1f%% (%.2fx of at most %.2fx), uncached %d vs %d, cost %.4f vs %.4f, visible %.0f vs %.0f",
			seed, 100*c.HitRate(), 100*m.HitRate(), gain, ceiling, c.Input-c.Cached, m.Input-m.Cached, c.Cost(price), m.Cost(price), c.MeanVisible(), m.MeanVisible())
		if c.HitRate() < 0.9 || gain < 0.9*ceiling {
			t.Errorf("seed %d: hit rate %.3f (%.2fx masking's, ceiling %.2fx)", seed, c.HitRate(), gain, ceiling)
		}
		if 4*(c.Input-c.Cached) > m.Input-m.Cached {
			t.Errorf("seed %d: uncached input %d vs masking's %d, want at most a quarter", seed, c.Input-c.Cached, m.Input-m.Cached)
		}
		if 2*c.Cost(price) > m.Cost(price) {
			t.Errorf("seed %d: cost %.4f vs %.4f, want at most half", seed, c.Cost(price), m.Cost(price))
		}
		if c.Input > m.Input || c.Calls != 100 || m.Calls != 100 || c.Output != m.Output {
			t.Errorf("seed %d: cached %+v vs masking %+v", seed, c, m)
		}
	}
}

// TestHitRateTargetWhereReachable checks the 2x hit-rate target in
// the regime where any strategy could meet it (masking caching less than
// half): o=20 on the synthetic runs, and a trajectory whose observations
// dwarf its replies.
func TestHitRateTargetWhereReachable(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		f, _ := Synthetic(100, seed)
		m := simulate(t, f, params(strategy.ObservationMasking, 20))
		c := simulate(t, f, params(strategy.ObservationMaskingCached, 20))
		if m.HitRate() >= 0.5 {
			t.Fatalf("seed %d: masking caches %.1f%% at o=20; the target is out of reach", seed, 100*m.HitRate())
		}
		if c.HitRate() < 2*m.HitRate() {
			t.Errorf("seed %d, o=20: hit rate %.1f%% vs %.1f%%, want 2x", seed, 100*c.HitRate(), 100*m.HitRate())
		}
	}
}

func TestReportPrintsBothStrategies(t *testing.T) {
	f, _ := Synthetic(30, 1)
	var b bytes.Buffer
	if err := report(&b, BreakpointCache, []int{10, 4}, Price{1, 0.1, 5}, nil, []*traj.File{f}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"o=10 ", "o=4 ", "observation_masking_cached", "synthetic-30", "hit rate", "cost $", `"breakpoints"`} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// On a long trajectory the cached strategy reuses the whole previous
// context on most calls, masking almost never (it masks one more
// observation on every call past o+1).
func TestRequestLevelReuse(t *testing.T) {
	f, err := Synthetic(100, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, c, err := pair(f, 10, PrefixCache)
	if err != nil {
		t.Fatal(err)
	}
	if m.Followups != 99 || c.Followups != 99 {
		t.Fatalf("followups %d / %d, want 99", m.Followups, c.Followups)
	}
	if c.ReuseRate() < 2*m.ReuseRate() || c.ReuseRate() < 0.8 {
		t.Errorf("request-level reuse: cached %.2f, masking %.2f", c.ReuseRate(), m.ReuseRate())
	}
}

// TestBreakpointCacheByHand checks the breakpoint model on a 4-turn
// trajectory under raw and under masking with o=1, message by message.
func TestBreakpointCacheByHand(t *testing.T) {
	msg := func(role, content string) agent.Message { return agent.Message{Role: role, Content: content} }
	h := []agent.Message{msg("system", "S"), msg("user", "issue"),
		msg("assistant", "a1"), msg("user", "o1"), msg("assistant", "a2"), msg("user", "o2"),
		msg("assistant", "a3"), msg("user", "o3"), msg("assistant", "a4")}
	data, _ := json.Marshal(map[string]any{"history": h})
	f, err := traj.Parse("hand.traj", data)
	if err != nil {
		t.Fatal(err)
	}
	c := func(ms ...agent.Message) int { return llm.CountMessages(ms) }
	// raw: call t reads the prefix call t-1 wrote at its last mark (its
	// whole prompt), not the reply.
	r, err := SimulateWith(f, strategy.Defaults(strategy.Raw), BreakpointCache)
	if err != nil {
		t.Fatal(err)
	}
	if want := c(h[:2]...) + c(h[:4]...) + c(h[:6]...); r.Cached != want || r.Reused != 3 {
		t.Errorf("raw: cached %d reused %d, want %d and 3", r.Cached, r.Reused, want)
	}
	// masking o=1: call 1 reads nothing; call 2 reads the instance prefix call 1 wrote (its
	// whole prompt: a request-level hit); call 3 masks o1, so only that
	// instance prefix matches (written at a mark of calls 1 and 2); call 4
	// masks o2 as well: the prefix call 3 wrote at its mark on the masked
	// o1 matches, within the lookback of call 4's last mark.
	p := strategy.Defaults(strategy.ObservationMasking)
	p.ObsN = 1
	r, err = SimulateWith(f, p, BreakpointCache)
	if err != nil {
		t.Fatal(err)
	}
	m1 := msg("user", strategy.MaskedContent("o1"))
	want := 2*c(h[:2]...) + c(h[0], h[1], h[2], m1)
	if r.Cached != want || r.Reused != 1 {
		t.Errorf("masking o=1: cached %d reused %d, want %d and 1", r.Cached, r.Reused, want)
	}
}

// TestBreakpointHitRateTarget: under Anthropic's breakpoint caching the
// cached strategy reaches at least twice masking's hit rate at o=10 on
// long synthetic runs, with no more visible tokens on average (+2%).
func TestBreakpointHitRateTarget(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		f, _ := Synthetic(100, seed)
		m, c, err := pair(f, 10, BreakpointCache)
		if err != nil {
			t.Fatal(err)
		}
		if c.HitRate() < 2*m.HitRate() {
			t.Errorf("seed %d: hit rate %.1f%% vs %.1f%%, want 2x", seed, 100*c.HitRate(), 100*m.HitRate())
		}
		if c.MeanVisible() > 1.02*m.MeanVisible() {
			t.Errorf("seed %d: visible %.0f vs %.0f", seed, c.MeanVisible(), m.MeanVisible())
		}
	}
}

func TestUnknownCacheModel(t *testing.T) {
	f, _ := Synthetic(3, 1)
	if _, err := SimulateWith(f, strategy.Defaults(strategy.Raw), "lru"); err == nil || !strings.Contains(err.Error(), "lru") {
		t.Errorf("err = %v", err)
	}
}
