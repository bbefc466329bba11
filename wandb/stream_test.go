package wandb

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

// streamScale shrinks wandb-core's intervals 30-fold: a 30 s heartbeat is
// 1 s, a "2 minute" instance 4 s. The rate limit is the real one (2 a
// second), which the shrunk intervals must still respect.
const streamScale = 30

// TestStreamKeepsSlowRunAlive: a trial whose instances take "2 minutes"
// each, streamed by one owner, is never silent for more than 35 "s" and
// never sends more than 2 requests a second, against a strict fake that
// crashes silent runs and refuses bursts; an instance's rows go out in
// one request with the summary they update; the
// completion carries the exit code and the runtime is in the summary.
func TestStreamKeepsSlowRunAlive(t *testing.T) {
	hb := 30 * time.Second / streamScale
	e := newEnv(t, fakewandb.Options{HeartbeatTimeout: hb, CrashAfter: 40 * time.Second / streamScale, RateLimit: 2})
	dir := filepath.Join(t.TempDir(), "run")
	spec := testSpec("slow-trial")
	spec.Sweep = nil
	l, err := NewOfflineLog(dir, spec)
	must(t, err)
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- l.Stream(cctx, e.c, StreamOptions{Heartbeat: hb, Transmit: time.Second,
			Poll: 100 * time.Millisecond})
	}()
	instance := 2 * time.Minute / streamScale
	for i := range 2 {
		time.Sleep(instance) // the instance runs
		// Another writer (the logging activity) records its rows.
		w, err := NewOfflineLog(dir, spec)
		must(t, err)
		must(t, w.History(2*i, []map[string]any{{"n_instances": i + 1, "x": i}, {"n_instances": i + 1, "y": i}}))
		must(t, w.Console(i, []string{"instance done"}))
		must(t, w.Summary(map[string]any{"submission_rate": 0.5}))
	}
	w, err := NewOfflineLog(dir, spec)
	must(t, err)
	must(t, w.Finish(0))
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	r, _ := e.fake.Run("slow-trial")
	if !r.Complete || r.ExitCode == nil || *r.ExitCode != 0 || r.Crashes != 0 || r.RateLimited != 0 {
		t.Fatalf("run complete=%v exit=%v crashes=%d rate-limited=%d", r.Complete, r.ExitCode, r.Crashes, r.RateLimited)
	}
	times := r.FileStreamTimes
	if len(times) < 8 { // ≥ 3 heartbeats per instance, 2 data requests, the end
		t.Fatalf("only %d file_stream requests", len(times))
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap > 35*time.Second/streamScale {
			t.Errorf("gap of %v between file_stream requests %d and %d", gap, i-1, i)
		}
		if i >= 2 && times[i].Sub(times[i-2]) < time.Second {
			t.Errorf("3 requests within a second (%v)", times[i].Sub(times[i-2]))
		}
	}
	if h := e.fake.History("slow-trial"); len(h) != 4 || len(e.fake.Console("slow-trial")) != 2 {
		t.Fatalf("history %v console %v", h, e.fake.Console("slow-trial"))
	}
	coalesced := 0
	for _, rq := range e.fake.Requests() {
		var body struct {
			Files map[string]json.RawMessage `json:"files"`
		}
		if rq.Run != "slow-trial" || json.Unmarshal(rq.Body, &body) != nil || body.Files["wandb-history.jsonl"] == nil {
			continue
		}
		if body.Files["wandb-summary.json"] == nil {
			t.Errorf("history sent without the summary it updates: %s", rq.Body)
		}
		coalesced++
	}
	if coalesced != 2 {
		t.Fatalf("%d data requests, want one per instance", coalesced)
	}
	if w, _ := e.fake.Summary("slow-trial")["_wandb"].(map[string]any); w["runtime"] == nil {
		t.Fatalf("summary without _wandb.runtime: %v", e.fake.Summary("slow-trial"))
	}
}

// TestStreamStopsWhenTheUIStops: the UI's Stop (the run's stop flag) is
// seen by polling the stop status, reported once, and the run is left
// open for its end.
func TestStreamStopsWhenTheUIStops(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	dir := filepath.Join(t.TempDir(), "run")
	spec := testSpec("stopped")
	spec.Sweep = nil
	l, err := NewOfflineLog(dir, spec)
	must(t, err)
	var stops atomic.Int32
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- l.Stream(cctx, e.c, StreamOptions{Heartbeat: time.Hour, Transmit: time.Hour, Poll: 10 * time.Millisecond,
			StopPoll: 20 * time.Millisecond, OnStop: func() { stops.Add(1); cancel() }})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok := e.fake.Run("stopped"); ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.fake.StopRun("stopped")
	if err := <-done; err != context.Canceled || stops.Load() != 1 {
		t.Fatalf("stream ended with %v after %d stops", err, stops.Load())
	}
	if e.fake.Ops()["RunStoppedStatus"] == 0 {
		t.Fatal("the stop status was never polled")
	}
	if r, _ := e.fake.Run("stopped"); r.Complete {
		t.Fatal("a stop completed the run before its end was recorded")
	}
}
