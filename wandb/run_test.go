package wandb

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

var ctx = context.Background()

func TestRunCreateThenResumeKeepsOneRun(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	spec := testSpec("trial-0001")
	r1, err := e.c.UpsertRun(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if r1.Resumed || r1.ID != "trial-0001" || r1.Entity != fakewandb.DefaultEntity || r1.SweepID == "" {
		t.Fatalf("first upsert: %+v", r1)
	}
	if err := e.c.WriteHistory(ctx, r1, 0, []map[string]any{{"global_step": 0}, {"global_step": 1}}); err != nil {
		t.Fatal(err)
	}
	spec2 := spec
	spec2.Config = map[string]any{"model": "deepseek-chat", "strategy": "observation_masking"} // hp_obs_n omitted
	spec2.Tags = nil
	r2, err := e.c.UpsertRun(ctx, spec2)
	if err != nil {
		t.Fatal(err)
	}
	if !r2.Resumed || r2.StorageID != r1.StorageID || r2.HistoryLineCount != 2 {
		t.Fatalf("resume: %+v", r2)
	}
	if !r2.StartTime.Equal(r1.StartTime) {
		t.Errorf("resumed start %v, want %v (from the history tail)", r2.StartTime, r1.StartTime)
	}
	runs := e.fake.Runs()
	if len(runs) != 1 || runs[0].Upserts != 2 || runs[0].Resumes != 1 {
		t.Fatalf("runs: %d, %+v", len(runs), runs)
	}
	if !strings.Contains(runs[0].Config, `"hp_obs_n":{"value":10}`) {
		t.Errorf("old config key not kept on resume: %s", runs[0].Config)
	}
	if len(runs[0].Tags) != 2 || runs[0].DisplayName != spec.Name || runs[0].Group != "demo" || runs[0].JobType != "trial" {
		t.Errorf("run fields: %+v", runs[0])
	}
	// Continuing at the server's line count adds rows after the old ones.
	if err := e.c.WriteHistory(ctx, r2, r2.HistoryLineCount, []map[string]any{{"global_step": 2}}); err != nil {
		t.Fatal(err)
	}
	if h := e.fake.History("trial-0001"); len(h) != 3 || h[2]["_step"] != 2.0 {
		t.Fatalf("history after resume: %v", h)
	}
}

func TestHistoryRetriedDuplicateIsOneRow(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	r, err := e.c.UpsertRun(ctx, RunSpec{ID: "dup", Project: "p"})
	if err != nil {
		t.Fatal(err)
	}
	rows := []map[string]any{{"loss": 1.0}, {"loss": 0.5}, {"loss": 0.25}}
	for i := 0; i < 3; i++ { // the same call three times, each with new time stamps
		if err := e.c.WriteHistory(ctx, r, 0, rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.c.WriteHistory(ctx, r, 1, rows[1:]); err != nil {
		t.Fatal(err)
	}
	h := e.fake.History("dup")
	if len(h) != 3 {
		t.Fatalf("%d rows, want 3: %v", len(h), h)
	}
	for i, row := range h {
		if row["_step"] != float64(i) || row["_runtime"] == nil || row["_timestamp"] == nil {
			t.Errorf("row %d: %v", i, row)
		}
	}
	if st, _ := e.fake.Run("dup"); st.Duplicates < 8 {
		t.Errorf("duplicates = %d, want ≥ 8", st.Duplicates)
	}
	if s := e.fake.Summary("dup"); s["_step"] != 2.0 || s["loss"] != 0.25 {
		t.Errorf("summary %v", s)
	}
}

func TestHistoryGapRejectedInStrictMode(t *testing.T) {
	e := newEnv(t, fakewandb.Options{Reporter: nopReporter{}})
	r, err := e.c.UpsertRun(ctx, RunSpec{ID: "gap", Project: "p"})
	if err != nil {
		t.Fatal(err)
	}
	err = e.c.WriteHistory(ctx, r, 5, []map[string]any{{"x": 1}})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Attempts != 1 {
		t.Fatalf("gap: got %v, want a non-retried 400", err)
	}
	if len(e.fake.History("gap")) != 0 {
		t.Fatal("gap request was applied")
	}
	if v := e.fake.Violations(); len(v) != 1 || !strings.Contains(v[0], "gap") {
		t.Fatalf("violations %v", v)
	}
	// Lenient servers store sparse lines.
	l := newEnv(t, fakewandb.Options{Lenient: true})
	r, _ = l.c.UpsertRun(ctx, RunSpec{ID: "gap", Project: "p"})
	if err := l.c.WriteHistory(ctx, r, 5, []map[string]any{{"x": 1}}); err != nil {
		t.Fatal(err)
	}
}

func TestRewriteWithDifferentValuesIsAViolation(t *testing.T) {
	e := newEnv(t, fakewandb.Options{Reporter: nopReporter{}})
	r, _ := e.c.UpsertRun(ctx, RunSpec{ID: "rw", Project: "p"})
	for _, v := range []float64{1, 2} {
		if err := e.c.WriteHistory(ctx, r, 0, []map[string]any{{"x": v}}); err != nil {
			t.Fatal(err)
		}
	}
	if v := e.fake.Violations(); len(v) != 1 || !strings.Contains(v[0], "rewritten") {
		t.Fatalf("violations %v", v)
	}
}

type nopReporter struct{}

func (nopReporter) Errorf(string, ...any) {}

func TestSummaryMergesAndReplaysDoNotRegress(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	r, _ := e.c.UpsertRun(ctx, RunSpec{ID: "sum", Project: "p"})
	must(t, e.c.WriteHistory(ctx, r, 0, []map[string]any{{"acc": 0.1}, {"acc": 0.2}}))
	must(t, e.c.WriteSummary(ctx, r, map[string]any{"best": 0.9, "nested": map[string]any{"a": 1}}))
	must(t, e.c.WriteHistory(ctx, r, 0, []map[string]any{{"acc": 0.1}})) // replay of an old row
	s := e.fake.Summary("sum")
	if s["acc"] != 0.2 || s["best"] != 0.9 || s["_step"] != 1.0 {
		t.Fatalf("summary %v", s)
	}
	if n, _ := s["nested"].(map[string]any); n["a"] != 1.0 {
		t.Fatalf("nested summary %v", s)
	}
	if got := r.Summary(); got["best"] != 0.9 {
		t.Fatalf("Run.Summary %v", got)
	}
}

func TestFinishExitCodes(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	ok, _ := e.c.UpsertRun(ctx, RunSpec{ID: "ok", Project: "p"})
	bad, _ := e.c.UpsertRun(ctx, RunSpec{ID: "bad", Project: "p"})
	must(t, e.c.Finish(ctx, ok, 0))
	must(t, e.c.Finish(ctx, ok, 0)) // a retried Finish is harmless
	must(t, e.c.Finish(ctx, bad, 3))
	if st := e.fake.State("ok"); st != "finished" {
		t.Errorf("ok: %s", st)
	}
	if st := e.fake.State("bad"); st != "failed" {
		t.Errorf("bad: %s", st)
	}
	if r, _ := e.fake.Run("bad"); r.ExitCode == nil || *r.ExitCode != 3 {
		t.Errorf("exit code %v", r.ExitCode)
	}
}

func TestStopFlagAndHeartbeat(t *testing.T) {
	e := newEnv(t, fakewandb.Options{CrashAfter: time.Hour})
	r, _ := e.c.UpsertRun(ctx, RunSpec{ID: "stop", Project: "p"})
	must(t, e.c.Heartbeat(ctx, r))
	if r.Stopped() || e.fake.State("stop") != "running" {
		t.Fatal("stopped too early")
	}
	e.fake.StopRun("stop")
	must(t, e.c.Heartbeat(ctx, r))
	if !r.Stopped() {
		t.Fatal("stop flag not seen")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
