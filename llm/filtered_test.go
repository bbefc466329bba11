package llm

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFilteredReplies: each provider's way of saying it withheld a reply
// under its content policy sets Response.Filtered; a normal reply does not.
func TestFilteredReplies(t *testing.T) {
	chatBody := func(reason string) string {
		return `{"id":"x","object":"chat.completion","created":1,"model":"m",
		"choices":[{"index":0,"finish_reason":"` + reason + `","message":{"role":"assistant","content":""}}],
		"usage":{"prompt_tokens":100,"completion_tokens":3,"total_tokens":103}}`
	}
	anthropicBody := func(reason string) string {
		return strings.Replace(strings.Replace(anthropicReply, `"stop_reason":"tool_use"`, `"stop_reason":"`+reason+`"`, 1),
			`{"type":"tool_use","id":"toolu_1","name":"bash","input":{"command":"ls"}}`, `{"type":"text","text":"."}`, 1)
	}
	responsesBody := func(status, reason string) string {
		return `{"id":"resp_1","object":"response","created_at":1,"status":"` + status + `","model":"gpt-5",
		"incomplete_details":{"reason":"` + reason + `"},"output":[],
		"usage":{"input_tokens":100,"output_tokens":0,"total_tokens":100}}`
	}
	bedrockBody := func(reason string) string {
		return `{"output":{"message":{"role":"assistant","content":[{"text":"."}]}},"stopReason":"` + reason + `",
		"usage":{"inputTokens":100,"outputTokens":1,"totalTokens":101}}`
	}
	cases := []struct {
		name, body, want string
		model            func(t *testing.T, f *fakeServer) Model
	}{
		{"chat content_filter", chatBody("content_filter"), "finish_reason content_filter", func(t *testing.T, f *fakeServer) Model { return chatModel(t, f.URL) }},
		{"chat refusal", strings.Replace(chatBody("stop"), `"content":""`, `"content":null,"refusal":"I can't help with that."`, 1),
			"refusal: I can't help with that.", func(t *testing.T, f *fakeServer) Model { return chatModel(t, f.URL) }},
		{"responses refusal", strings.Replace(responsesBody("completed", ""), `"output":[]`,
			`"output":[{"type":"message","id":"m1","role":"assistant","status":"completed","content":[{"type":"refusal","refusal":"No."}]}]`, 1),
			"refusal: No.", func(t *testing.T, f *fakeServer) Model { return responsesModel(t, f.URL) }},
		{"chat stop", chatBody("stop"), "", func(t *testing.T, f *fakeServer) Model { return chatModel(t, f.URL) }},
		{"anthropic refusal", anthropicBody("refusal"), "stop_reason refusal", func(t *testing.T, f *fakeServer) Model { return anthropicModel(t, f.URL) }},
		{"anthropic end_turn", anthropicBody("end_turn"), "", func(t *testing.T, f *fakeServer) Model { return anthropicModel(t, f.URL) }},
		{"responses content_filter", responsesBody("incomplete", "content_filter"), "incomplete: content_filter", func(t *testing.T, f *fakeServer) Model { return responsesModel(t, f.URL) }},
		{"responses max tokens", responsesBody("incomplete", "max_output_tokens"), "", func(t *testing.T, f *fakeServer) Model { return responsesModel(t, f.URL) }},
		{"bedrock content_filtered", bedrockBody("content_filtered"), "stopReason content_filtered", func(t *testing.T, f *fakeServer) Model {
			return bedrockModel(t, f, map[string]string{"AWS_BEARER_TOKEN_BEDROCK": testBearer, "AWS_REGION": "us-east-1"})
		}},
		{"bedrock guardrail", bedrockBody("guardrail_intervened"), "stopReason guardrail_intervened", func(t *testing.T, f *fakeServer) Model {
			return bedrockModel(t, f, map[string]string{"AWS_BEARER_TOKEN_BEDROCK": testBearer, "AWS_REGION": "us-east-1"})
		}},
		{"bedrock end_turn", bedrockBody("end_turn"), "", func(t *testing.T, f *fakeServer) Model {
			return bedrockModel(t, f, map[string]string{"AWS_BEARER_TOKEN_BEDROCK": testBearer, "AWS_REGION": "us-east-1"})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tls := strings.HasPrefix(tc.name, "bedrock")
			f := startFake(t, tls, func(int, seen) reply { return reply{Body: tc.body} })
			resp, err := tc.model(t, f).Complete(context.Background(), request())
			require.NoError(t, err)
			require.Equal(t, tc.want, resp.Filtered)
			require.NotZero(t, resp.Usage.Input, "a filtered reply is billed")
		})
	}
}
