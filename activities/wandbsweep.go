package activities

import (
	"context"
	"fmt"
	"os"
	"path"
	"sync"
	"time"

	"go.uber.org/zap"
	"gopkg.in/yaml.v3"

	"github.com/ctxresearch/ctxsweep/wandb"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// wandbSweepRecord is the sweep's W&B sweep as kept in the data directory
// (runs/<sweep>/wandb-sweep.json): its config, and once created its ID,
// which is reused by every later process instead of a search by name.
type wandbSweepRecord struct {
	Config string `json:"config_yaml"`
	wandb.Sweep
	State string `json:"state,omitempty"`
	// Unsure: a creation failed, so the sweep may exist without our
	// knowing its ID (or a run's sync created it): it is looked up by
	// name before another is created.
	Unsure bool `json:"unsure,omitempty"`
}

func wandbSweepFile(sweepName string) string {
	return path.Join("runs", sweepName, "wandb-sweep.json")
}

// wandbSweepTimeout bounds one W&B sweep call, retries included, so that
// an unreachable server delays a sweep's start and end only that long.
const wandbSweepTimeout = 10 * time.Second

// wandbSweepMu serializes the sweep record's read-modify-write in a worker.
var wandbSweepMu sync.Mutex

func (a *Activities) readWandbSweep(sweepName string) (wandbSweepRecord, bool) {
	var rec wandbSweepRecord
	if sweepName == "" {
		return rec, false
	}
	ok, err := a.Store.ReadJSON(wandbSweepFile(sweepName), &rec)
	return rec, ok && err == nil
}

// WandbSweep creates the W&B sweep from the sweep file (once) and keeps
// its state in step with ours. The server's validation warnings are
// logged. Without a W&B key it records the config only; a later call with
// a key creates the sweep. W&B errors are logged, never returned: W&B
// must not fail a sweep.
func (a *Activities) WandbSweep(ctx context.Context, in workflows.WandbSweepInput) error {
	wandbSweepMu.Lock()
	defer wandbSweepMu.Unlock()
	rec, _ := a.readWandbSweep(in.Sweep)
	if rec.Config == "" {
		cfg, err := WandbSweepConfig(in.Source)
		if err != nil {
			return fmt.Errorf("sweep %s: %w", in.Sweep, err)
		}
		rec.Config = cfg
		if err := a.Store.WriteJSON(wandbSweepFile(in.Sweep), rec); err != nil {
			return err
		}
	}
	a.mu.Lock()
	paused := time.Now().Before(a.wandbPausedUntil)
	a.mu.Unlock()
	if a.Wandb == nil || paused {
		return nil // created (or updated) by a later call
	}
	ctx, cancel := context.WithTimeout(ctx, wandbSweepTimeout)
	defer cancel()
	unreachable := func() {
		a.mu.Lock()
		a.wandbPausedUntil = time.Now().Add(wandbBackoff)
		a.mu.Unlock()
	}
	entity := in.Entity
	if entity == "" {
		entity = os.Getenv("WANDB_ENTITY")
	}
	switch {
	case rec.ID == "" && rec.Unsure:
		found, err := a.Wandb.FindSweep(ctx, entity, in.Project, in.Sweep)
		if err != nil {
			unreachable()
			a.Log.Warn("W&B sweep not found nor created", zap.String("sweep", in.Sweep), zap.Error(err))
			return nil
		}
		if found != nil {
			rec.Sweep, rec.Unsure = *found, false
			if err := a.Wandb.SetSweepState(ctx, rec.Sweep, in.State); err == nil {
				rec.State = in.State
			}
			break
		}
		fallthrough
	case rec.ID == "":
		sw, err := a.Wandb.CreateSweep(ctx, entity, in.Project, in.Sweep, rec.Config, in.State)
		if err != nil {
			unreachable()
			if !rec.Unsure {
				rec.Unsure = true
				_ = a.Store.WriteJSON(wandbSweepFile(in.Sweep), rec)
			}
			a.Log.Warn("W&B sweep not created; its runs are logged without it", zap.String("sweep", in.Sweep), zap.Error(err))
			return nil
		}
		rec.Sweep, rec.State, rec.Unsure = sw, in.State, false
		for _, w := range sw.Warnings {
			a.Log.Warn("W&B sweep config warning", zap.String("sweep", in.Sweep), zap.String("warning", w))
		}
		a.Log.Info("W&B sweep", zap.String("sweep", in.Sweep), zap.String("id", sw.ID))
	case rec.State != in.State:
		if err := a.Wandb.SetSweepState(ctx, rec.Sweep, in.State); err != nil {
			unreachable()
			a.Log.Warn("W&B sweep state not updated", zap.String("sweep", in.Sweep), zap.String("state", in.State), zap.Error(err))
			return nil
		}
		rec.State = in.State
	default:
		return nil
	}
	return a.Store.WriteJSON(wandbSweepFile(in.Sweep), rec)
}

// WandbSweepConfig is the W&B sweep config of a sweep file: the file's
// own keys (method, metric, parameters, early_terminate, ...) with
// `controller: {type: local}`, since our controller proposes the trials.
func WandbSweepConfig(source string) (string, error) {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(source), &m); err != nil {
		return "", fmt.Errorf("the sweep file is not YAML: %w", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	m["controller"] = map[string]any{"type": "local"}
	b, err := yaml.Marshal(m)
	return string(b), err
}
