package llm

import (
	"context"
	"encoding/json"
	"strconv"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// TracerName is the instrumentation scope of model-call spans.
const TracerName = "github.com/ctxresearch/ctxsweep/llm"

// CallInfo places a model call in the sweep: it becomes span attributes
// (ctxsweep.*, and wandb.thread_id / wandb.display_name so W&B Weave groups
// the calls of one instance).
type CallInfo struct {
	Sweep, Trial, RunName, Instance string
	// Role is "agent" or "summarizer".
	Role string
}

// Traced wraps m so every call is one OpenTelemetry span with the GenAI
// semantic-convention attributes: operation, provider, request and
// response model, token usage (input, output, cache read/write,
// reasoning), latency, cost, and the error kind on failure. Prompts are
// not recorded; the reply is (gen_ai.output.messages), unless
// withContent is false. tp nil means the global tracer provider.
func Traced(m Model, p Preset, info CallInfo, tp trace.TracerProvider, withContent bool) Model {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return &traced{inner: m, preset: p, info: info, tracer: tp.Tracer(TracerName), content: withContent}
}

type traced struct {
	inner   Model
	preset  Preset
	info    CallInfo
	tracer  trace.Tracer
	content bool
}

// genAIProvider is gen_ai.provider.name for a preset's provider.
func genAIProvider(p Preset) string {
	switch p.Provider {
	case ProviderOpenAI, ProviderOpenAIResponses:
		if p.APIBase == "" {
			return "openai"
		}
		return p.Provider
	case ProviderAnthropic:
		if p.APIBase == "" {
			return "anthropic"
		}
		return p.Provider
	case ProviderBedrock:
		return "aws.bedrock"
	case ProviderGemini:
		return "gcp.gemini"
	}
	return p.Provider
}

// Complete implements Model.
func (t *traced) Complete(ctx context.Context, req Request) (Response, error) {
	role := t.info.Role
	if role == "" {
		role = "agent"
		if len(req.Tools) == 0 {
			role = "summarizer"
		}
	}
	attrs := []attribute.KeyValue{
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", genAIProvider(t.preset)),
		attribute.String("gen_ai.system", genAIProvider(t.preset)),
		attribute.String("gen_ai.request.model", t.preset.ModelID),
		attribute.Float64("gen_ai.request.temperature", req.Temperature),
		attribute.String("ctxsweep.preset", t.preset.Name),
		attribute.String("ctxsweep.role", role),
		attribute.Int("ctxsweep.turn", req.Turn),
		attribute.String("ctxsweep.sweep", t.info.Sweep),
		attribute.String("ctxsweep.trial", t.info.Trial),
		attribute.String("ctxsweep.run_name", t.info.RunName),
		attribute.String("ctxsweep.instance", t.info.Instance),
		attribute.String("wandb.thread_id", t.info.RunName+"/"+t.info.Instance),
		attribute.String("wandb.display_name", t.preset.Name+" turn "+strconv.Itoa(req.Turn)+" ("+role+")"),
	}
	if req.MaxOutput > 0 {
		attrs = append(attrs, attribute.Int("gen_ai.request.max_tokens", req.MaxOutput))
	}
	ctx, span := t.tracer.Start(ctx, "chat "+t.preset.ModelID, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()
	resp, err := t.inner.Complete(ctx, req)
	if err != nil {
		kind := string(KindOf(err))
		if kind == "" {
			kind = "_OTHER"
		}
		span.SetAttributes(attribute.String("error.type", kind))
		span.SetStatus(codes.Error, err.Error())
		return resp, err
	}
	u := resp.Usage
	span.SetAttributes(
		attribute.String("gen_ai.response.model", firstNonEmpty(resp.Model, t.preset.ModelID)),
		attribute.Int("gen_ai.usage.input_tokens", u.Input),
		attribute.Int("gen_ai.usage.output_tokens", u.Output+u.Reasoning),
		attribute.Int("gen_ai.usage.cache_read.input_tokens", u.CachedInput),
		attribute.Int("gen_ai.usage.cache_creation.input_tokens", u.CacheWrite),
		attribute.Int("gen_ai.usage.reasoning.output_tokens", u.Reasoning),
		attribute.Int("gen_ai.usage.prompt_tokens", u.Input),
		attribute.Int("gen_ai.usage.completion_tokens", u.Output+u.Reasoning),
		attribute.Int64("ctxsweep.latency_ms", resp.Latency.Milliseconds()),
		attribute.Float64("ctxsweep.cost_usd", t.preset.Cost(u)),
		attribute.Int("ctxsweep.tool_calls", len(resp.ToolCalls)),
	)
	if t.content {
		span.SetAttributes(attribute.String("gen_ai.output.messages", outputMessages(resp)))
	}
	return resp, nil
}

// outputMessages is the reply in the GenAI semantic conventions' JSON
// message shape.
func outputMessages(r Response) string {
	type part struct {
		Type      string          `json:"type"`
		Content   string          `json:"content,omitempty"`
		ID        string          `json:"id,omitempty"`
		Name      string          `json:"name,omitempty"`
		Arguments json.RawMessage `json:"arguments,omitempty"`
	}
	var parts []part
	if r.Reasoning != "" {
		parts = append(parts, part{Type: "reasoning", Content: r.Reasoning})
	}
	if r.Content != "" {
		parts = append(parts, part{Type: "text", Content: r.Content})
	}
	for _, c := range r.ToolCalls {
		args := json.RawMessage(c.Arguments)
		if !json.Valid(args) {
			args, _ = json.Marshal(c.Arguments)
		}
		parts = append(parts, part{Type: "tool_call", ID: c.ID, Name: c.Name, Arguments: args})
	}
	b, _ := json.Marshal([]map[string]any{{"role": "assistant", "parts": parts}})
	return string(b)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
