package llm

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/ctxresearch/ctxsweep/agent"
)

// anthropicDefaultMax is max_tokens when the preset gives none (the
// Messages API requires one).
const anthropicDefaultMax = 4096

// anthropicClient calls an Anthropic Messages endpoint: Claude, and the
// Anthropic-compatible endpoints of z.ai (GLM) and Kimi as the seed
// configures them. The SDK is built without environment defaults (no
// ANTHROPIC_* variable is read behind our back) and without retries.
type anthropicClient struct {
	preset  Preset
	svc     anthropic.MessageService
	secrets []string
	// temperature is sent to third-party endpoints only: the current
	// Anthropic API version no longer takes sampling parameters.
	temperature bool
}

func newAnthropic(p Preset, base, key string, o Options) *anthropicClient {
	opts := []option.RequestOption{option.WithoutEnvironmentDefaults(), option.WithBaseURL(base), option.WithAPIKey(key),
		option.WithHTTPClient(o.HTTPClient), option.WithMaxRetries(0), option.WithRequestTimeout(o.Timeout)}
	if p.APIBase != "" {
		// The SDK sends the key as a bearer token; compatible endpoints
		// configured for LiteLLM (as the seed's were) may expect x-api-key.
		opts = append(opts, option.WithHeader("x-api-key", key))
	}
	c := anthropic.NewClient(opts...)
	return &anthropicClient{preset: p, svc: c.Messages, secrets: []string{key}, temperature: p.APIBase != ""}
}

// Complete implements Model.
func (c *anthropicClient) Complete(ctx context.Context, req Request) (Response, error) {
	system, msgs := anthropicMessages(req.Messages, c.preset.CacheMarks)
	maxTokens := req.MaxOutput
	if maxTokens <= 0 {
		maxTokens = anthropicDefaultMax
	}
	params := anthropic.MessageNewParams{Model: c.preset.ModelID, MaxTokens: int64(maxTokens), Messages: msgs}
	if system != "" {
		params.System = []anthropic.TextBlockParam{{Text: system}}
	}
	for _, t := range req.Tools {
		_, required := schemaParts(t)
		params.Tools = append(params.Tools, anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{
			Name: t.Name, Description: anthropic.String(t.Description),
			InputSchema: anthropic.ToolInputSchemaParam{Properties: orderedProperties(t), Required: required}, // arguments in declared order
		}})
	}
	var rec httpRecord
	opts := []option.RequestOption{option.WithMiddleware(rec.middleware)}
	if c.temperature {
		opts = append(opts, option.WithJSONSet("temperature", req.Temperature))
	}
	start := time.Now()
	out, err := c.svc.New(ctx, params, opts...)
	latency := time.Since(start)
	if err != nil {
		return Response{}, rec.classify(ctx, c.preset.Provider, c.preset.Name, err, c.secrets)
	}
	resp := Response{Latency: latency, Model: out.Model, ProviderUsage: true}
	if out.StopReason == "refusal" {
		resp.Filtered = "stop_reason refusal"
	}
	var text, thinking []string
	for _, b := range out.Content {
		switch b.Type {
		case "text":
			text = append(text, b.Text)
		case "thinking":
			thinking = append(thinking, b.Thinking)
		case "tool_use":
			args := string(b.Input)
			if args == "" || args == "null" {
				args = "{}"
			}
			resp.ToolCalls = append(resp.ToolCalls, agent.ToolCall{ID: b.ID, Name: b.Name, Arguments: args})
		}
	}
	resp.Content, resp.Reasoning = strings.Join(text, "\n"), strings.Join(thinking, "\n")
	u := out.Usage
	o, r := splitUsage(u.OutputTokens, u.OutputTokensDetails.ThinkingTokens)
	// input_tokens excludes cache reads and writes; our Input includes both.
	resp.Usage = agent.Usage{Input: int(u.InputTokens + u.CacheReadInputTokens + u.CacheCreationInputTokens),
		CachedInput: int(u.CacheReadInputTokens), CacheWrite: int(u.CacheCreationInputTokens), Output: o, Reasoning: r}
	return resp, nil
}

// anthropicMessages converts history items: system items become the system
// prompt; tool results are user content blocks; consecutive items of one
// role are merged (a summary followed by an assistant turn, or several tool
// results), and empty texts are replaced, as the API requires. The blocks
// of the last marks user and tool items get an ephemeral cache_control
// mark, as the seed's cache_control processor does (Anthropic caches a
// prompt prefix only where it is marked).
func anthropicMessages(msgs []agent.Message, marks int) (string, []anthropic.MessageParam) {
	calls, results := wireIDs(msgs)
	marked := cacheMarked(msgs, marks)
	var system []string
	var out []anthropic.MessageParam
	lastRole := ""
	add := func(role string, blocks ...anthropic.ContentBlockParamUnion) {
		if role == lastRole && len(out) > 0 {
			last := &out[len(out)-1]
			if last.OfUser != nil {
				last.OfUser.Content = append(last.OfUser.Content, blocks...)
			} else if last.OfAssistant != nil {
				last.OfAssistant.Content = append(last.OfAssistant.Content, blocks...)
			}
			return
		}
		if role == agent.RoleAssistant {
			out = append(out, anthropic.NewAssistantMessage(blocks...))
		} else {
			out = append(out, anthropic.NewUserMessage(blocks...))
		}
		lastRole = role
	}
	for n, m := range msgs {
		switch m.Role {
		case agent.RoleSystem:
			system = append(system, m.Content)
		case agent.RoleTool:
			add(agent.RoleUser, mark(anthropic.NewToolResultBlock(results[n], nonEmpty(m.Content), false), marked[n]))
		case agent.RoleAssistant:
			var blocks []anthropic.ContentBlockParamUnion
			if strings.TrimSpace(m.Content) != "" || len(m.ToolCalls) == 0 {
				blocks = append(blocks, anthropic.NewTextBlock(nonEmpty(m.Content)))
			}
			for i, tc := range m.ToolCalls {
				input, _ := json.Marshal(argsObject(tc.Arguments))
				blocks = append(blocks, anthropic.NewToolUseBlock(calls[n][i], json.RawMessage(input), tc.Name))
			}
			add(agent.RoleAssistant, blocks...)
		default:
			add(agent.RoleUser, mark(anthropic.NewTextBlock(nonEmpty(m.Content)), marked[n]))
		}
	}
	return strings.Join(system, "\n\n"), out
}

// mark gives block an ephemeral cache_control mark when on is set.
func mark(block anthropic.ContentBlockParamUnion, on bool) anthropic.ContentBlockParamUnion {
	if cc := block.GetCacheControl(); on && cc != nil {
		*cc = anthropic.NewCacheControlEphemeralParam()
	}
	return block
}

// cacheMarked picks the last marks user and tool items of a history: where
// explicit prompt-cache marks go (Anthropic cache_control, Bedrock
// cachePoint).
func cacheMarked(msgs []agent.Message, marks int) map[int]bool {
	marked := map[int]bool{}
	for n := len(msgs) - 1; n >= 0 && len(marked) < marks; n-- {
		if msgs[n].Role == agent.RoleUser || msgs[n].Role == agent.RoleTool {
			marked[n] = true
		}
	}
	return marked
}
