// Package fakesandbox is an activities.Tasks for benchmarks: a fixed list
// of instances whose sandboxes keep files in memory and "run" every command
// by waiting a configurable latency, without starting any process.
package fakesandbox

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/evaluate"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// Patch is what every sandbox's diff returns, so each instance submits a
// non-empty patch.
const Patch = "diff --git a/fix.py b/fix.py\n--- a/fix.py\n+++ b/fix.py\n@@ -1 +1 @@\n-bug\n+fix\n"

// Tasks serves Instances instances ("bench__0001", …) of any subset.
type Tasks struct {
	Instances   int
	ExecLatency time.Duration
	// OutputBytes is the size of each command's output (default 64).
	OutputBytes int
	// Record keeps the start and end of every command (Spans).
	Record bool

	execs  atomic.Int64
	execNS atomic.Int64
	opened atomic.Int64
	live   atomic.Int64
	nextID atomic.Int64
	mu     sync.Mutex
	spans  []Span
}

// Span is one recorded command.
type Span struct {
	Command    string
	Start, End time.Time
}

// Spans returns the recorded commands (Record), in the order they ended.
func (t *Tasks) Spans() []Span {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Span(nil), t.spans...)
}

// Counters are what the sandboxes did.
type Counters struct {
	Execs   int64
	Exec    time.Duration // Σ Exec time
	Opened  int64         // sandboxes created (restores included)
	LiveNow int64
}

// Counters returns a snapshot.
func (t *Tasks) Counters() Counters {
	return Counters{Execs: t.execs.Load(), Exec: time.Duration(t.execNS.Load()), Opened: t.opened.Load(), LiveNow: t.live.Load()}
}

// IDs are the instance ids in run order.
func (t *Tasks) IDs() []string {
	ids := make([]string, t.Instances)
	for i := range ids {
		ids[i] = fmt.Sprintf("bench__%04d", i+1)
	}
	return ids
}

// Select lists the instances (instances-slice applies).
func (t *Tasks) Select(cfg sweep.RunConfig) ([]string, error) {
	return sweep.ApplySlice(t.IDs(), cfg.InstancesSlice)
}

// Problem is a short fixed issue text.
func (t *Tasks) Problem(_ sweep.RunConfig, id string) (string, error) {
	return "Fix the bug in fix.py (" + id + ").", nil
}

// Open creates an in-memory sandbox.
func (t *Tasks) Open(context.Context, sweep.RunConfig, string, activities.OpenOptions) (sandbox.Sandbox, error) {
	t.opened.Add(1)
	t.live.Add(1)
	id := fmt.Sprintf("fake-%d", t.nextID.Add(1))
	return &Sandbox{t: t, id: id, files: map[string][]byte{}}, nil
}

// Replay has no recorded trajectory: use a network preset (fakemodel).
func (t *Tasks) Replay(sweep.RunConfig, string) ([]byte, error) {
	return nil, fmt.Errorf("fakesandbox: no recorded trajectories; use the fakemodel preset")
}

// Evaluate says the submitted patch resolves the instance when it is
// Patch.
func (t *Tasks) Evaluate(_ context.Context, _ sweep.RunConfig, id string, patch string, _ activities.OpenOptions) (activities.Evaluation, error) {
	rep := evaluate.InstanceReport{InstanceID: id, PatchExists: true, PatchSuccessfullyApplied: true, Resolved: patch == Patch}
	return activities.Evaluation{Evaluated: true, Outcome: evaluate.CompletedOutcome(rep)}, nil
}

// Sandbox is one fake workspace.
type Sandbox struct {
	t      *Tasks
	id     string
	mu     sync.Mutex
	files  map[string][]byte
	closed bool
}

// ID names the sandbox.
func (s *Sandbox) ID() string { return s.id }

// Workdir is a path that exists nowhere.
func (s *Sandbox) Workdir() string { return "/fake/" + s.id + "/repo" }

func (s *Sandbox) abs(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(s.Workdir(), p)
}

// Exec waits ExecLatency and returns OutputBytes of output. The diff
// command that submit runs leaves Patch where sandbox.Diff reads it.
func (s *Sandbox) Exec(ctx context.Context, command string, _ time.Duration) (sandbox.ExecResult, error) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return sandbox.ExecResult{}, sandbox.ErrClosed
	}
	start := time.Now()
	if d := s.t.ExecLatency; d > 0 {
		tm := time.NewTimer(d)
		select {
		case <-tm.C:
		case <-ctx.Done():
			tm.Stop()
			return sandbox.ExecResult{}, ctx.Err()
		}
	}
	if strings.Contains(command, "git diff --cached >") {
		_ = s.WriteFile(ctx, ".git/ctxsweep-model.patch", []byte(Patch))
	}
	n := s.t.OutputBytes
	if n <= 0 {
		n = 64
	}
	el := time.Since(start)
	s.t.execs.Add(1)
	s.t.execNS.Add(int64(el))
	if s.t.Record {
		s.t.mu.Lock()
		s.t.spans = append(s.t.spans, Span{Command: command, Start: start, End: start.Add(el)})
		s.t.mu.Unlock()
	}
	return sandbox.ExecResult{Output: strings.Repeat("o", n-1) + "\n", Duration: el}, nil
}

// ReadFile reads a file written earlier.
func (s *Sandbox) ReadFile(_ context.Context, p string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.files[s.abs(p)]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
	return append([]byte(nil), b...), nil
}

// WriteFile stores a file in memory.
func (s *Sandbox) WriteFile(_ context.Context, p string, data []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return sandbox.ErrClosed
	}
	s.files[s.abs(p)] = append([]byte(nil), data...)
	return nil
}

// Close drops the files; it is idempotent.
func (s *Sandbox) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.files = nil
		s.t.live.Add(-1)
	}
	return nil
}
