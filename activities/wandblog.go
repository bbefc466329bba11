package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path"
	"slices"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/metrics"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/wandb"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// W&B logging is exactly-once by construction: every payload is first
// written to the trial's offline log at a history offset that the ledger
// (a file next to it) assigns once per instance, then the log is pushed.
// A retried or replayed activity finds the instance in the ledger and only
// pushes again; the server keeps one row per offset. With the server down
// or no key, the log stays pending until `starter wandb sync`.

// WandbDir is the trial's W&B offline log directory (in the store).
func WandbDir(trialDir string) string { return path.Join(trialDir, "wandb") }

func wandbLedgerFile(trialDir string) string { return path.Join(WandbDir(trialDir), "ledger.json") }

// wandbLedger is what the trial has logged: the instances in completion
// order (without their steps), the step counters after the last one and
// the next history offset.
type wandbLedger struct {
	Done     []metrics.Instance `json:"done"`
	Cum      metrics.Cumulative `json:"cumulative"`
	Next     int                `json:"next_offset"`
	Finished bool               `json:"finished"`
}

// WandbRunID is the W&B run id of a trial: stable across restarts and
// unique per trial workflow.
func WandbRunID(trialID string) string {
	sum := sha256.Sum256([]byte(trialID))
	return "ctx" + hex.EncodeToString(sum[:])[:13]
}

// wandbSpec is the run a trial logs to: the seed's name, tags and config
// (plus the sweep parameters by their names in the sweep file), grouped
// under the sweep and joined to the W&B sweep once that has an ID.
func (a *Activities) wandbSpec(t workflows.TrialRef, start time.Time) wandb.RunSpec {
	c := t.Config
	cfg := c.WandbConfig()
	if unpriced := a.unpriced(c); len(unpriced) > 0 {
		// As the seed does for Bedrock: the run says its costs are not real.
		cfg["unpriced_models"] = unpriced
		cfg["cost_limit_disabled"] = true
	}
	for k, v := range t.Params {
		if _, ok := cfg[k]; !ok {
			cfg[k] = v
		}
	}
	spec := wandb.RunSpec{
		ID: WandbRunID(t.TrialID), Name: t.RunName, Entity: wandbEntity(c), Project: c.WandbProject,
		Group: c.WandbGroup, Tags: c.Tags(), Config: cfg, XAxes: metrics.XAxisMap(), StartTime: start,
	}
	if rec, ok := a.readWandbSweep(t.Sweep); ok && rec.ID != "" {
		spec.SweepID = rec.ID
	} else if ok && rec.Config != "" {
		// Not created yet (W&B was down): the push that first reaches the
		// server finds or creates it by name.
		spec.Sweep = &wandb.SweepSpec{Name: t.Sweep, ConfigYAML: rec.Config}
	}
	return spec
}

func wandbEntity(c sweep.RunConfig) string {
	if c.WandbEntity != "" {
		return c.WandbEntity
	}
	return os.Getenv("WANDB_ENTITY")
}

func (a *Activities) wandbLog(t workflows.TrialRef, start time.Time) (*wandb.OfflineLog, wandbLedger, error) {
	var led wandbLedger
	if _, err := a.Store.ReadJSON(wandbLedgerFile(t.Dir), &led); err != nil {
		return nil, led, err
	}
	dir := a.Store.Path(path.Join(WandbDir(t.Dir), "run"))
	l, err := wandb.NewOfflineLog(dir, a.wandbSpec(t, start))
	if err == nil {
		err = l.WriteRunFiles(map[string]any{"program": "ctxsweep", "trial": t.TrialID})
	}
	return l, led, err
}

// WandbLogInstance logs one finished instance: its step rows, then the
// trial's live aggregates (the seed's on_instance_completed), once.
func (a *Activities) WandbLogInstance(ctx context.Context, in workflows.WandbLogInput) error {
	l, led, err := a.wandbLog(in.Trial, time.Time{})
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(led.Done, func(m metrics.Instance) bool { return m.ID == in.Record.InstanceID }) {
		cur, err := a.metricsInstance(in.Trial.Dir, in.Record, len(led.Done))
		if err != nil {
			return err
		}
		rows, cum := metrics.InstanceStepRows(cur, led.Cum)
		cur.Steps = nil
		done := append(led.Done, cur)
		rows = append(rows, metrics.Aggregate(done).Live())
		if err := l.History(led.Next, rows); err != nil {
			return err
		}
		led.Done, led.Cum, led.Next, led.Finished = done, cum, led.Next+len(rows), false
		if err := a.Store.WriteJSON(wandbLedgerFile(in.Trial.Dir), led); err != nil {
			return err
		}
	}
	if !in.Owned {
		a.wandbPush(ctx, l, false)
	}
	return nil
}

// WandbFinish writes the end of the trial's run (summary, turn histogram,
// instances table, exit code) once, and pushes.
func (a *Activities) WandbFinish(ctx context.Context, in workflows.WandbFinishInput) error {
	l, led, err := a.wandbLog(in.Trial, time.Time{})
	if err != nil {
		return err
	}
	if !led.Finished {
		f := metrics.End(led.Done)
		next := led.Next
		if f.TurnDistribution != nil {
			// The row carries its step metric, or its chart has no x.
			row := map[string]any{"turn_distribution": f.TurnDistribution.Value(), "n_instances": len(led.Done)}
			if err := l.History(next, []map[string]any{row}); err != nil {
				return err
			}
			next++
		}
		if in.State != "" {
			f.Summary["trial_state"] = in.State
		}
		if err := l.Summary(f.Summary); err != nil {
			return err
		}
		if f.Instances != nil {
			if err := l.Table("instances", f.Instances.Columns, f.Instances.Data); err != nil {
				return err
			}
		}
		if err := l.Finish(in.ExitCode); err != nil {
			return err
		}
		led.Next, led.Finished = next, true
		if err := a.Store.WriteJSON(wandbLedgerFile(in.Trial.Dir), led); err != nil {
			return err
		}
	}
	if !in.Owned {
		a.wandbPush(ctx, l, true)
	}
	return nil
}

// WandbRun owns the trial's W&B run while the trial runs (see
// wandb.OfflineLog.Stream): it heartbeats to Temporal, so if its worker
// dies it is retried on another one, and it returns once the run's
// completion is sent (or left pending for `starter wandb sync` when the
// server does not take it), or early with Stopped when the W&B UI asks
// the run to stop. Without a W&B key the log stays offline and it returns
// at once.
func (a *Activities) WandbRun(ctx context.Context, in workflows.WandbRunInput) (workflows.WandbRunResult, error) {
	l, _, err := a.wandbLog(in.Trial, in.StartTime)
	if err != nil || a.Wandb == nil {
		return workflows.WandbRunResult{}, err
	}
	stop := keepAlive(ctx)
	defer stop()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stopped atomic.Bool
	opts := a.WandbStream
	opts.OnStop = func() { stopped.Store(true); cancel() }
	var warned atomic.Bool
	opts.OnError = func(err error) {
		if !warned.Swap(true) { // once per owner: the log keeps everything
			a.Log.Warn("W&B is unreachable; the run stays in the offline log and is retried (or upload it with `starter wandb sync`)",
				zap.String("dir", l.Dir()), zap.Error(err))
		}
	}
	err = l.Stream(sctx, a.Wandb, opts)
	switch {
	case stopped.Load():
		a.Log.Info("the W&B run was stopped from W&B; stopping the trial", zap.String("trial", in.Trial.RunName))
		return workflows.WandbRunResult{Stopped: true}, nil
	case errors.Is(err, wandb.ErrGaveUp):
		a.Log.Warn(err.Error(), zap.String("dir", l.Dir()))
		return workflows.WandbRunResult{}, nil
	case ctx.Err() != nil:
		return workflows.WandbRunResult{}, ctx.Err()
	}
	return workflows.WandbRunResult{}, err
}

// wandbPush uploads what the log holds when W&B is configured; a failure
// leaves it pending (logged, never an error: W&B must not fail a sweep).
// After a failed push, pushes pause for wandbBackoff so that a sweep does
// not wait on an unreachable server at every instance; the end of a run
// is always tried (force).
func (a *Activities) wandbPush(ctx context.Context, l *wandb.OfflineLog, force bool) {
	if a.Wandb == nil {
		return
	}
	a.mu.Lock()
	paused := !force && time.Now().Before(a.wandbPausedUntil)
	a.mu.Unlock()
	if paused {
		return
	}
	stop := keepAlive(ctx)
	defer stop()
	pctx, cancel := context.WithTimeout(ctx, wandbPushTimeout)
	defer cancel()
	if _, err := l.Push(pctx, a.Wandb); err != nil {
		a.mu.Lock()
		a.wandbPausedUntil = time.Now().Add(wandbBackoff)
		a.mu.Unlock()
		a.Log.Warn("W&B is unreachable; the run stays in the offline log (it is pushed again later, or upload it with `starter wandb sync`)",
			zap.String("dir", l.Dir()), zap.Error(err))
	}
}

const (
	wandbPushTimeout = 30 * time.Second
	wandbBackoff     = 2 * time.Minute
)

// unpriced lists the trial's models (agent and summarizer) without a price.
func (a *Activities) unpriced(c sweep.RunConfig) []string {
	var out []string
	for _, m := range []string{c.Model, c.Summarizer()} {
		if p, ok := a.Presets[m]; ok && !p.Priced() && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out
}
