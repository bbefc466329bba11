package engine

import (
	"context"
	"os"
	"strings"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// tracers exports one span per model call: to the OTLP endpoint of the
// standard OTel variables when set, else to W&B Weave for trials that log
// to W&B (the seed's --weave, on by default; CTXSWEEP_WEAVE=0 turns it
// off), one provider per W&B entity/project. Providers are made on first
// use in the worker; their keys stay in the worker.
type tracers struct {
	env llm.Env
	mu  sync.Mutex
	tps map[string]*sdktrace.TracerProvider
}

var workerTracers struct {
	sync.Mutex
	all []*tracers
}

func newTracers(env llm.Env) *tracers {
	t := &tracers{env: env, tps: map[string]*sdktrace.TracerProvider{}}
	workerTracers.Lock()
	workerTracers.all = append(workerTracers.all, t)
	workerTracers.Unlock()
	return t
}

func weaveOn() bool {
	v := strings.ToLower(os.Getenv("CTXSWEEP_WEAVE"))
	return v != "0" && v != "false" && v != "off"
}

// For returns the trial's tracer provider, or nil (no tracing).
func (t *tracers) For(cfg sweep.RunConfig) trace.TracerProvider {
	entity := cfg.WandbEntity
	if entity == "" {
		entity = t.env.Get("WANDB_ENTITY")
	}
	if entity == "" && cfg.Wandb && weaveOn() {
		entity = defaultWandbEntity() // where the runs go (the Viewer's entity)
	}
	ws := llm.WeaveSettings{Enabled: cfg.Wandb && weaveOn(), Entity: entity, Project: cfg.WandbProject}
	tc, ok := llm.TraceConfigFromEnv(t.env, ws)
	if !ok {
		return nil
	}
	key := tc.Endpoint + "\x00" + entity + "\x00" + cfg.WandbProject
	t.mu.Lock()
	defer t.mu.Unlock()
	if tp, ok := t.tps[key]; ok {
		return tp
	}
	tp, err := llm.StartTracing(context.Background(), tc, nil)
	if err != nil {
		return nil
	}
	t.tps[key] = tp
	return tp
}

// ShutdownTracing flushes and stops every tracer provider of the process.
func ShutdownTracing(ctx context.Context) {
	workerTracers.Lock()
	defer workerTracers.Unlock()
	for _, t := range workerTracers.all {
		t.mu.Lock()
		for k, tp := range t.tps {
			_ = tp.Shutdown(ctx)
			delete(t.tps, k)
		}
		t.mu.Unlock()
	}
}
