package wandb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

// newLog creates an offline log whose clock is deterministic.
func newLog(t *testing.T, dir string, spec RunSpec) *OfflineLog {
	t.Helper()
	l, err := NewOfflineLog(dir, spec)
	must(t, err)
	clock := &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	l.now = clock.Now
	return l
}

func TestOfflineSyncMatchesOnline(t *testing.T) {
	online := newEnv(t, fakewandb.Options{})
	run, err := online.c.UpsertRun(ctx, testSpec("trial-x"))
	must(t, err)
	scenario(t, onlineSink{online.c, run})

	dir := filepath.Join(t.TempDir(), "sweep", "trial-x")
	scenario(t, offlineSink{newLog(t, dir, testSpec("trial-x"))})
	fresh := newEnv(t, fakewandb.Options{})
	rep, err := Sync(ctx, fresh.c, dir)
	must(t, err)
	if rep.History != 5 || rep.Console != 2 || len(rep.Files) != 1 || !rep.Summary || !rep.Finished || rep.UpToDate {
		t.Fatalf("report %+v", rep)
	}
	want, got := online.fake.Snapshot(), fresh.fake.Snapshot()
	if d := want.Diff(got); d != "" {
		t.Fatalf("offline+sync differs from online:\n%s", d)
	}
	r := got.Runs["test-entity/complexity-trap/trial-x"]
	if len(r.History) != 5 || r.ExitCode == nil || *r.ExitCode != 0 || r.Sweep == "" || len(r.Console) != 2 {
		t.Fatalf("snapshot run %+v", r)
	}
	if r.Console[0] != "instance django__django-1 started" {
		t.Fatalf("console %q", r.Console)
	}

	// Syncing again sends nothing and changes nothing.
	n := len(fresh.fake.Requests())
	rep, err = Sync(ctx, fresh.c, dir)
	must(t, err)
	if !rep.UpToDate || len(fresh.fake.Requests()) != n {
		t.Fatalf("second sync: %+v, %d new requests", rep, len(fresh.fake.Requests())-n)
	}
	// Even with its record of what was synced lost, a replay changes nothing.
	must(t, os.Remove(filepath.Join(dir, syncFileName)))
	_, err = Sync(ctx, fresh.c, dir)
	must(t, err)
	if d := got.Diff(fresh.fake.Snapshot()); d != "" {
		t.Fatalf("replayed sync changed the server:\n%s", d)
	}
}

func TestOfflineLogKeepsFirstRowPerOffset(t *testing.T) {
	dir := t.TempDir()
	l := newLog(t, dir, RunSpec{ID: "r", Project: "p"})
	must(t, l.History(0, []map[string]any{{"a": 1}, {"a": 2}}))
	must(t, l.History(1, []map[string]any{{"a": 99}, {"a": 3}}))
	must(t, l.Console(0, []string{"one"}))
	must(t, l.Console(0, []string{"uno"}))
	b, err := os.ReadFile(rowPath(dir, historyDir, 1, ".json"))
	must(t, err)
	if !strings.Contains(string(b), `"a":2`) || !strings.Contains(string(b), `"_step":1`) {
		t.Fatalf("row 1 = %s", b)
	}
	if l.summary["a"] != 3.0 && l.summary["a"] != 3 {
		t.Fatalf("summary %v", l.summary)
	}
	// Reopening keeps the start time; another run ID is refused.
	l2, err := NewOfflineLog(dir, RunSpec{ID: "r", Project: "p", Tags: []string{"x"}})
	must(t, err)
	if !l2.Spec().StartTime.Equal(l.Spec().StartTime) || len(l2.Spec().Tags) != 1 {
		t.Fatalf("reopened spec %+v", l2.Spec())
	}
	// Also when the reopening trial gives its own, later start (a retry):
	// `_runtime` must not go back.
	l3, err := NewOfflineLog(dir, RunSpec{ID: "r", Project: "p", StartTime: l.Spec().StartTime.Add(time.Hour)})
	must(t, err)
	if !l3.Spec().StartTime.Equal(l.Spec().StartTime) {
		t.Fatalf("reopened with a later start: %v, want the first %v", l3.Spec().StartTime, l.Spec().StartTime)
	}
	if _, err := NewOfflineLog(dir, RunSpec{ID: "other"}); err == nil {
		t.Fatal("log reused for another run")
	}
	entries, _ := os.ReadDir(filepath.Join(dir, historyDir))
	if len(entries) != 3 {
		t.Fatalf("%d history files", len(entries))
	}
}

func TestPushWhileServerDownStaysPending(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	e.c.MaxElapsed = 200 * time.Millisecond
	root := t.TempDir()
	l := newLog(t, filepath.Join(root, "a", "run-1"), RunSpec{ID: "run-1", Project: "p"})
	must(t, l.History(0, []map[string]any{{"x": 1}}))
	rep, err := l.Push(ctx, e.c)
	if err != nil || rep.History != 1 {
		t.Fatalf("push: %+v %v", rep, err)
	}
	must(t, l.History(1, []map[string]any{{"x": 2}}))
	must(t, l.History(3, []map[string]any{{"x": 4}})) // offset 2 is still missing
	e.fake.SetDown(true)
	if _, err := l.Push(ctx, e.c); err == nil {
		t.Fatal("push to a down server succeeded")
	}
	e.fake.SetDown(false)
	rep, err = l.Push(ctx, e.c)
	if err != nil || rep.History != 1 {
		t.Fatalf("push after recovery: %+v %v", rep, err)
	}
	must(t, l.History(2, []map[string]any{{"x": 3}}))
	must(t, l.Finish(1))
	rep, err = l.Push(ctx, e.c)
	if err != nil || rep.History != 2 || !rep.Finished {
		t.Fatalf("final push: %+v %v", rep, err)
	}
	if h := e.fake.History("run-1"); len(h) != 4 || h[3]["x"] != 4.0 {
		t.Fatalf("history %v", h)
	}
	if e.fake.State("run-1") != "failed" {
		t.Fatalf("state %s", e.fake.State("run-1"))
	}
	if n := e.fake.Ops()["RunResumeStatus"]; n != 1 {
		t.Errorf("pushes re-upserted the run %d times", n)
	}
	_ = NewOfflineLogMust(t, filepath.Join(root, "b", "c", "run-2"))
	logs, err := FindLogs(root)
	must(t, err)
	if len(logs) != 2 || !strings.HasSuffix(logs[0], "run-1") || !strings.HasSuffix(logs[1], "run-2") {
		t.Fatalf("FindLogs %v", logs)
	}
}

func TestPushKeepsALiveRunAlive(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	l := newLog(t, t.TempDir(), RunSpec{ID: "live", Project: "p"})
	must(t, l.History(0, []map[string]any{{"x": 1}}))
	_, err := l.Push(ctx, e.c)
	must(t, err)
	n := len(e.fake.Requests())
	rep, err := l.Push(ctx, e.c)
	if err != nil || !rep.UpToDate || rep.Heartbeat || len(e.fake.Requests()) != n {
		t.Fatalf("idle push: %+v %v", rep, err)
	}
	l.push.lastSent = time.Now().Add(-HeartbeatInterval)
	rep, err = l.Push(ctx, e.c)
	if err != nil || !rep.UpToDate || !rep.Heartbeat || len(e.fake.Requests()) != n+1 {
		t.Fatalf("stale push: %+v %v", rep, err)
	}
}

func NewOfflineLogMust(t *testing.T, dir string) *OfflineLog {
	return newLog(t, dir, RunSpec{ID: filepath.Base(dir), Project: "p"})
}
