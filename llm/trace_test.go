package llm

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// otlpSink is a local OTLP/HTTP traces endpoint.
type otlpSink struct {
	*httptest.Server
	mu       sync.Mutex
	paths    []string
	headers  []http.Header
	resource []map[string]string
	spans    []*tracepb.Span
}

func newSink(t *testing.T) *otlpSink {
	s := &otlpSink{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		var req coltracepb.ExportTraceServiceRequest
		if r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(data, &req) != nil {
			http.Error(w, "bad request", 400)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.paths, s.headers = append(s.paths, r.URL.Path), append(s.headers, r.Header.Clone())
		for _, rs := range req.ResourceSpans {
			s.resource = append(s.resource, attrMap(rs.Resource.Attributes))
			for _, ss := range rs.ScopeSpans {
				s.spans = append(s.spans, ss.Spans...)
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		_, _ = w.Write(nil)
	}))
	t.Cleanup(s.Close)
	return s
}

func attrMap(kvs []*commonpb.KeyValue) map[string]string {
	out := map[string]string{}
	for _, kv := range kvs {
		switch v := kv.Value.Value.(type) {
		case *commonpb.AnyValue_StringValue:
			out[kv.Key] = v.StringValue
		case *commonpb.AnyValue_IntValue:
			out[kv.Key] = strconv.FormatInt(v.IntValue, 10)
		case *commonpb.AnyValue_DoubleValue:
			out[kv.Key] = strconv.FormatFloat(v.DoubleValue, 'g', -1, 64)
		default:
			out[kv.Key] = prototext.Format(kv.Value)
		}
	}
	return out
}

func tracedCalls(t *testing.T, cfg TraceConfig) {
	t.Helper()
	calls := 0
	f := newFake(t, func(n int, _ seen) reply {
		calls++
		if n == 2 {
			return reply{Status: 429, Header: map[string]string{"Retry-After": "1"}, Body: `{"error":{"message":"slow down"}}`}
		}
		return reply{Body: chatReply}
	})
	tp, err := StartTracing(context.Background(), cfg, nil)
	require.NoError(t, err)
	p := builtin(t)["gpt-4o-mini"]
	p.APIBase = f.URL
	inner, err := New(p, MapEnv(map[string]string{"OPENAI_API_KEY": testKey}), Options{Timeout: 5 * time.Second})
	require.NoError(t, err)
	m := Traced(inner, p, CallInfo{Sweep: "demo", Trial: "demo/trial-1", RunName: "run-a", Instance: "demo__bug-1"}, tp, true)
	req := request()
	_, err = m.Complete(context.Background(), req)
	require.NoError(t, err)
	_, err = m.Complete(context.Background(), req)
	require.Equal(t, KindRateLimited, KindOf(err))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, tp.Shutdown(ctx))
}

func TestTraceSpansReachOTLPEndpoint(t *testing.T) {
	sink := newSink(t)
	cfg, ok := TraceConfigFromEnv(MapEnv(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": sink.URL + "/",
		"OTEL_EXPORTER_OTLP_HEADERS": "x-token=abc%20def", "OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=test"}), WeaveSettings{Enabled: true})
	require.True(t, ok)
	tracedCalls(t, cfg)

	sink.mu.Lock()
	defer sink.mu.Unlock()
	require.Equal(t, "/v1/traces", sink.paths[0])
	require.Equal(t, "abc def", sink.headers[0].Get("X-Token"))
	require.Equal(t, "ctxsweep", sink.resource[0]["service.name"])
	require.Equal(t, "test", sink.resource[0]["deployment.environment"])
	require.Len(t, sink.spans, 2)
	ok0, failed := attrMap(sink.spans[0].Attributes), attrMap(sink.spans[1].Attributes)
	require.Equal(t, "chat gpt-4o-mini", sink.spans[0].Name)
	require.Equal(t, tracepb.Span_SPAN_KIND_CLIENT, sink.spans[0].Kind)
	require.Equal(t, "chat", ok0["gen_ai.operation.name"])
	require.Equal(t, "gpt-4o-mini", ok0["gen_ai.request.model"])
	require.Equal(t, "m1-2025", ok0["gen_ai.response.model"])
	require.Equal(t, "1200", ok0["gen_ai.usage.input_tokens"])
	require.Equal(t, "300", ok0["gen_ai.usage.output_tokens"])
	require.Equal(t, "1024", ok0["gen_ai.usage.cache_read.input_tokens"])
	require.Equal(t, "120", ok0["gen_ai.usage.reasoning.output_tokens"])
	require.Equal(t, "3", ok0["ctxsweep.turn"])
	require.Equal(t, "demo__bug-1", ok0["ctxsweep.instance"])
	require.Equal(t, "demo/trial-1", ok0["ctxsweep.trial"])
	require.Equal(t, "run-a/demo__bug-1", ok0["wandb.thread_id"])
	require.Equal(t, "agent", ok0["ctxsweep.role"])
	require.Contains(t, ok0["gen_ai.output.messages"], `"name":"bash"`)
	// gpt-4o-mini: 176 uncached at 0.15, 1024 cached at 0.075, 300 output at 0.60 per M.
	require.Equal(t, strconv.FormatFloat((176*0.15+1024*0.075+300*0.60)/1e6, 'g', -1, 64), ok0["ctxsweep.cost_usd"])
	require.Equal(t, "RateLimited", failed["error.type"])
	require.Equal(t, tracepb.Status_STATUS_CODE_ERROR, sink.spans[1].Status.Code)
	for _, s := range sink.spans {
		require.NotContains(t, prototext.Format(s), testKey)
	}
}

func TestTraceToWeave(t *testing.T) {
	sink := newSink(t)
	env := map[string]string{"WANDB_API_KEY": "wandb-key-0123456789", "WF_TRACE_SERVER_URL": sink.URL}
	cfg, ok := TraceConfigFromEnv(MapEnv(env), WeaveSettings{Enabled: true, Entity: "acme", Project: "complexity-trap"})
	require.True(t, ok)
	tracedCalls(t, cfg)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	require.Equal(t, "/otel/v1/traces", sink.paths[0])
	require.Equal(t, "wandb-key-0123456789", sink.headers[0].Get("Wandb-Api-Key"))
	require.Equal(t, "acme", sink.resource[0]["wandb.entity"])
	require.Equal(t, "complexity-trap", sink.resource[0]["wandb.project"])
	require.Len(t, sink.spans, 2)
}

func TestTraceConfigChoice(t *testing.T) {
	key := map[string]string{"WANDB_API_KEY": "k"}
	cfg, ok := TraceConfigFromEnv(MapEnv(key), WeaveSettings{Enabled: true, Project: "p"})
	require.True(t, ok)
	require.Equal(t, "https://trace.wandb.ai/otel/v1/traces", cfg.Endpoint)
	_, ok = TraceConfigFromEnv(MapEnv(key), WeaveSettings{Enabled: false})
	require.False(t, ok, "--no-weave")
	_, ok = TraceConfigFromEnv(MapEnv(nil), WeaveSettings{Enabled: true})
	require.False(t, ok, "no W&B key, no OTel endpoint: no tracing")
	cfg, _ = TraceConfigFromEnv(MapEnv(map[string]string{"WANDB_API_KEY": "k", "WANDB_BASE_URL": "https://wandb.example.com/"}), WeaveSettings{Enabled: true})
	require.Equal(t, "https://wandb.example.com/traces/otel/v1/traces", cfg.Endpoint)
	cfg, _ = TraceConfigFromEnv(MapEnv(map[string]string{"WANDB_API_KEY": "k", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}), WeaveSettings{Enabled: true})
	require.Equal(t, "http://collector:4318/v1/traces", cfg.Endpoint, "the standard OTel variables win")
	_, ok = TraceConfigFromEnv(MapEnv(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}), WeaveSettings{})
	require.False(t, ok)
}
