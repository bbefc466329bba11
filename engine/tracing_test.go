package engine

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// TestWorkerExportsModelCallSpans: with the standard OTel endpoint
// variable set, the worker sends one span per model call (GenAI attributes,
// the instance and run name) to it over OTLP/HTTP.
func TestWorkerExportsModelCallSpans(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	var mu sync.Mutex
	var bodies [][]byte
	otlp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	defer otlp.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", otlp.URL+"/v1/traces")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := startEngine(t, ctx)
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "tr", File: "tr.yaml", Source: oneDemo, Parallel: 1})
	if st.State != "completed" {
		t.Fatalf("sweep %q", st.State)
	}
	ShutdownTracing(ctx)
	mu.Lock()
	defer mu.Unlock()
	all := bytes.Join(bodies, nil)
	for _, want := range []string{"gen_ai.usage.input_tokens", "gen_ai.request.model", "ctxsweep.instance", "replay__raw__demo1"} {
		if !bytes.Contains(all, []byte(want)) {
			t.Errorf("the exported spans lack %q (%d requests, %d bytes)", want, len(bodies), len(all))
		}
	}
}
