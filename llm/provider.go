package llm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Provider names a preset's `provider` may take.
const (
	ProviderOpenAI          = "openai"           // chat completions: OpenAI, DeepSeek, MiniMax, vLLM, SGLang, Ollama ...
	ProviderOpenAIResponses = "openai-responses" // Responses API (the gpt-5 family)
	ProviderOpenRouter      = "openrouter"       // chat completions at openrouter.ai
	ProviderGemini          = "gemini"           // Gemini's OpenAI-compatible endpoint
	ProviderAnthropic       = "anthropic"        // Anthropic Messages: claude-*, z.ai GLM, Kimi coding
	ProviderBedrock         = "bedrock"          // AWS Bedrock Converse
	ProviderReplay          = "replay"           // offline replay (built by the engine)
)

// Defaults per provider: API base and API-key variable when the preset
// gives none.
var (
	defaultBase = map[string]string{
		ProviderOpenAI:          "https://api.openai.com/v1/",
		ProviderOpenAIResponses: "https://api.openai.com/v1/",
		ProviderOpenRouter:      "https://openrouter.ai/api/v1/",
		ProviderGemini:          "https://generativelanguage.googleapis.com/v1beta/openai/",
		ProviderAnthropic:       "https://api.anthropic.com/",
	}
	defaultKeyEnv = map[string]string{
		ProviderOpenAI:          "OPENAI_API_KEY",
		ProviderOpenAIResponses: "OPENAI_API_KEY",
		ProviderOpenRouter:      "OPENROUTER_API_KEY",
		ProviderGemini:          "GEMINI_API_KEY",
		ProviderAnthropic:       "ANTHROPIC_API_KEY",
	}
)

// Options tune network clients.
type Options struct {
	// HTTPClient carries the requests (default: a client with Timeout).
	HTTPClient *http.Client
	// Timeout bounds one request (default 10 minutes). A timeout is a
	// retryable ProviderUnavailable error.
	Timeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.Timeout + 30*time.Second}
	}
	return o
}

// KeyEnv is the variable holding a preset's API key ("" for Bedrock,
// which uses the AWS credential chain, and for keyless local servers).
func (p Preset) KeyEnv() string {
	if p.APIKeyEnv != "" {
		return p.APIKeyEnv
	}
	if p.Provider == ProviderOpenAI && p.APIBase != "" {
		return "" // a local OpenAI-compatible server (vLLM, Ollama ...)
	}
	return defaultKeyEnv[p.Provider]
}

// New builds the network client of a preset. Keys are read from env; a
// missing key is an error naming the variable, never its value. The
// replay provider is built by the engine, not here.
func New(p Preset, env Env, o Options) (Model, error) {
	if p.Provider == ProviderBedrock {
		return newBedrock(p, env, o)
	}
	o = o.withDefaults()
	base := p.APIBase
	if base == "" {
		base = defaultBase[p.Provider]
	}
	var key string
	if v := p.KeyEnv(); v != "" {
		if key = env.Get(v); key == "" {
			return nil, fmt.Errorf("model %s: %s is not set (put it in the worker's environment or .env file)", p.Name, v)
		}
	}
	switch p.Provider {
	case ProviderOpenAI, ProviderOpenRouter, ProviderGemini:
		return newChat(p, base, key, o), nil
	case ProviderOpenAIResponses:
		return newResponses(p, base, key, o), nil
	case ProviderAnthropic:
		return newAnthropic(p, base, key, o), nil
	case ProviderReplay:
		return nil, fmt.Errorf("model %s: the replay provider is built by the engine", p.Name)
	}
	return nil, fmt.Errorf("model %s: unknown provider %q (known: openai, openai-responses, openrouter, gemini, anthropic, bedrock, replay)", p.Name, p.Provider)
}

// schemaParts splits a tool schema into properties and required names
// (the Anthropic SDK takes them apart).
func schemaParts(t agent.Tool) (props map[string]any, required []string) {
	props = map[string]any{}
	for _, p := range t.Params {
		props[p.Name] = map[string]any{"type": p.Type, "description": p.Description}
		if p.Required {
			required = append(required, p.Name)
		}
	}
	return props, required
}

var badIDChars = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// wireIDs gives every assistant tool call (calls[i][j]: message i, call j)
// and every tool result (results[i]) an id every provider accepts
// (Anthropic and Bedrock allow [A-Za-z0-9_-] only), the same for a call
// and its result, so histories recorded with one provider replay on
// another. A result without an id answers the previous assistant's calls
// in order.
func wireIDs(msgs []agent.Message) (calls map[int][]string, results map[int]string) {
	calls, results = map[int][]string{}, map[int]string{}
	var pending []string
	for i, m := range msgs {
		switch m.Role {
		case agent.RoleAssistant:
			pending = nil
			for j, tc := range m.ToolCalls {
				id := badIDChars.ReplaceAllString(tc.ID, "_")
				if id == "" {
					id = fmt.Sprintf("call_%d_%d", i, j)
				}
				calls[i] = append(calls[i], id)
			}
			pending = calls[i]
		case agent.RoleTool:
			id := ""
			if len(m.ToolCallIDs) > 0 {
				id = badIDChars.ReplaceAllString(m.ToolCallIDs[0], "_")
			}
			if id == "" && len(pending) > 0 {
				id, pending = pending[0], pending[1:]
			}
			if id == "" {
				id = fmt.Sprintf("call_%d_0", i)
			}
			results[i] = id
		}
	}
	return calls, results
}

// argsObject parses tool-call arguments into a JSON object; invalid or
// non-object arguments become {} (the provider needs an object; the
// original text stays in our history).
func argsObject(args string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(args), &m); err != nil || m == nil {
		return map[string]any{}
	}
	return m
}

// splitUsage turns a provider's (output, reasoning) pair, where output may
// include reasoning, into agent.Usage's exclusive Output and Reasoning.
func splitUsage(output, reasoning int64) (int, int) {
	if reasoning < 0 || reasoning > output {
		return int(output), int(max(reasoning, 0))
	}
	return int(output - reasoning), int(reasoning)
}

func nonEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(empty)"
	}
	return s
}

// extraString reads the first of keys that is a JSON string among a
// reply's extra fields (reasoning_content: DeepSeek, vLLM, SGLang;
// reasoning: OpenRouter, Ollama).
func extraString[F interface{ Raw() string }](fields map[string]F, keys ...string) string {
	for _, k := range keys {
		f, ok := fields[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal([]byte(f.Raw()), &s) == nil && s != "" {
			return s
		}
	}
	return ""
}
