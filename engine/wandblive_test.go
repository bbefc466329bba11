package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// TestCancelledSweepFinishesItsWandbRuns runs a W&B sweep with slow
// instances against a strict fake that crashes runs silent for 1.5
// heartbeats and refuses more than 2 file_stream requests a second, and
// once each trial has logged an instance, stops one run from the UI (its
// trial stops its instances and ends normally) and cancels the sweep (a
// cancelled trial ends like one hyperband stops). Every run is kept alive
// while it runs
// (no gap over 35/30 of the heartbeat, the real 35 s for 30 s), is
// completed with exit code 0, its trial_state and the rows of its
// finished instances; the W&B sweep carries the sweep file's parameters
// and ends CANCELED.
func TestCancelledSweepFinishesItsWandbRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	hb := 3 * time.Second
	t.Setenv("CTXSWEEP_WANDB_HEARTBEAT", hb.String())
	t.Setenv("CTXSWEEP_REPLAY_LATENCY", "500ms")
	fake := fakewandb.New(fakewandb.Options{Entity: "team", Reporter: t, HeartbeatTimeout: hb, CrashAfter: 3 * hb / 2, RateLimit: 2})
	url, err := fake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	t.Setenv("WANDB_API_KEY", fakewandb.DefaultAPIKey)
	t.Setenv("WANDB_BASE_URL", url)
	t.Setenv("WANDB_ENTITY", "team")
	e := startEngine(t, ctx)
	run, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SweepID("wbcan"), TaskQueue: workflows.TaskQueue},
		workflows.SweepWorkflow, workflows.SweepInput{Name: "wbcan", File: "wbcan.yaml", Source: wandbSweep, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	logged := func() bool {
		runs := fake.Runs()
		if len(runs) != 2 {
			return false
		}
		for _, r := range runs {
			if len(fake.History(r.Name)) == 0 {
				return false
			}
		}
		return true
	}
	waitFor(t, ctx, "an instance logged by each trial", logged)
	// The UI's Stop on the first run stops its trial, which ends normally.
	stopped := fake.Runs()[0].Name
	fake.StopRun(stopped)
	waitFor(t, ctx, "the run stopped from the UI completed", func() bool { r, _ := fake.Run(stopped); return r.Complete })
	if err := e.Client.CancelWorkflow(ctx, workflows.SweepID("wbcan"), ""); err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); !temporal.IsCanceledError(err) {
		t.Fatalf("sweep ended with %v", err)
	}
	waitFor(t, ctx, "both runs completed", func() bool {
		for _, r := range fake.Runs() {
			if !r.Complete {
				return false
			}
		}
		return true
	})
	for _, r := range fake.Runs() {
		if r.ExitCode == nil || *r.ExitCode != 0 || r.Crashes != 0 || r.RateLimited != 0 {
			t.Errorf("run %s: exit %v, %d crashes, %d rate-limited", r.DisplayName, r.ExitCode, r.Crashes, r.RateLimited)
		}
		want := workflows.TrialStopped
		if r.Name == stopped {
			want = workflows.TrialStoppedFromWandb
		}
		if st := fake.Summary(r.Name)["trial_state"]; st != want {
			t.Errorf("run %s: trial_state %v", r.DisplayName, st)
		}
		live := 0
		for _, row := range fake.History(r.Name) {
			if _, ok := row["n_instances"]; ok && row["turn_distribution"] == nil {
				live++
			}
		}
		if live == 0 || live >= 3 {
			t.Errorf("run %s: %d instances logged, want the ones that finished before the cancel", r.DisplayName, live)
		}
		times := r.FileStreamTimes
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap > hb*35/30 {
				t.Errorf("run %s: %v between file_stream requests", r.DisplayName, gap)
			}
			if i >= 2 && times[i].Sub(times[i-2]) < time.Second {
				t.Errorf("run %s: 3 file_stream requests within a second", r.DisplayName)
			}
		}
	}
	sw := fake.Sweeps()
	if len(sw) != 1 || sw[0].State != "CANCELED" || !strings.Contains(sw[0].Config, "type: local") || len(sw[0].Params) < 8 {
		t.Fatalf("W&B sweeps %+v", sw)
	}
}

// waitFor polls cond until it holds or the context ends.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestWeaveEntityIsTheRunsEntity: with no entity configured, Weave traces
// get the key's default entity (the Viewer query), where the runs land.
func TestWeaveEntityIsTheRunsEntity(t *testing.T) {
	fake := fakewandb.New(fakewandb.Options{Entity: "lab", Reporter: t})
	url, err := fake.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	t.Setenv("WANDB_CONFIG_DIR", t.TempDir())
	t.Setenv("WANDB_API_KEY", fakewandb.DefaultAPIKey)
	t.Setenv("WANDB_BASE_URL", url)
	t.Setenv("WANDB_ENTITY", "")
	t.Setenv("WANDB_MODE", "")
	if e := defaultWandbEntity(); e != "lab" {
		t.Fatalf("entity %q", e)
	}
	defaultWandbEntity() // cached: one Viewer query
	if n := fake.Ops()["Viewer"]; n != 1 {
		t.Fatalf("%d Viewer queries", n)
	}
	t.Setenv("WANDB_ENTITY", "team")
	if e := defaultWandbEntity(); e != "team" {
		t.Fatalf("WANDB_ENTITY not preferred: %q", e)
	}
}
