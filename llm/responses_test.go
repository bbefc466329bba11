package llm

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
)

const responsesReply = `{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5-2025-08-07",
 "output":[
  {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Need to list files."}]},
  {"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"Listing.","annotations":[]}]},
  {"type":"function_call","id":"fc_1","call_id":"call_abc","name":"bash","arguments":"{\"command\":\"ls\"}","status":"completed"}],
 "usage":{"input_tokens":2000,"input_tokens_details":{"cached_tokens":1536,"cache_write_tokens":0},
   "output_tokens":500,"output_tokens_details":{"reasoning_tokens":384},"total_tokens":2500}}`

func responsesModel(t *testing.T, base string) Model {
	t.Helper()
	p := Preset{Name: "gpt-5", Provider: ProviderOpenAIResponses, ModelID: "gpt-5", APIBase: base}
	m, err := New(p, MapEnv(map[string]string{"OPENAI_API_KEY": testKey}), Options{Timeout: 5 * time.Second})
	require.NoError(t, err)
	return m
}

func TestResponsesReturnsToolCalls(t *testing.T) {
	f := newFake(t, func(int, seen) reply { return reply{Body: responsesReply} })
	resp, err := responsesModel(t, f.URL).Complete(context.Background(), request())
	require.NoError(t, err)

	require.Equal(t, "Listing.", resp.Content)
	require.Equal(t, "Need to list files.", resp.Reasoning)
	require.Equal(t, []agent.ToolCall{{ID: "call_abc", Name: "bash", Arguments: `{"command":"ls"}`}}, resp.ToolCalls)
	require.Equal(t, agent.Usage{Input: 2000, CachedInput: 1536, Output: 116, Reasoning: 384}, resp.Usage)
	_, ferr := agent.ParseReply(resp.Content, resp.ToolCalls, agent.BaseTools())
	require.Nil(t, ferr, "the seed's Responses path lost the tool calls; ours must not")

	s := f.last()
	require.Equal(t, "/responses", s.Path)
	require.Equal(t, "Bearer "+testKey, s.Header.Get("Authorization"))
	require.Equal(t, false, s.Body["store"])
	require.NotContains(t, s.Body, "temperature", "the seed drops temperature for gpt-5")
	require.Equal(t, 1000.0, s.Body["max_output_tokens"])
	tool := s.Body["tools"].([]any)[0].(map[string]any)
	require.Equal(t, "function", tool["type"])
	require.Equal(t, "bash", tool["name"], "Responses tools are flat")
	items := s.Body["input"].([]any)
	kinds := []string{}
	for _, it := range items {
		m := it.(map[string]any)
		k, _ := m["type"].(string)
		if r, ok := m["role"].(string); ok {
			k = r
		}
		kinds = append(kinds, k)
	}
	require.Equal(t, []string{"system", "user", "assistant", "function_call", "function_call_output", "assistant", "function_call", "function_call_output"}, kinds)
	require.Equal(t, "call_1_a", items[3].(map[string]any)["call_id"])
	require.Equal(t, "call_1_a", items[4].(map[string]any)["call_id"])
	require.Equal(t, "a.py\nb.py", items[4].(map[string]any)["output"])
	require.Equal(t, "call_5_0", items[7].(map[string]any)["call_id"])
}

func TestResponsesMinimumOutputTokens(t *testing.T) {
	f := newFake(t, func(int, seen) reply { return reply{Body: responsesReply} })
	req := request()
	req.MaxOutput = 5
	_, err := responsesModel(t, f.URL).Complete(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, 16.0, f.last().Body["max_output_tokens"])
}

func TestResponsesErrors(t *testing.T) {
	checkErrors(t, []errorCase{
		{name: "429", rep: reply{Status: 429, Header: map[string]string{"Retry-After": "3"}, Body: `{"error":{"message":"Rate limit","type":"tokens","code":"rate_limit_exceeded"}}`}, kind: KindRateLimited, retryAfter: 3 * time.Second},
		{name: "context", rep: reply{Status: 400, Body: `{"error":{"message":"Your input exceeds the context window of this model.","type":"invalid_request_error","code":"context_length_exceeded"}}`}, kind: KindContextExceeded},
		{name: "401", rep: reply{Status: 401, Body: `{"error":{"message":"Incorrect API key provided: sk-test-SE***cdef","code":"invalid_api_key"}}`}, kind: KindAuth},
		{name: "status failed server_error", rep: reply{Body: `{"id":"r","object":"response","status":"failed","error":{"code":"server_error","message":"oops"},"output":[]}`}, kind: KindUnavailable, contains: "server_error"},
		{name: "status failed invalid prompt", rep: reply{Body: `{"id":"r","object":"response","status":"failed","error":{"code":"invalid_prompt","message":"bad"},"output":[]}`}, kind: KindBadRequest},
		{name: "garbled", rep: reply{Body: `{"id":"resp_1","output":[{"type":`}, kind: KindBadResponse},
	}, false, func(t *testing.T, f *fakeServer) Model { return responsesModel(t, f.URL) })
}
