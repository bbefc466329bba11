package llm

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
)

func builtin(t *testing.T) Presets {
	t.Helper()
	ps, err := LoadPresets(config.Models)
	require.NoError(t, err)
	return ps
}

// A scripted three-call conversation with DeepSeek's wire usage (OpenAI
// cached_tokens on one call, DeepSeek's prompt_cache_hit_tokens on another)
// costs exactly what the price table implies.
func TestScriptedConversationCost(t *testing.T) {
	usages := []string{
		`{"prompt_tokens":10000,"completion_tokens":500,"total_tokens":10500}`,
		`{"prompt_tokens":12000,"completion_tokens":300,"total_tokens":12300,"prompt_tokens_details":{"cached_tokens":9984}}`,
		`{"prompt_tokens":15000,"completion_tokens":800,"total_tokens":15800,"prompt_cache_hit_tokens":11904,"prompt_cache_miss_tokens":3096}`,
	}
	f := newFake(t, func(n int, _ seen) reply {
		return reply{Body: `{"id":"x","object":"chat.completion","created":1,"model":"deepseek-chat",
		"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"ok",
		"tool_calls":[{"id":"c","type":"function","function":{"name":"submit","arguments":"{}"}}]}}],"usage":` + usages[n-1] + `}`}
	})
	p := builtin(t)["deepseek-chat"]
	p.APIBase = f.URL
	m, err := New(p, MapEnv(map[string]string{"DEEPSEEK_API_KEY": testKey}), Options{Timeout: 5 * time.Second})
	require.NoError(t, err)
	total := 0.0
	var sum agent.Usage
	for turn := 1; turn <= 3; turn++ {
		req := request()
		req.Turn = turn
		resp, err := m.Complete(context.Background(), req)
		require.NoError(t, err)
		sum = sum.Add(resp.Usage)
		total += p.Cost(resp.Usage)
	}
	require.Equal(t, agent.Usage{Input: 37000, CachedInput: 21888, Output: 1600}, sum)
	// $0.28 per M uncached input, $0.028 per M cache hits, $0.42 per M output:
	// (10000·0.28 + 500·0.42) + (2016·0.28 + 9984·0.028 + 300·0.42)
	// + (3096·0.28 + 11904·0.028 + 800·0.42) = 5516.224 µ$.
	require.InDelta(t, 0.005516224, total, 1e-12)
}

func TestCostRules(t *testing.T) {
	ps := builtin(t)
	// Anthropic usage with cache writes: 500 uncached, 2000 written, 10000
	// read, 100 out = 500·3 + 2000·3.75 + 10000·0.3 + 100·15.
	short := agent.Usage{Input: 12500, CachedInput: 10000, CacheWrite: 2000, Output: 100}
	require.InDelta(t, 0.0135, ps["claude-sonnet-4.5"].Cost(short), 1e-12)
	// Over 200k prompt tokens the long-context tier applies to everything.
	long := agent.Usage{Input: 211000, CachedInput: 150000, CacheWrite: 60000, Output: 2000}
	require.InDelta(t, (1000*6.0+60000*7.5+150000*0.6+2000*22.5)/1e6, ps["claude-sonnet-4.5"].Cost(long), 1e-12)
	// Reasoning tokens are priced as output; cached input at the cached price.
	gpt5 := agent.Usage{Input: 2000, CachedInput: 1536, Output: 116, Reasoning: 384}
	require.InDelta(t, (464*1.25+1536*0.125+500*10.0)/1e6, ps["gpt-5"].Cost(gpt5), 1e-12)
	// Without cache_write, writes are priced as input.
	require.InDelta(t, (1000*0.30+100*2.50)/1e6, ps["gemini-2.5-flash"].Cost(agent.Usage{Input: 1000, CacheWrite: 400, Output: 100}), 1e-12)
	// Coding-plan presets stay at zero; unpriced presets report zero and say so.
	big := agent.Usage{Input: 1e6, Output: 1e6}
	for _, name := range []string{"glm-4.6", "minimax-m2", "kimi-k2"} {
		require.True(t, ps[name].ZeroCost, name)
		require.Zero(t, ps[name].Cost(big), name)
		require.True(t, ps[name].Priced(), name)
	}
	unpriced := Preset{Name: "mine", Provider: ProviderOpenAI}
	require.False(t, unpriced.Priced())
	require.Zero(t, unpriced.Cost(big))
}

func TestTierSelection(t *testing.T) {
	p := Preset{Price: &Price{Input: 1, Output: 1, Tiers: []PriceTier{
		{Above: 128000, Input: 3, Output: 3}, {Above: 32000, Input: 2, Output: 2}}}}
	require.InDelta(t, 32000/1e6, p.Cost(agent.Usage{Input: 32000}), 1e-12, "at the boundary the base price holds")
	require.InDelta(t, 2*32001/1e6, p.Cost(agent.Usage{Input: 32001}), 1e-12)
	require.InDelta(t, 3*200000/1e6, p.Cost(agent.Usage{Input: 200000}), 1e-12, "the highest matching tier wins, in any order")
}
