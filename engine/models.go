package engine

import (
	"fmt"
	"os"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// ModelOptions tune the model factory.
type ModelOptions struct {
	// Env holds provider credentials; nil reads DefaultEnvFiles.
	Env *llm.Env
	// Tracer receives one span per model call; nil uses the global tracer
	// provider (a no-op unless one was installed, see llm.StartTracing).
	Tracer trace.TracerProvider
	// TraceContent records the reply text in spans.
	TraceContent bool
	// Net tunes the network clients (timeouts; tests give an HTTP client).
	Net llm.Options
}

// DefaultEnvFiles are the .env files a worker reads for provider keys:
// ./.env and the file named by CTXSWEEP_ENV_FILE. The process environment
// wins over both.
func DefaultEnvFiles() []string {
	return []string{".env", os.Getenv("CTXSWEEP_ENV_FILE")}
}

// Models builds model clients with the default options.
func Models(tasks activities.Tasks) activities.ModelFactory {
	return ModelsWith(tasks, ModelOptions{})
}

// ModelsWith builds model clients: the replay model per instance (it
// replays that instance's recorded trajectory), network providers once per
// preset and shared by every instance of the worker. Keys are resolved
// here, in the worker, never passed through workflow inputs.
func ModelsWith(tasks activities.Tasks, o ModelOptions) activities.ModelFactory {
	var envErr error
	if o.Env == nil {
		env, err := llm.LoadEnv(DefaultEnvFiles()...)
		o.Env, envErr = &env, err
	}
	var tr *tracers
	if o.Tracer == nil && envErr == nil {
		tr = newTracers(*o.Env)
	}
	var mu sync.Mutex
	clients := map[string]llm.Model{}
	return func(p llm.Preset, cfg sweep.RunConfig, instance string) (llm.Model, error) {
		var m llm.Model
		switch p.Provider {
		case llm.ProviderReplay:
			traj, err := tasks.Replay(cfg, instance)
			if err != nil {
				return nil, fmt.Errorf("replay model: no recorded trajectory for %s: %w", instance, err)
			}
			r, err := llm.NewReplay(traj)
			if err != nil {
				return nil, err
			}
			r.Latency = replayLatency()
			m = r
		default:
			if envErr != nil {
				return nil, envErr
			}
			key := p.Name + "\x00" + p.Provider + "\x00" + p.ModelID + "\x00" + p.APIBase + "\x00" + p.APIKeyEnv
			mu.Lock()
			m = clients[key]
			mu.Unlock()
			if m == nil {
				c, err := llm.New(p, *o.Env, o.Net)
				if err != nil {
					return nil, err
				}
				mu.Lock()
				clients[key], m = c, c
				mu.Unlock()
			}
		}
		info := llm.CallInfo{Instance: instance, RunName: cfg.RunName()}
		tp := o.Tracer
		if tr != nil {
			if t := tr.For(cfg); t != nil {
				tp = t
			}
		}
		return llm.Traced(m, p, info, tp, o.TraceContent), nil
	}
}

// replayLatency is CTXSWEEP_REPLAY_LATENCY (a Go duration): how long the
// replay model takes per call, to make demos and chaos tests realistic.
func replayLatency() time.Duration {
	d, err := time.ParseDuration(os.Getenv("CTXSWEEP_REPLAY_LATENCY"))
	if err != nil {
		return 0
	}
	return d
}
