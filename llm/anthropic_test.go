package llm

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
)

const anthropicReply = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
 "content":[{"type":"thinking","thinking":"hmm","signature":"sig"},{"type":"text","text":"Running ls."},
   {"type":"tool_use","id":"toolu_1","name":"bash","input":{"command":"ls"}}],
 "stop_reason":"tool_use","stop_sequence":null,
 "usage":{"input_tokens":100,"cache_read_input_tokens":900,"cache_creation_input_tokens":50,"output_tokens":70}}`

func anthropicModel(t *testing.T, base string) Model {
	t.Helper()
	p := Preset{Name: "glm", Provider: ProviderAnthropic, ModelID: "glm-4.6", APIBase: base, APIKeyEnv: "ZHIPUAI_API_KEY"}
	m, err := New(p, MapEnv(map[string]string{"ZHIPUAI_API_KEY": testKey}), Options{Timeout: 5 * time.Second})
	require.NoError(t, err)
	return m
}

func TestAnthropicToolUseUsageAndWireFormat(t *testing.T) {
	f := newFake(t, func(int, seen) reply { return reply{Body: anthropicReply} })
	resp, err := anthropicModel(t, f.URL).Complete(context.Background(), request())
	require.NoError(t, err)

	require.Equal(t, "Running ls.", resp.Content)
	require.Equal(t, "hmm", resp.Reasoning)
	require.Equal(t, []agent.ToolCall{{ID: "toolu_1", Name: "bash", Arguments: `{"command":"ls"}`}}, resp.ToolCalls)
	// input_tokens excludes cache reads and writes.
	require.Equal(t, agent.Usage{Input: 1050, CachedInput: 900, CacheWrite: 50, Output: 70}, resp.Usage)

	s := f.last()
	require.Equal(t, "/v1/messages", s.Path)
	require.Equal(t, "Bearer "+testKey, s.Header.Get("Authorization"))
	require.Equal(t, testKey, s.Header.Get("X-Api-Key"), "compatible endpoints also get x-api-key")
	require.NotEmpty(t, s.Header.Get("Anthropic-Version"))
	require.Equal(t, "glm-4.6", s.Body["model"])
	require.Equal(t, 1000.0, s.Body["max_tokens"])
	require.Equal(t, 0.5, s.Body["temperature"], "third-party Anthropic endpoints get the preset temperature")
	require.Contains(t, s.Raw, "You are a helpful assistant.")
	msgs := s.Body["messages"].([]any)
	roles := []string{}
	for _, m := range msgs {
		roles = append(roles, m.(map[string]any)["role"].(string))
	}
	require.Equal(t, []string{"user", "assistant", "user", "assistant", "user"}, roles, "roles alternate; the summary merges into the next assistant turn")
	block := func(i, j int) map[string]any {
		return msgs[i].(map[string]any)["content"].([]any)[j].(map[string]any)
	}
	require.Equal(t, "tool_use", block(1, 1)["type"])
	require.Equal(t, "call_1_a", block(1, 1)["id"], "ids are made safe for Anthropic")
	require.Equal(t, map[string]any{"command": "ls"}, block(1, 1)["input"])
	require.Equal(t, "tool_result", block(2, 0)["type"])
	require.Equal(t, "call_1_a", block(2, 0)["tool_use_id"])
	require.Equal(t, "SUMMARY: listed files", block(3, 0)["text"])
	require.Equal(t, "call_5_0", block(3, 1)["id"])
	require.Equal(t, "call_5_0", block(4, 0)["tool_use_id"])
	tool := s.Body["tools"].([]any)[0].(map[string]any)
	require.Equal(t, "bash", tool["name"])
	require.Equal(t, []any{"command"}, tool["input_schema"].(map[string]any)["required"])
}

func TestAnthropicOfficialEndpointGetsNoTemperature(t *testing.T) {
	f := newFake(t, func(int, seen) reply { return reply{Body: anthropicReply} })
	p := Preset{Name: "claude", Provider: ProviderAnthropic, ModelID: "claude-haiku-4-5-20251001"}
	m, err := New(p, MapEnv(map[string]string{"ANTHROPIC_API_KEY": testKey}), Options{})
	require.NoError(t, err)
	c := m.(*anthropicClient)
	require.False(t, c.temperature)
	// Point the same client at the fake server to see the request.
	c2 := newAnthropic(p, f.URL, testKey, Options{}.withDefaults())
	c2.temperature = c.temperature
	_, err = c2.Complete(context.Background(), Request{Messages: history(), Temperature: 0.7})
	require.NoError(t, err)
	require.NotContains(t, f.last().Body, "temperature")
	require.Equal(t, "Bearer "+testKey, f.last().Header.Get("Authorization"))
	require.Equal(t, float64(anthropicDefaultMax), f.last().Body["max_tokens"])
}

func TestAnthropicErrors(t *testing.T) {
	ae := func(typ, msg string) string {
		return `{"type":"error","error":{"type":"` + typ + `","message":"` + msg + `"},"request_id":"req_1"}`
	}
	checkErrors(t, []errorCase{
		{name: "529 overloaded", rep: reply{Status: 529, Body: ae("overloaded_error", "Overloaded")}, kind: KindUnavailable, contains: "overloaded_error"},
		{name: "429 retry-after", rep: reply{Status: 429, Header: map[string]string{"Retry-After": "12"}, Body: ae("rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")}, kind: KindRateLimited, retryAfter: 12 * time.Second},
		{name: "prompt too long", rep: reply{Status: 400, Body: ae("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum")}, kind: KindContextExceeded},
		{name: "413 request too large", rep: reply{Status: 413, Body: ae("request_too_large", "Request exceeds the maximum allowed number of bytes.")}, kind: KindContextExceeded},
		{name: "401", rep: reply{Status: 401, Body: ae("authentication_error", "invalid x-api-key "+testKey)}, kind: KindAuth},
		{name: "500", rep: reply{Status: 500, Body: ae("api_error", "Internal server error")}, kind: KindUnavailable},
		{name: "400 other", rep: reply{Status: 400, Body: ae("invalid_request_error", "tools.0.name: String should match pattern")}, kind: KindBadRequest},
		{name: "garbled", rep: reply{Body: `{"id":"msg_1","content":[{"type":"te`}, kind: KindBadResponse},
	}, false, func(t *testing.T, f *fakeServer) Model { return anthropicModel(t, f.URL) })
}

// TestAnthropicCacheMarks: with cache_marks 2 the last two user/tool items
// carry an ephemeral cache_control mark and nothing else does; without it
// no block is marked.
func TestAnthropicCacheMarks(t *testing.T) {
	f := newFake(t, func(int, seen) reply { return reply{Body: anthropicReply} })
	p := Preset{Name: "claude", Provider: ProviderAnthropic, ModelID: "claude-haiku-4-5-20251001", CacheMarks: 2}
	marksOf := func(p Preset) []string {
		c := newAnthropic(p, f.URL, testKey, Options{}.withDefaults())
		_, err := c.Complete(context.Background(), request())
		require.NoError(t, err)
		var out []string
		for i, m := range f.last().Body["messages"].([]any) {
			for j, b := range m.(map[string]any)["content"].([]any) {
				if cc, ok := b.(map[string]any)["cache_control"]; ok {
					require.Equal(t, map[string]any{"type": "ephemeral"}, cc)
					out = append(out, fmt.Sprintf("%d.%d:%s", i, j, b.(map[string]any)["type"]))
				}
			}
		}
		return out
	}
	// Wire messages: user "Fix the bug.", assistant, user [tool result],
	// assistant [summary, tool use], user [tool result].
	require.Equal(t, []string{"2.0:tool_result", "4.0:tool_result"}, marksOf(p))
	p.CacheMarks = 3
	require.Equal(t, []string{"0.0:text", "2.0:tool_result", "4.0:tool_result"}, marksOf(p))
	p.CacheMarks = 0
	require.Empty(t, marksOf(p))
}

func TestCacheMarksValidated(t *testing.T) {
	_, err := ParsePresets("m.yaml", []byte("models:\n  x: {provider: anthropic, model_id: c, cache_marks: 5}\n"))
	require.ErrorContains(t, err, "models.x: cache_marks is 5")
	_, err = ParsePresets("m.yaml", []byte("models:\n  x: {provider: openai, model_id: c, cache_marks: 2}\n"))
	require.ErrorContains(t, err, "cache_marks applies to providers anthropic and bedrock")
	_, err = ParsePresets("m.yaml", []byte("models:\n  x: {provider: bedrock, model_id: c, cache_marks: 2}\n"))
	require.NoError(t, err)
	require.Equal(t, 2, builtin(t)["claude-sonnet-4.5"].CacheMarks)
}
