package llm

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/ctxresearch/ctxsweep/agent"
)

// chat is an OpenAI-compatible chat-completions client (OpenAI, DeepSeek,
// MiniMax, OpenRouter, Gemini's compatibility endpoint, vLLM, SGLang,
// Ollama ...). The SDK does not retry: retries are Temporal's, so each one
// is visible and counted.
type chat struct {
	preset  Preset
	svc     openai.ChatCompletionService
	secrets []string
	// maxCompletion sends max_completion_tokens (api.openai.com) instead of
	// the max_tokens every compatible server understands.
	maxCompletion bool
}

// openaiOptions are the client options shared by chat and responses. The
// services are built without openai.NewClient so that no ambient OPENAI_*
// variable (base URL, organisation, project) leaks into another
// provider's requests.
func openaiOptions(base, key string, o Options) []option.RequestOption {
	opts := []option.RequestOption{
		option.WithBaseURL(base), option.WithHTTPClient(o.HTTPClient),
		option.WithMaxRetries(0), option.WithRequestTimeout(o.Timeout),
	}
	if key != "" {
		opts = append(opts, option.WithAPIKey(key))
	}
	return opts
}

func newChat(p Preset, base, key string, o Options) *chat {
	return &chat{preset: p, svc: openai.NewChatCompletionService(openaiOptions(base, key, o)...),
		secrets: []string{key}, maxCompletion: strings.Contains(base, "api.openai.com")}
}

// Complete implements Model.
func (c *chat) Complete(ctx context.Context, req Request) (Response, error) {
	params := openai.ChatCompletionNewParams{
		Model:       shared.ChatModel(c.preset.ModelID),
		Messages:    chatMessages(req.Messages),
		Temperature: openai.Float(req.Temperature),
	}
	if req.MaxOutput > 0 {
		if c.maxCompletion {
			params.MaxCompletionTokens = openai.Int(int64(req.MaxOutput))
		} else {
			params.MaxTokens = openai.Int(int64(req.MaxOutput))
		}
	}
	if len(req.Tools) > 0 {
		params.Tools = chatTools(req.Tools) // keys in the seed's order
	}
	var rec httpRecord
	start := time.Now()
	out, err := c.svc.New(ctx, params, option.WithMiddleware(rec.middleware))
	latency := time.Since(start)
	if err != nil {
		return Response{}, rec.classify(ctx, c.preset.Provider, c.preset.Name, err, c.secrets)
	}
	if len(out.Choices) == 0 {
		return Response{}, badResponse(c.preset.Provider, c.preset.Name, "reply has no choices")
	}
	msg := out.Choices[0].Message
	resp := Response{Content: msg.Content, Latency: latency, Model: out.Model, ProviderUsage: true,
		Reasoning: extraString(msg.JSON.ExtraFields, "reasoning_content", "reasoning")}
	if r := out.Choices[0].FinishReason; r == "content_filter" {
		resp.Filtered = "finish_reason " + r
	} else if msg.Refusal != "" && len(msg.ToolCalls) == 0 {
		// The model declined (OpenAI's refusal field): not a format
		// error, a refusal, asked again like one.
		resp.Filtered = "refusal: " + clip(msg.Refusal)
	}
	for _, tc := range msg.ToolCalls {
		if tc.Type != "" && tc.Type != "function" {
			continue
		}
		resp.ToolCalls = append(resp.ToolCalls, agent.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	resp.Usage = chatUsage(out.Usage)
	return resp, nil
}

// chatUsage maps usage: prompt_tokens include cached ones
// (prompt_tokens_details.cached_tokens, or DeepSeek's
// prompt_cache_hit_tokens); completion_tokens include reasoning tokens.
func chatUsage(u openai.CompletionUsage) agent.Usage {
	cached := u.PromptTokensDetails.CachedTokens
	if cached == 0 {
		if raw := u.JSON.ExtraFields["prompt_cache_hit_tokens"].Raw(); raw != "" {
			_ = json.Unmarshal([]byte(raw), &cached)
		}
	}
	out, reasoning := splitUsage(u.CompletionTokens, u.CompletionTokensDetails.ReasoningTokens)
	return agent.Usage{Input: int(u.PromptTokens), CachedInput: int(cached),
		CacheWrite: int(u.PromptTokensDetails.CacheWriteTokens), Output: out, Reasoning: reasoning}
}

// chatMessages converts history items to chat messages (seed §5.3): tool
// items answer their call id, assistant items carry their tool calls,
// summaries stay plain assistant messages.
func chatMessages(msgs []agent.Message) []openai.ChatCompletionMessageParamUnion {
	calls, results := wireIDs(msgs)
	out := make([]openai.ChatCompletionMessageParamUnion, 0, len(msgs))
	for n, m := range msgs {
		switch m.Role {
		case agent.RoleSystem:
			out = append(out, openai.SystemMessage(m.Content))
		case agent.RoleTool:
			out = append(out, openai.ToolMessage(m.Content, results[n]))
		case agent.RoleAssistant:
			a := openai.ChatCompletionAssistantMessageParam{}
			if m.Content != "" || len(m.ToolCalls) == 0 {
				a.Content.OfString = openai.String(m.Content)
			}
			for i, tc := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, openai.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{
						ID:       calls[n][i],
						Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: tc.Name, Arguments: tc.Arguments},
					}})
			}
			out = append(out, openai.ChatCompletionMessageParamUnion{OfAssistant: &a})
		default:
			out = append(out, openai.UserMessage(m.Content))
		}
	}
	return out
}
