package wandb

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

// fastRetry keeps retries quick in tests.
var fastRetry = RetryPolicy{MaxAttempts: 6, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond, AttemptTimeout: 5 * time.Second}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// testClock advances by one second per reading, so every stamp differs.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// env is a fake server plus a client pointed at it.
type env struct {
	fake *fakewandb.Server
	ts   *httptest.Server
	c    *Client
	logs *syncBuffer
}

// newEnv starts a strict fake that fails the test on any violation.
func newEnv(t *testing.T, opts fakewandb.Options) *env {
	t.Helper()
	if opts.Reporter == nil && !opts.Lenient {
		opts.Reporter = t
	}
	fake := fakewandb.New(opts)
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	e := &env{fake: fake, ts: ts, logs: &syncBuffer{}}
	e.c = newTestClient(t, ts.URL, fakewandb.DefaultAPIKey, e.logs)
	return e
}

func newTestClient(t *testing.T, base, key string, logs *syncBuffer) *Client {
	t.Helper()
	c, err := NewClient(Settings{BaseURL: base}.WithAPIKey(key, "explicit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	c.GraphQLRetry, c.FileStreamRetry, c.UploadRetry = fastRetry, fastRetry, fastRetry
	c.MaxElapsed = 20 * time.Second
	clock := &testClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	c.Now = clock.Now
	if logs != nil {
		c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return c
}

// testSpec is a trial-like run spec attached to a sweep by name.
func testSpec(id string) RunSpec {
	return RunSpec{
		ID: id, Name: "deepseek-chat__obs_n=10__mini", Project: "complexity-trap", Group: "demo",
		JobType: "trial", Tags: []string{"model:deepseek-chat", "strategy:observation_masking"},
		Notes:  "test run",
		Config: map[string]any{"model": "deepseek-chat", "strategy": "observation_masking", "hp_obs_n": 10},
		Sweep:  &SweepSpec{Name: "demo-sweep", ConfigYAML: "method: grid\ncontroller:\n  type: local\nparameters:\n  strategy:\n    values: [raw, observation_masking]\n"},
		XAxes: map[string]string{"global_step": "", "step/*": "global_step", "instance/*": "global_step",
			"n_instances": "", "submission_rate": "n_instances", "exit/*": "n_instances", "repo/*": "n_instances"},
	}
}

// sink is what the scenario logs to: a live run or an offline log.
type sink interface {
	history(offset int, rows []map[string]any) error
	summary(map[string]any) error
	console(offset int, lines []string) error
	table(key string, cols []string, rows [][]any) error
	finish(code int) error
}

type onlineSink struct {
	c   *Client
	run *Run
}

func (s onlineSink) history(o int, rows []map[string]any) error {
	return s.c.WriteHistory(context.Background(), s.run, o, rows)
}
func (s onlineSink) summary(m map[string]any) error {
	return s.c.WriteSummary(context.Background(), s.run, m)
}
func (s onlineSink) console(o int, l []string) error {
	return s.c.WriteConsole(context.Background(), s.run, o, l)
}
func (s onlineSink) table(k string, c []string, r [][]any) error {
	return s.c.UploadTable(context.Background(), s.run, k, c, r)
}
func (s onlineSink) finish(code int) error { return s.c.Finish(context.Background(), s.run, code) }

type offlineSink struct{ l *OfflineLog }

func (s offlineSink) history(o int, rows []map[string]any) error { return s.l.History(o, rows) }
func (s offlineSink) summary(m map[string]any) error             { return s.l.Summary(m) }
func (s offlineSink) console(o int, l []string) error            { return s.l.Console(o, l) }
func (s offlineSink) table(k string, c []string, r [][]any) error {
	return s.l.Table(k, c, r)
}
func (s offlineSink) finish(code int) error { return s.l.Finish(code) }

// scenario logs what a trial logs, including retried duplicates.
func scenario(t *testing.T, s sink) {
	t.Helper()
	step := func(g int, cost float64) map[string]any {
		return map[string]any{"global_step": g, "step": g + 1, "step/cost": cost, "instance/cost": cost * float64(g+1)}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.history(0, []map[string]any{step(0, 0.1), step(1, 0.2), step(2, 0.3)}))
	must(s.history(1, []map[string]any{step(1, 0.2), step(2, 0.3)})) // a retried call
	must(s.console(0, []string{"instance django__django-1 started", "instance django__django-1 submitted"}))
	must(s.console(0, []string{"instance django__django-1 started"})) // replay
	must(s.history(3, []map[string]any{{"n_instances": 1, "submission_rate": 1.0, "exit/submitted": 1,
		"repo/django": 1, "avg_cost": 0.6}}))
	must(s.history(4, []map[string]any{{"turn_distribution": Histogram([]float64{3, 5, 5, 8}, 4)}}))
	must(s.summary(map[string]any{"submission_rate": 1.0, "total_cost": 0.6, "n_instances": 1}))
	must(s.table("instances", []string{"instance_id", "submitted", "n_turns", "review_score"},
		[][]any{{"django__django-1", true, 3, nil}}))
	must(s.summary(map[string]any{"total_cost": 0.6})) // a retried call
	must(s.finish(0))
}
