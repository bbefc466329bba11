package llm

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The seed's 45 preset keys (seed-system §5.2).
var seedPresets = strings.Fields(`gpt-4o gpt-4o-mini gpt-5.2 gpt-5.2-pro gpt-5.2-chat-latest gpt-5.1 gpt-5.1-codex
gpt-5.1-codex-mini gpt-5.1-codex-max gpt-5 gpt-5-chat-latest gpt-5-mini gpt-5-nano deepseek-chat deepseek-reasoner
claude-sonnet-4.5 claude-haiku-4.5 claude-opus-4.5 glm-4.6 glm-4.5-air minimax-m2 kimi-k2 kimi-k2-free
gemini-2.5-flash gemini-3-pro-preview openrouter/qwen/qwen3-coder:free openrouter/deepseek/deepseek-chat-v3-0324:free
openrouter/google/gemini-2.5-flash-preview-05-20 openrouter/anthropic/claude-sonnet-4 openrouter/meta-llama/llama-4-maverick:free
bedrock-qwen3-32b bedrock-qwen3-coder-480b bedrock-claude-haiku-4.5 bedrock-claude-haiku-4.5-us bedrock-claude-haiku-4.5-eu
bedrock-flash-equivalent bedrock-nova-pro bedrock-nova-pro-us bedrock-nova-pro-eu bedrock-nova-lite bedrock-nova-lite-us
bedrock-nova-lite-eu bedrock-nova-micro bedrock-nova-micro-us bedrock-nova-micro-eu`)

func TestBuiltinPresetsArePricedWithSources(t *testing.T) {
	ps := builtin(t)
	require.Len(t, seedPresets, 45)
	require.Len(t, ps, 46, "the seed's 45 plus replay")
	zero := []string{}
	for _, name := range seedPresets {
		p, ok := ps[name]
		require.True(t, ok, "missing preset %s", name)
		require.True(t, p.Priced(), "%s has neither a price nor zero_cost", name)
		if p.ZeroCost {
			zero = append(zero, name)
			require.Nil(t, p.Price, "%s: a zero-cost preset carries no price", name)
			continue
		}
		pr := p.Price
		require.True(t, strings.HasPrefix(pr.Source, "as of 20"), "%s: source %q must say as of when", name, pr.Source)
		require.GreaterOrEqual(t, pr.Input, 0.0, name)
		require.LessOrEqual(t, pr.CachedInput, pr.Input, "%s: cached input dearer than input", name)
		require.GreaterOrEqual(t, pr.Output, pr.Input, "%s: output cheaper than input", name)
	}
	require.ElementsMatch(t, []string{"glm-4.6", "minimax-m2", "kimi-k2"}, zero)
}

func TestEveryBuiltinPresetBuilds(t *testing.T) {
	isolateAWS(t)
	env := map[string]string{"AWS_REGION": "eu-west-1", "AWS_BEARER_TOKEN_BEDROCK": testBearer}
	ps := builtin(t)
	for _, name := range ps.Names() {
		if v := ps[name].KeyEnv(); v != "" {
			env[v] = testKey
		}
	}
	for _, name := range ps.Names() {
		p := ps[name]
		if p.Provider == ProviderReplay {
			continue
		}
		m, err := New(p, MapEnv(env), Options{})
		require.NoError(t, err, name)
		require.NotNil(t, m, name)
	}
}

func TestQueueLimits(t *testing.T) {
	ps := builtin(t)
	ql, err := ps.QueueLimits("ctxsweep")
	require.NoError(t, err)
	require.Equal(t, []QueueLimit{{TaskQueue: "ctxsweep-llm-openrouter-free", RateLimit: RateLimit{Queue: "openrouter-free", RequestsPerSecond: 0.33}}}, ql)
	require.Equal(t, "", ps["gpt-5"].TaskQueue("ctxsweep"), "unlimited presets stay on the main queue")
	require.Equal(t, "openai-api.deepseek.com", ps["deepseek-chat"].Queue(), "DeepSeek is limited apart from OpenAI")
	require.Equal(t, "openai", ps["gpt-4o"].Queue())

	ps["mine"] = Preset{Name: "mine", Provider: ProviderOpenRouter, RateLimit: &RateLimit{Queue: "openrouter-free", RequestsPerSecond: 1}}
	_, err = ps.QueueLimits("ctxsweep")
	require.ErrorContains(t, err, "openrouter-free")
}

func TestUserPresetsRejectUnknownKeys(t *testing.T) {
	_, err := ParsePresets("mine.yaml", []byte("models:\n  x:\n    provider: openai\n    rate_limit: {requests_per_secnd: 2}\n"))
	require.ErrorContains(t, err, "mine.yaml")
	require.ErrorContains(t, err, "line 4")
	ps, err := ParsePresets("mine.yaml", []byte("models:\n  local:\n    provider: openai\n    model_id: qwen\n    api_base: http://127.0.0.1:8000/v1\n    rate_limit: {max_concurrent: 4}\n"))
	require.NoError(t, err)
	require.Equal(t, 4, ps["local"].RateLimit.MaxConcurrent)
	require.Equal(t, "ctxsweep-llm-openai-127.0.0.1-8000", ps["local"].TaskQueue("ctxsweep"))
}
