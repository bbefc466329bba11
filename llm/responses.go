package llm

import (
	"context"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/ctxresearch/ctxsweep/agent"
)

// respClient calls the OpenAI Responses API, which the gpt-5 family uses.
// Unlike the seed's path it returns the function calls of the reply. As in
// the seed, temperature is not sent and max_output_tokens is at least 16.
// Every request carries the whole history (store: false), so no state is
// kept at OpenAI between calls.
type respClient struct {
	preset  Preset
	svc     responses.ResponseService
	secrets []string
}

func newResponses(p Preset, base, key string, o Options) *respClient {
	return &respClient{preset: p, svc: responses.NewResponseService(openaiOptions(base, key, o)...), secrets: []string{key}}
}

// Complete implements Model.
func (c *respClient) Complete(ctx context.Context, req Request) (Response, error) {
	params := responses.ResponseNewParams{
		Model: c.preset.ModelID,
		Input: responses.ResponseNewParamsInputUnion{OfInputItemList: responsesInput(req.Messages)},
		Store: openai.Bool(false),
	}
	if req.MaxOutput > 0 {
		params.MaxOutputTokens = openai.Int(int64(max(req.MaxOutput, 16)))
	}
	for _, t := range req.Tools {
		params.Tools = append(params.Tools, responsesTool(t)) // keys in the seed's order
	}
	var rec httpRecord
	start := time.Now()
	out, err := c.svc.New(ctx, params, option.WithMiddleware(rec.middleware))
	latency := time.Since(start)
	if err != nil {
		return Response{}, rec.classify(ctx, c.preset.Provider, c.preset.Name, err, c.secrets)
	}
	if out.Status == responses.ResponseStatusFailed {
		return Response{}, responseFailed(c.preset, out.Error, c.secrets)
	}
	resp := Response{Latency: latency, Model: out.Model, ProviderUsage: true}
	if r := out.IncompleteDetails.Reason; out.Status == responses.ResponseStatusIncomplete && r == "content_filter" {
		resp.Filtered = "incomplete: " + r
	}
	var text, reasoning []string
	for _, item := range out.Output {
		switch item.Type {
		case "message":
			for _, part := range item.AsMessage().Content {
				switch part.Type {
				case "output_text":
					text = append(text, part.Text)
				case "refusal":
					if resp.Filtered == "" {
						resp.Filtered = "refusal: " + clip(part.Refusal)
					}
				}
			}
		case "function_call":
			fc := item.AsFunctionCall()
			resp.ToolCalls = append(resp.ToolCalls, agent.ToolCall{ID: fc.CallID, Name: fc.Name, Arguments: fc.Arguments})
		case "reasoning":
			r := item.AsReasoning()
			for _, s := range r.Summary {
				reasoning = append(reasoning, s.Text)
			}
			for _, s := range r.Content {
				reasoning = append(reasoning, s.Text)
			}
		}
	}
	resp.Content, resp.Reasoning = strings.Join(text, "\n"), strings.Join(reasoning, "\n")
	u := out.Usage
	o, r := splitUsage(u.OutputTokens, u.OutputTokensDetails.ReasoningTokens)
	resp.Usage = agent.Usage{Input: int(u.InputTokens), CachedInput: int(u.InputTokensDetails.CachedTokens),
		CacheWrite: int(u.InputTokensDetails.CacheWriteTokens), Output: o, Reasoning: r}
	return resp, nil
}

// responseFailed classifies a 200 reply whose status is "failed".
func responseFailed(p Preset, e responses.ResponseError, secrets []string) error {
	code, msg := string(e.Code), e.Message
	status := 400
	switch code {
	case "server_error", "vector_store_timeout":
		status = 500
	case "rate_limit_exceeded":
		status = 429
	}
	return httpError(p.Provider, p.Name, status, nil, code, msg, secrets)
}

// responsesInput converts history items to Responses input items: text
// messages by role, assistant tool calls as function_call items, tool
// results as function_call_output items.
func responsesInput(msgs []agent.Message) responses.ResponseInputParam {
	calls, results := wireIDs(msgs)
	var out responses.ResponseInputParam
	text := func(role responses.EasyInputMessageRole, s string) {
		out = append(out, responses.ResponseInputItemUnionParam{OfMessage: &responses.EasyInputMessageParam{
			Role: role, Content: responses.EasyInputMessageContentUnionParam{OfString: openai.String(s)},
		}})
	}
	for n, m := range msgs {
		switch m.Role {
		case agent.RoleSystem:
			text(responses.EasyInputMessageRoleSystem, m.Content)
		case agent.RoleTool:
			out = append(out, responses.ResponseInputItemUnionParam{OfFunctionCallOutput: &responses.ResponseInputItemFunctionCallOutputParam{
				CallID: openai.String(results[n]),
				Output: responses.ResponseInputItemFunctionCallOutputOutputUnionParam{OfString: openai.String(m.Content)},
			}})
		case agent.RoleAssistant:
			if m.Content != "" || len(m.ToolCalls) == 0 {
				text(responses.EasyInputMessageRoleAssistant, m.Content)
			}
			for i, tc := range m.ToolCalls {
				out = append(out, responses.ResponseInputItemUnionParam{OfFunctionCall: &responses.ResponseFunctionToolCallParam{
					CallID: calls[n][i], Name: tc.Name, Arguments: tc.Arguments,
				}})
			}
		default:
			text(responses.EasyInputMessageRoleUser, m.Content)
		}
	}
	return out
}
