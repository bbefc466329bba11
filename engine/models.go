package engine

import (
	"fmt"
	"os"
	"time"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// Models builds model clients. Only the offline replay provider is built in
// so far; the network providers come with their own issue.
func Models(tasks activities.Tasks) activities.ModelFactory {
	return func(p llm.Preset, cfg sweep.RunConfig, instance string) (llm.Model, error) {
		switch p.Provider {
		case "replay":
			traj, err := tasks.Replay(cfg, instance)
			if err != nil {
				return nil, fmt.Errorf("replay model: no recorded trajectory for %s: %w", instance, err)
			}
			r, err := llm.NewReplay(traj)
			if err != nil {
				return nil, err
			}
			r.Latency = replayLatency()
			return r, nil
		default:
			return nil, fmt.Errorf("provider %q (model %s) is not available in this build yet; use model: replay", p.Provider, p.Name)
		}
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
