package llm

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TraceConfig says where model-call spans go: an OTLP/HTTP (protobuf)
// traces endpoint.
type TraceConfig struct {
	// Endpoint is the full URL of the traces endpoint (…/v1/traces).
	Endpoint string
	// Headers are sent with every export (they may hold a key: never log them).
	Headers map[string]string
	// Resource attributes, e.g. wandb.entity and wandb.project for Weave.
	Resource    map[string]string
	ServiceName string
}

// WeaveSettings turn on export to W&B Weave (the seed's --weave, on by
// default) when a W&B key is present.
type WeaveSettings struct {
	Enabled         bool
	Entity, Project string
}

// TraceConfigFromEnv picks the trace destination: the standard OTel
// variables (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT
// plus /v1/traces, with OTEL_EXPORTER_OTLP_[TRACES_]HEADERS) when set;
// otherwise W&B Weave's OTel endpoint when weave is enabled and WANDB_API_KEY
// is set (WF_TRACE_SERVER_URL, else https://trace.wandb.ai for the public
// cloud, else <WANDB_BASE_URL>/traces). ok is false when tracing is off.
func TraceConfigFromEnv(env Env, weave WeaveSettings) (cfg TraceConfig, ok bool) {
	if strings.EqualFold(env.Get("OTEL_SDK_DISABLED"), "true") || env.Get("OTEL_TRACES_EXPORTER") == "none" {
		return TraceConfig{}, false
	}
	cfg = TraceConfig{Headers: map[string]string{}, Resource: map[string]string{}, ServiceName: firstNonEmpty(env.Get("OTEL_SERVICE_NAME"), "ctxsweep")}
	if ep := env.Get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); ep != "" {
		cfg.Endpoint = ep
	} else if ep := env.Get("OTEL_EXPORTER_OTLP_ENDPOINT"); ep != "" {
		cfg.Endpoint = strings.TrimRight(ep, "/") + "/v1/traces"
	}
	if cfg.Endpoint != "" {
		for _, v := range []string{"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"} {
			for k, val := range parseOTelList(env.Get(v)) {
				cfg.Headers[k] = val
			}
		}
		cfg.Resource = parseOTelList(env.Get("OTEL_RESOURCE_ATTRIBUTES"))
		return cfg, true
	}
	key := env.Get("WANDB_API_KEY")
	if !weave.Enabled || key == "" {
		return TraceConfig{}, false
	}
	base := env.Get("WF_TRACE_SERVER_URL")
	if base == "" {
		api := strings.TrimRight(firstNonEmpty(env.Get("WANDB_BASE_URL"), "https://api.wandb.ai"), "/")
		if api == "https://api.wandb.ai" {
			base = "https://trace.wandb.ai"
		} else {
			base = strings.TrimRight(firstNonEmpty(env.Get("WANDB_PUBLIC_BASE_URL"), api), "/") + "/traces"
		}
	}
	cfg.Endpoint = strings.TrimRight(base, "/") + "/otel/v1/traces"
	cfg.Headers["wandb-api-key"] = key
	if weave.Entity != "" {
		cfg.Resource["wandb.entity"] = weave.Entity
		cfg.Headers["project_id"] = weave.Entity + "/" + weave.Project
	}
	cfg.Resource["wandb.project"] = weave.Project
	return cfg, true
}

// parseOTelList reads the OTel "k1=v1,k2=v2" format (values URL-encoded).
func parseOTelList(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			continue
		}
		if dec, err := url.QueryUnescape(strings.TrimSpace(v)); err == nil {
			v = dec
		}
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

// StartTracing builds a tracer provider that batches spans to cfg's
// endpoint. Pass it to Traced (or set it globally); Shutdown flushes.
func StartTracing(ctx context.Context, cfg TraceConfig, hc *http.Client) (*sdktrace.TracerProvider, error) {
	if _, err := url.ParseRequestURI(cfg.Endpoint); err != nil {
		return nil, fmt.Errorf("trace endpoint %q is not a URL", cfg.Endpoint)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	exp, err := otlptrace.New(ctx, &otlpHTTP{endpoint: cfg.Endpoint, headers: cfg.Headers, hc: hc})
	if err != nil {
		return nil, err
	}
	attrs := []attribute.KeyValue{attribute.String("service.name", firstNonEmpty(cfg.ServiceName, "ctxsweep"))}
	keys := make([]string, 0, len(cfg.Resource))
	for k := range cfg.Resource {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		attrs = append(attrs, attribute.String(k, cfg.Resource[k]))
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(resource.NewSchemaless(attrs...))), nil
}

// otlpHTTP is an OTLP/HTTP protobuf traces client (the exporter W&B Weave
// documents), built on the OTLP exporter's transform and batching.
type otlpHTTP struct {
	endpoint string
	headers  map[string]string
	hc       *http.Client
}

func (c *otlpHTTP) Start(context.Context) error { return nil }
func (c *otlpHTTP) Stop(context.Context) error  { return nil }

// UploadTraces posts one ExportTraceServiceRequest, retrying 429, 5xx and
// network failures three times with a short backoff.
func (c *otlpHTTP) UploadTraces(ctx context.Context, spans []*tracepb.ResourceSpans) error {
	body, err := proto.Marshal(&coltracepb.ExportTraceServiceRequest{ResourceSpans: spans})
	if err != nil {
		return err
	}
	var last error
	for attempt := 0; attempt < 4; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		retry := false
		retry, last = c.post(ctx, body)
		if last == nil || !retry {
			return last
		}
	}
	return last
}

func (c *otlpHTTP) post(ctx context.Context, body []byte) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		// Transport errors name the URL only; headers stay out.
		return true, fmt.Errorf("exporting spans: %s", redact(err.Error(), headerValues(c.headers)))
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
	if res.StatusCode/100 == 2 {
		return false, nil
	}
	return res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500,
		fmt.Errorf("exporting spans to %s: HTTP %d", c.endpoint, res.StatusCode)
}

func headerValues(h map[string]string) []string {
	out := make([]string, 0, len(h))
	for _, v := range h {
		out = append(out, v)
	}
	return out
}
