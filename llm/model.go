// Package llm calls language models: presets, providers, token and cost
// accounting. Every provider returns the same Response type.
package llm

import (
	"context"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Request is one model query.
type Request struct {
	Messages    []agent.Message
	Tools       []agent.Tool // none for summary requests
	Temperature float64
	MaxOutput   int
	// Turn is the agent turn being queried (1-based); the replay model uses it.
	Turn int
}

// Response is what every provider returns.
type Response struct {
	Content   string           `json:"content"`
	ToolCalls []agent.ToolCall `json:"tool_calls,omitempty"`
	Reasoning string           `json:"reasoning,omitempty"`
	Usage     agent.Usage      `json:"usage"`
	Latency   time.Duration    `json:"latency"`
	// Model is the model id the provider says answered ("" if it did not).
	Model string `json:"model,omitempty"`
	// ProviderUsage is true when Usage is the provider's own count (network
	// providers), false when it is estimated (replay). Only estimated usage
	// should get the simulated prefix cache.
	ProviderUsage bool `json:"provider_usage,omitempty"`
	// Filtered is set when the provider answered but withheld the reply
	// under its content policy (OpenAI finish_reason or incomplete reason
	// "content_filter", Anthropic stop_reason "refusal", Bedrock
	// "content_filtered"/"guardrail_intervened"): the provider's reason.
	// The call is billed as usual.
	Filtered string `json:"filtered,omitempty"`
}

// Model is a configured provider client for one preset.
type Model interface {
	Complete(ctx context.Context, req Request) (Response, error)
}
