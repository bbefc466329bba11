package llm

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
)

const bedrockReply = `{"output":{"message":{"role":"assistant","content":[
   {"reasoningContent":{"reasoningText":{"text":"think"}}},{"text":"Running ls."},
   {"toolUse":{"toolUseId":"tooluse_1","name":"bash","input":{"command":"ls"}}}]}},
 "stopReason":"tool_use",
 "usage":{"inputTokens":100,"outputTokens":40,"totalTokens":1140,"cacheReadInputTokens":1000,"cacheWriteInputTokens":0},
 "metrics":{"latencyMs":123}}`

const testBearer = "ABSKQmVkcm9ja0FQSUtleS1TRUNSRVQtdG9rZW4="

// isolateAWS keeps the machine's AWS configuration out of the test.
func isolateAWS(t *testing.T) {
	for _, k := range []string{"AWS_BEARER_TOKEN_BEDROCK", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func bedrockModel(t *testing.T, f *fakeServer, env map[string]string) Model {
	t.Helper()
	isolateAWS(t)
	p := Preset{Name: "bedrock-claude-haiku-4.5", Provider: ProviderBedrock, ModelID: "anthropic.claude-haiku-4-5-20251001-v1:0", APIBase: f.URL}
	m, err := New(p, MapEnv(env), Options{Timeout: 5 * time.Second, HTTPClient: f.Client()})
	require.NoError(t, err)
	return m
}

func bearerModel(t *testing.T, f *fakeServer) Model {
	return bedrockModel(t, f, map[string]string{"AWS_REGION": "us-east-1", "AWS_BEARER_TOKEN_BEDROCK": testBearer})
}

func TestBedrockConverseWithBearerToken(t *testing.T) {
	f := newFakeTLS(t, func(int, seen) reply { return reply{Body: bedrockReply} })
	resp, err := bearerModel(t, f).Complete(context.Background(), request())
	require.NoError(t, err)

	require.Equal(t, "Running ls.", resp.Content)
	require.Equal(t, "think", resp.Reasoning)
	require.Equal(t, []agent.ToolCall{{ID: "tooluse_1", Name: "bash", Arguments: `{"command":"ls"}`}}, resp.ToolCalls)
	require.Equal(t, agent.Usage{Input: 1100, CachedInput: 1000, Output: 40}, resp.Usage)

	s := f.last()
	require.Equal(t, "/model/us.anthropic.claude-haiku-4-5-20251001-v1:0/converse", s.Path, "the seed's us. inference-profile rewrite")
	require.Equal(t, "Bearer "+testBearer, s.Header.Get("Authorization"))
	require.Equal(t, "You are a helpful assistant.", s.Body["system"].([]any)[0].(map[string]any)["text"])
	cfg := s.Body["inferenceConfig"].(map[string]any)
	require.Equal(t, 1000.0, cfg["maxTokens"])
	require.Equal(t, 0.5, cfg["temperature"])
	msgs := s.Body["messages"].([]any)
	roles := []string{}
	for _, m := range msgs {
		roles = append(roles, m.(map[string]any)["role"].(string))
	}
	require.Equal(t, []string{"user", "assistant", "user", "assistant", "user"}, roles, "Converse needs alternating roles")
	block := func(i, j int) map[string]any {
		return msgs[i].(map[string]any)["content"].([]any)[j].(map[string]any)
	}
	use := block(1, 1)["toolUse"].(map[string]any)
	require.Equal(t, "call_1_a", use["toolUseId"])
	require.Equal(t, map[string]any{"command": "ls"}, use["input"])
	require.Equal(t, "call_1_a", block(2, 0)["toolResult"].(map[string]any)["toolUseId"])
	require.Equal(t, "call_5_0", block(3, 1)["toolUse"].(map[string]any)["toolUseId"])
	spec := s.Body["toolConfig"].(map[string]any)["tools"].([]any)[0].(map[string]any)["toolSpec"].(map[string]any)
	require.Equal(t, "bash", spec["name"])
	require.Equal(t, []any{"command"}, spec["inputSchema"].(map[string]any)["json"].(map[string]any)["required"])
}

func TestBedrockSigV4WithAccessKeys(t *testing.T) {
	f := newFakeTLS(t, func(int, seen) reply { return reply{Body: bedrockReply} })
	m := bedrockModel(t, f, map[string]string{"AWS_DEFAULT_REGION": "eu-west-1",
		"AWS_ACCESS_KEY_ID": "AKIATESTACCESSKEY000", "AWS_SECRET_ACCESS_KEY": "secretSECRETKEYvalue0123456789"})
	_, err := m.Complete(context.Background(), request())
	require.NoError(t, err)
	s := f.last()
	auth := s.Header.Get("Authorization")
	require.True(t, strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIATESTACCESSKEY000/"), auth)
	require.Contains(t, auth, "/eu-west-1/bedrock/aws4_request")
	require.NotEmpty(t, s.Header.Get("X-Amz-Date"))
	require.Equal(t, "/model/eu.anthropic.claude-haiku-4-5-20251001-v1:0/converse", s.Path)
}

func TestBedrockNeedsRegion(t *testing.T) {
	isolateAWS(t)
	_, err := New(Preset{Name: "b", Provider: ProviderBedrock, ModelID: "amazon.nova-lite-v1:0"}, MapEnv(nil), Options{})
	require.ErrorContains(t, err, "AWS_REGION")
}

func TestBedrockModelID(t *testing.T) {
	require.Equal(t, "eu.anthropic.claude-haiku-4-5-20251001-v1:0", BedrockModelID("anthropic.claude-haiku-4-5-20251001-v1:0", "eu-central-1"))
	require.Equal(t, "us.anthropic.x", BedrockModelID("anthropic.x", "us-west-2"))
	require.Equal(t, "apac.anthropic.x", BedrockModelID("anthropic.x", "ap-northeast-1"))
	require.Equal(t, "anthropic.x", BedrockModelID("anthropic.x", "ca-central-1"))
	require.Equal(t, "global.anthropic.x", BedrockModelID("global.anthropic.x", "eu-west-1"), "global profiles are kept")
	require.Equal(t, "us-gov.anthropic.x", BedrockModelID("anthropic.x", "us-gov-west-1"))
	require.Equal(t, "us.anthropic.x", BedrockModelID("us.anthropic.x", "eu-west-1"), "explicit profiles are kept")
	require.Equal(t, "amazon.nova-pro-v1:0", BedrockModelID("amazon.nova-pro-v1:0", "eu-west-1"))
}

func TestBedrockErrors(t *testing.T) {
	aws := func(status int, typ, msg string) reply {
		return reply{Status: status, Header: map[string]string{"X-Amzn-Errortype": typ + ":http://internal.amazon.com/coral/com.amazon.bedrock/"},
			Body: `{"message":"` + msg + `"}`}
	}
	throttled := aws(429, "ThrottlingException", "Too many tokens, please wait before trying again.")
	throttled.Header["Retry-After"] = "4"
	checkErrors(t, []errorCase{
		{name: "throttling", rep: throttled, kind: KindRateLimited, retryAfter: 4 * time.Second, contains: "ThrottlingException"},
		{name: "quota", rep: aws(400, "ServiceQuotaExceededException", "Your request exceeds the service quota"), kind: KindRateLimited},
		{name: "context", rep: aws(400, "ValidationException", "Input is too long for requested model."), kind: KindContextExceeded},
		{name: "other validation", rep: aws(400, "ValidationException", "The provided model identifier is invalid."), kind: KindBadRequest},
		{name: "access denied", rep: aws(403, "AccessDeniedException", "You don't have access to the model with the specified model ID."), kind: KindAuth},
		{name: "bad token echoed", rep: aws(403, "UnrecognizedClientException", "The security token "+testBearer+" is invalid."), kind: KindAuth},
		{name: "500", rep: aws(500, "InternalServerException", "internal"), kind: KindUnavailable},
		{name: "503", rep: aws(503, "ServiceUnavailableException", "unavailable"), kind: KindUnavailable},
		{name: "model timeout", rep: aws(408, "ModelTimeoutException", "timed out"), kind: KindUnavailable},
		{name: "not found", rep: aws(404, "ResourceNotFoundException", "model not found"), kind: KindBadRequest},
		{name: "garbled", rep: reply{Body: `{"output":{"message":{"role":"assis`}, kind: KindBadResponse},
	}, true, bearerModel, testBearer)
}

// cache_marks on a Bedrock preset puts a Converse cachePoint after the
// last marked user and tool items; the cache reads and writes Bedrock
// reports are priced as such.
func TestBedrockCachePoints(t *testing.T) {
	const cached = `{"output":{"message":{"role":"assistant","content":[{"text":"ok"}]}},"stopReason":"end_turn",
 "usage":{"inputTokens":100,"outputTokens":10,"totalTokens":3110,"cacheReadInputTokens":2000,"cacheWriteInputTokens":1000}}`
	f := newFakeTLS(t, func(int, seen) reply { return reply{Body: cached} })
	isolateAWS(t)
	p := Preset{Name: "bedrock-claude", Provider: ProviderBedrock, ModelID: "anthropic.claude-haiku-4-5-20251001-v1:0", APIBase: f.URL, CacheMarks: 2,
		Price: &Price{Input: 1, CachedInput: 0.1, Output: 5, CacheWrite: 1.25}}
	m, err := New(p, MapEnv(map[string]string{"AWS_REGION": "us-east-1", "AWS_BEARER_TOKEN_BEDROCK": testBearer}), Options{Timeout: 5 * time.Second, HTTPClient: f.Client()})
	require.NoError(t, err)
	resp, err := m.Complete(context.Background(), request())
	require.NoError(t, err)
	require.Equal(t, agent.Usage{Input: 3100, CachedInput: 2000, CacheWrite: 1000, Output: 10}, resp.Usage)
	require.InDelta(t, (100*1+1000*1.25+2000*0.1+10*5)/1e6, p.Cost(resp.Usage), 1e-12)

	var points []string
	for i, msg := range f.last().Body["messages"].([]any) {
		blocks := msg.(map[string]any)["content"].([]any)
		for j, b := range blocks {
			if cp, ok := b.(map[string]any)["cachePoint"]; ok {
				require.Equal(t, map[string]any{"type": "default"}, cp)
				require.Greater(t, j, 0, "a cachePoint follows the block it marks")
				points = append(points, fmt.Sprintf("%d.%d", i, j))
			}
		}
	}
	require.Len(t, points, 2, "two marks: %v", points)

	p.CacheMarks = 0
	m, err = New(p, MapEnv(map[string]string{"AWS_REGION": "us-east-1", "AWS_BEARER_TOKEN_BEDROCK": testBearer}), Options{Timeout: 5 * time.Second, HTTPClient: f.Client()})
	require.NoError(t, err)
	_, err = m.Complete(context.Background(), request())
	require.NoError(t, err)
	require.NotContains(t, f.last().Raw, "cachePoint")
}
