package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/traj"
)

// Price is USD per million tokens.
type Price struct{ Input, Cached, Output float64 }

// Result sums the simulated calls of one or more trajectories.
type Result struct {
	Calls  int
	Input  int // prompt tokens (what the model sees)
	Cached int // prompt tokens served by the simulated prefix cache
	Output int // reply tokens
	// Followups are the calls after a trajectory's first; Reused counts
	// those whose whole previous context (prompt + reply) was a cached
	// prefix: a request-level cache hit, nothing recomputed but the new
	// observation.
	Followups, Reused int
}

// Add returns the sum of r and o.
func (r Result) Add(o Result) Result {
	return Result{r.Calls + o.Calls, r.Input + o.Input, r.Cached + o.Cached, r.Output + o.Output,
		r.Followups + o.Followups, r.Reused + o.Reused}
}

// ReuseRate is Reused / Followups: the request-level hit rate.
func (r Result) ReuseRate() float64 { return float64(r.Reused) / float64(max(1, r.Followups)) }

// MeanVisible is the mean prompt size per call, in tokens.
func (r Result) MeanVisible() float64 { return float64(r.Input) / float64(max(1, r.Calls)) }

// HitRate is cached / input tokens.
func (r Result) HitRate() float64 { return float64(r.Cached) / float64(max(1, r.Input)) }

// Cost prices uncached input, cached input and output tokens.
func (r Result) Cost(p Price) float64 {
	return (float64(r.Input-r.Cached)*p.Input + float64(r.Cached)*p.Cached + float64(r.Output)*p.Output) / 1e6
}

// CacheModel is how the simulated provider caches prompts.
type CacheModel string

const (
	// PrefixCache is the seed's simulation (seed-system §5.4, llm.CachedPrefix)
	// and how automatic prompt caching works (OpenAI, Gemini, DeepSeek): the
	// cached tokens of a call are those of the longest run of leading
	// messages equal (role, content) to the previous call's prompt followed
	// by its reply.
	PrefixCache CacheModel = "prefix"
	// BreakpointCache is Anthropic's explicit caching as the seed's
	// cache_control processor drives it (seed-system §2.6: ephemeral marks
	// on the last 2 user/tool messages): a call writes a cache entry for the
	// prefix ending at each marked message, and reads the longest entry
	// written earlier that ends at a marked message or at one of the 20
	// message boundaries before it. Nothing else is cached.
	BreakpointCache CacheModel = "breakpoints"
)

// Breakpoint cache parameters (the seed's cache_control defaults and
// Anthropic's lookback).
const (
	marksPerCall = 2
	lookback     = 20
)

// Simulate replays every model query of f under p with the seed's prefix
// cache (PrefixCache).
func Simulate(f *traj.File, p strategy.Params) (Result, error) {
	return SimulateWith(f, p, PrefixCache)
}

// SimulateWith replays every model query of f under p with the cache model
// m. The reply of query t is the recorded assistant item of turn t.
func SimulateWith(f *traj.File, p strategy.Params, m CacheModel) (Result, error) {
	if p.Summarizes() {
		return Result{}, fmt.Errorf("cachesim: %s needs summaries; only strategies without summaries are simulated", p.Strategy)
	}
	if m != PrefixCache && m != BreakpointCache {
		return Result{}, fmt.Errorf("cachesim: unknown cache model %q (want %q or %q)", m, PrefixCache, BreakpointCache)
	}
	var r Result
	var prev, prevPrompt []agent.Message
	written := map[[32]byte]bool{}
	for t := 1; t <= len(f.Queries); t++ {
		h, err := f.Prefix(t)
		if err != nil {
			return r, err
		}
		view, err := strategy.View(p, h, nil)
		if err != nil {
			return r, fmt.Errorf("%s turn %d: %w", f.Name, t, err)
		}
		a := f.History[f.Queries[t-1]]
		reply := agent.Message{Role: a.Role, Content: a.Content, ToolCalls: a.ToolCalls}
		r.Calls++
		r.Input += llm.CountMessages(view)
		var hit, reusable int
		if m == PrefixCache {
			hit = llm.CachedPrefix(prev, view)
			reusable = llm.CountMessages(prev)
		} else {
			hit = breakpointHit(view, written)
			reusable = llm.CountMessages(prevPrompt)
		}
		r.Cached += hit
		if t > 1 {
			r.Followups++
			if hit >= reusable {
				r.Reused++
			}
		}
		r.Output += llm.CountMessages([]agent.Message{reply})
		prev = append(view, reply)
		prevPrompt = view
	}
	return r, nil
}

// breakpointHit returns the tokens view reads from the breakpoint cache and
// records the entries it writes.
func breakpointHit(view []agent.Message, written map[[32]byte]bool) int {
	keys := prefixKeys(view)
	var marks []int // indices of marked messages, newest first
	for i := len(view) - 1; i >= 0 && len(marks) < marksPerCall; i-- {
		if view[i].Role == agent.RoleUser || view[i].Role == agent.RoleTool {
			marks = append(marks, i)
		}
	}
	best := 0 // longest cached prefix, in messages
	for _, b := range marks {
		for end := b + 1; end > 0 && end > b+1-lookback-1; end-- {
			if written[keys[end]] {
				best = max(best, end)
				break
			}
		}
	}
	for _, b := range marks {
		written[keys[b+1]] = true
	}
	return llm.CountMessages(view[:best])
}

// prefixKeys returns, for k = 0..len(ms), a hash of ms[:k] by role and
// content (the equality llm.CachedPrefix uses).
func prefixKeys(ms []agent.Message) [][32]byte {
	keys := make([][32]byte, len(ms)+1)
	for i, m := range ms {
		h := sha256.New()
		h.Write(keys[i][:])
		fmt.Fprintf(h, "%d:%s\x00%d:%s", len(m.Role), m.Role, len(m.Content), m.Content)
		copy(keys[i+1][:], h.Sum(nil))
	}
	return keys
}

// Synthetic returns a seed-layout trajectory of n turns with the sizes of
// the paper's runs (Gemini 2.5 Flash on SWE-bench Verified, fixtures
// paper/instance_costs_gemini_2.5_flash.csv: the prompt grows by ~658
// tokens a turn under raw and ~77 under masking, so a reply is ~60 tokens
// and an observation ~600): a ~2,000-token system prompt, a ~1,000-token
// instance message, 30-90-token replies, and observations of which 35% are
// short (1-5 lines), 40% medium (10-60 lines) and 25% long (100-220 lines),
// ~10 tokens a line. Deterministic for a seed.
func Synthetic(n int, seed uint64) (*traj.File, error) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	words := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			fmt.Fprintf(&b, "w%d ", rng.IntN(1000))
		}
		return b.String()
	}
	lines := func(k int) string {
		var b strings.Builder
		for i := 0; i < k; i++ {
			fmt.Fprintf(&b, "%d:%s\n", i+1, words(7))
		}
		return b.String()
	}
	h := []agent.Message{
		{Role: agent.RoleSystem, Content: lines(200), MessageType: agent.TypeSystemPrompt},
		{Role: agent.RoleUser, Content: lines(100), MessageType: agent.TypeObservation},
	}
	for t := 1; t <= n; t++ {
		id := fmt.Sprintf("call_%d", t)
		cmd := fmt.Sprintf("cmd_%d %s", t, words(3))
		var k int
		switch x := rng.Float64(); {
		case x < 0.35:
			k = 1 + rng.IntN(5)
		case x < 0.75:
			k = 10 + rng.IntN(51)
		default:
			k = 100 + rng.IntN(121)
		}
		h = append(h,
			agent.Message{Role: agent.RoleAssistant, Content: words(15 + rng.IntN(50)), MessageType: agent.TypeAction, Action: cmd,
				ToolCalls: []agent.ToolCall{{ID: id, Name: "bash", Arguments: fmt.Sprintf(`{"command":%q}`, cmd)}}},
			agent.Message{Role: agent.RoleTool, Content: lines(k) + "(Current directory: /testbed)\nbash-$", MessageType: agent.TypeObservation, ToolCallIDs: []string{id}})
	}
	data, err := json.Marshal(map[string]any{"environment": "synthetic", "history": h, "trajectory": []any{}, "summaries": nil})
	if err != nil {
		return nil, err
	}
	return traj.Parse(fmt.Sprintf("synthetic-%d", n), data)
}
