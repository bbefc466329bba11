package llm

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
)

const chatReply = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m1-2025",
 "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"I will run ls.",
   "reasoning_content":"think first",
   "tool_calls":[{"id":"call_9","type":"function","function":{"name":"bash","arguments":"{\"command\":\"ls -la\"}"}}]}}],
 "usage":{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,
   "prompt_tokens_details":{"cached_tokens":1024,"cache_write_tokens":16},"completion_tokens_details":{"reasoning_tokens":120}}}`

func chatModel(t *testing.T, base string) Model {
	t.Helper()
	p := Preset{Name: "compat", Provider: ProviderOpenAI, ModelID: "m1", APIBase: base, APIKeyEnv: "TEST_KEY"}
	m, err := New(p, MapEnv(map[string]string{"TEST_KEY": testKey}), Options{Timeout: 5 * time.Second})
	require.NoError(t, err)
	return m
}

func TestChatToolCallsUsageAndWireFormat(t *testing.T) {
	f := newFake(t, func(int, seen) reply { return reply{Body: chatReply} })
	resp, err := chatModel(t, f.URL).Complete(context.Background(), request())
	require.NoError(t, err)

	require.Equal(t, "I will run ls.", resp.Content)
	require.Equal(t, "think first", resp.Reasoning)
	require.Equal(t, []agent.ToolCall{{ID: "call_9", Name: "bash", Arguments: `{"command":"ls -la"}`}}, resp.ToolCalls)
	require.Equal(t, agent.Usage{Input: 1200, CachedInput: 1024, CacheWrite: 16, Output: 180, Reasoning: 120}, resp.Usage)
	require.True(t, resp.ProviderUsage)
	require.Equal(t, "m1-2025", resp.Model)
	// The reply parses as exactly one valid action.
	_, ferr := agent.ParseReply(resp.Content, resp.ToolCalls, agent.BaseTools())
	require.Nil(t, ferr)

	s := f.last()
	require.Equal(t, "/chat/completions", s.Path)
	require.Equal(t, "Bearer "+testKey, s.Header.Get("Authorization"))
	require.Equal(t, "m1", s.Body["model"])
	require.Equal(t, 0.5, s.Body["temperature"])
	require.Equal(t, 1000.0, s.Body["max_tokens"])
	msgs := s.Body["messages"].([]any)
	require.Len(t, msgs, 7)
	roles := []string{}
	for _, m := range msgs {
		roles = append(roles, m.(map[string]any)["role"].(string))
	}
	require.Equal(t, []string{"system", "user", "assistant", "tool", "assistant", "assistant", "tool"}, roles)
	call := msgs[2].(map[string]any)["tool_calls"].([]any)[0].(map[string]any)
	require.Equal(t, "call_1_a", call["id"])
	require.Equal(t, "function", call["type"])
	require.Equal(t, `{"command":"ls"}`, call["function"].(map[string]any)["arguments"])
	require.Equal(t, "call_1_a", msgs[3].(map[string]any)["tool_call_id"])
	second := msgs[5].(map[string]any)["tool_calls"].([]any)[0].(map[string]any)
	require.Equal(t, "call_5_0", second["id"])
	require.Equal(t, "call_5_0", msgs[6].(map[string]any)["tool_call_id"])
	tool := s.Body["tools"].([]any)[0].(map[string]any)
	require.Equal(t, "function", tool["type"])
	fn := tool["function"].(map[string]any)
	require.Equal(t, "bash", fn["name"])
	require.Equal(t, []any{"command"}, fn["parameters"].(map[string]any)["required"])
}

func TestChatDeepSeekCacheFields(t *testing.T) {
	f := newFake(t, func(int, seen) reply {
		return reply{Body: `{"id":"x","object":"chat.completion","created":1,"model":"deepseek-chat",
		"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"done"}}],
		"usage":{"prompt_tokens":1000,"completion_tokens":10,"total_tokens":1010,"prompt_cache_hit_tokens":640,"prompt_cache_miss_tokens":360}}`}
	})
	resp, err := chatModel(t, f.URL).Complete(context.Background(), Request{Messages: history()})
	require.NoError(t, err)
	require.Equal(t, agent.Usage{Input: 1000, CachedInput: 640, Output: 10}, resp.Usage)
	_, hasTools := f.last().Body["tools"]
	require.False(t, hasTools, "summary requests carry no tools")
}

func TestChatErrors(t *testing.T) {
	oai := func(code, msg string) string {
		return `{"error":{"message":"` + msg + `","type":"invalid_request_error","param":null,"code":"` + code + `"}}`
	}
	checkErrors(t, []errorCase{
		{name: "429 Retry-After seconds", rep: reply{Status: 429, Header: map[string]string{"Retry-After": "7"}, Body: oai("rate_limit_exceeded", "Rate limit reached")}, kind: KindRateLimited, retryAfter: 7 * time.Second, contains: "rate_limit_exceeded"},
		{name: "429 retry-after-ms", rep: reply{Status: 429, Header: map[string]string{"Retry-After-Ms": "1500", "Retry-After": "2"}, Body: oai("rate_limit_exceeded", "slow down")}, kind: KindRateLimited, retryAfter: 1500 * time.Millisecond},
		{name: "429 no header", rep: reply{Status: 429, Body: oai("", "busy")}, kind: KindRateLimited},
		{name: "429 insufficient quota", rep: reply{Status: 429, Body: oai("insufficient_quota", "You exceeded your current quota")}, kind: KindAuth},
		{name: "500", rep: reply{Status: 500, Body: `{"error":{"message":"The server had an error","type":"server_error"}}`}, kind: KindUnavailable},
		{name: "502 html", rep: reply{Status: 502, Header: map[string]string{"Content-Type": "text/html"}, Body: "<html>Bad gateway</html>"}, kind: KindUnavailable, contains: "Bad gateway"},
		{name: "503 Retry-After", rep: reply{Status: 503, Header: map[string]string{"Retry-After": "30"}, Body: `{"error":"overloaded"}`}, kind: KindUnavailable, retryAfter: 30 * time.Second},
		{name: "401 echoes the key", rep: reply{Status: 401, Body: oai("invalid_api_key", "Incorrect API key provided: "+testKey+". You can find your API key at https://platform.openai.com.")}, kind: KindAuth, contains: "invalid_api_key"},
		{name: "403", rep: reply{Status: 403, Body: oai("unsupported_country", "not allowed")}, kind: KindAuth},
		{name: "context length", rep: reply{Status: 400, Body: oai("context_length_exceeded", "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.")}, kind: KindContextExceeded},
		{name: "vllm context length", rep: reply{Status: 400, Body: `{"object":"error","message":"This model's maximum context length is 32768 tokens. However, you requested 40000 tokens.","type":"BadRequestError","code":400}`}, kind: KindContextExceeded},
		{name: "400 bad parameter", rep: reply{Status: 400, Body: oai("invalid_value", "Invalid value for 'temperature'")}, kind: KindBadRequest, contains: "temperature"},
		{name: "404 unknown model", rep: reply{Status: 404, Body: oai("model_not_found", "The model m1 does not exist")}, kind: KindBadRequest},
		{name: "garbled JSON", rep: reply{Body: `{"id":"x","choices":[{"mess`}, kind: KindBadResponse, contains: "unreadable reply"},
		{name: "no choices", rep: reply{Body: `{"id":"x","object":"chat.completion","choices":[]}`}, kind: KindBadResponse, contains: "no choices"},
	}, false, func(t *testing.T, f *fakeServer) Model { return chatModel(t, f.URL) })
}

func TestChatTransportFailures(t *testing.T) {
	t.Run("connection refused is retryable", func(t *testing.T) {
		f := newFake(t, func(int, seen) reply { return reply{} })
		base := f.URL
		f.Close()
		_, err := chatModel(t, base).Complete(context.Background(), request())
		require.Equal(t, KindUnavailable, KindOf(err), "%v", err)
		require.True(t, IsRetryable(err))
		noSecret(t, err)
	})
	t.Run("request timeout is retryable", func(t *testing.T) {
		release := make(chan struct{})
		f := newFake(t, func(int, seen) reply { <-release; return reply{Body: chatReply} })
		defer close(release)
		p := Preset{Name: "compat", Provider: ProviderOpenAI, ModelID: "m1", APIBase: f.URL}
		m, err := New(p, MapEnv(nil), Options{Timeout: 200 * time.Millisecond})
		require.NoError(t, err)
		_, err = m.Complete(context.Background(), request())
		require.Equal(t, KindUnavailable, KindOf(err), "%v", err)
	})
	t.Run("caller cancellation is not a provider error", func(t *testing.T) {
		f := newFake(t, func(int, seen) reply { return reply{Status: 500} })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := chatModel(t, f.URL).Complete(ctx, request())
		require.True(t, errors.Is(err, context.Canceled), "%v", err)
		require.Equal(t, Kind(""), KindOf(err))
		require.False(t, IsRetryable(err))
	})
}

func TestNewNeedsKeyAndNamesOnlyTheVariable(t *testing.T) {
	for _, p := range []Preset{
		{Name: "gpt", Provider: ProviderOpenAI, ModelID: "gpt-4o", APIKeyEnv: "OPENAI_API_KEY"},
		{Name: "gem", Provider: ProviderGemini, ModelID: "gemini-2.5-flash"},
		{Name: "claude", Provider: ProviderAnthropic, ModelID: "claude"},
		{Name: "or", Provider: ProviderOpenRouter, ModelID: "x/y"},
	} {
		_, err := New(p, MapEnv(nil), Options{})
		require.Error(t, err)
		require.Contains(t, err.Error(), p.KeyEnv())
		_, err = New(p, MapEnv(map[string]string{p.KeyEnv(): testKey}), Options{})
		require.NoError(t, err)
	}
	local := Preset{Name: "vllm", Provider: ProviderOpenAI, ModelID: "qwen", APIBase: "http://127.0.0.1:8000/v1"}
	require.Equal(t, "", local.KeyEnv())
	_, err := New(local, MapEnv(nil), Options{})
	require.NoError(t, err, "a local OpenAI-compatible server needs no key")
	_, err = New(Preset{Name: "x", Provider: "nope"}, MapEnv(nil), Options{})
	require.ErrorContains(t, err, "unknown provider")
}
