// Package activities holds the Temporal activities: thin I/O wrappers that
// run the sandbox, call the model through the strategy, and keep every large
// artefact in the store so workflow history stays small.
package activities

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/evaluate"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/wandb"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Tasks is where instances come from: their selection, repository,
// problem statement, recorded trajectory (for the replay model) and
// evaluation. The demo tasks implement it; SWE-bench plugs in the same way.
type Tasks interface {
	Select(cfg sweep.RunConfig) ([]string, error)
	Problem(cfg sweep.RunConfig, id string) (string, error)
	Open(ctx context.Context, cfg sweep.RunConfig, id string, opts OpenOptions) (sandbox.Sandbox, error)
	Replay(cfg sweep.RunConfig, id string) ([]byte, error)
	// Evaluate runs the instance's tests against a non-empty patch in a
	// fresh sandbox. An error is an infrastructure failure (retried); a
	// patch that does not apply or tests that time out are outcomes.
	Evaluate(ctx context.Context, cfg sweep.RunConfig, id, patch string, opts OpenOptions) (Evaluation, error)
}

// OpenOptions say where a sandbox goes and how it is labelled.
type OpenOptions struct {
	// Root is the directory for local sandboxes.
	Root string
	// Labels identify the sandbox (sweep, trial, instance, worker) so that
	// containers left by a killed worker can be found and removed.
	Labels map[string]string
	// Harness is the SWE-bench grading rules for an evaluation ("" = v4.1).
	Harness evaluate.Harness
}

// Evaluation is the outcome of running an instance's tests on a patch.
type Evaluation struct {
	// Evaluated is false when the source cannot evaluate.
	Evaluated bool
	Outcome   evaluate.Outcome
	// Log is the test run's output (the harness's test_output.txt).
	Log []byte
}

// ModelFactory builds a model client for a preset; instance is given so the
// replay model can find its trajectory.
type ModelFactory func(p llm.Preset, cfg sweep.RunConfig, instance string) (llm.Model, error)

// Deps are what the activities need from the worker.
type Deps struct {
	Store       store.Store
	Presets     llm.Presets
	Agent       agent.Config
	Tasks       Tasks
	Models      ModelFactory
	SandboxRoot string
	Log         *zap.Logger
	// Wandb uploads W&B runs; nil keeps them in the offline logs only.
	Wandb *wandb.Client
	// WandbStream paces the runs' streaming (zero: wandb-core's intervals).
	WandbStream wandb.StreamOptions
	// PollQueues makes the worker poll rate-limited task queues (those of
	// presets that came with a sweep); nil: it polls none of its own.
	PollQueues func([]llm.QueueLimit) error
}

// Activities are registered once on a worker.
type Activities struct {
	Deps
	mu        sync.Mutex
	sandboxes map[string]sandbox.Sandbox
	hist      *historyCache
	// wandbPausedUntil: no W&B pushes before then (after a failure).
	wandbPausedUntil time.Time
}

// New prepares the activities.
func New(d Deps) *Activities {
	if d.Log == nil {
		d.Log = zap.NewNop()
	}
	return &Activities{Deps: d, sandboxes: map[string]sandbox.Sandbox{}, hist: newHistoryCache(64)}
}

// Close removes every sandbox this worker still holds.
func (a *Activities) Close(ctx context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, sb := range a.sandboxes {
		_ = sb.Close(ctx)
		delete(a.sandboxes, id)
	}
}

func (a *Activities) sandbox(id string) (sandbox.Sandbox, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	sb, ok := a.sandboxes[id]
	if !ok {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("sandbox %s is not on this worker (it restarted or the session moved)", id), workflows.ErrSandboxLost, nil)
	}
	return sb, nil
}

func configError(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), workflows.ErrConfig, nil)
}

// keepAlive heartbeats until the returned stop is called, so a worker that
// dies mid-call is noticed within the heartbeat timeout.
func keepAlive(ctx context.Context) func() {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	interval := 2 * time.Second
	if hb := activity.GetInfo(ctx).HeartbeatTimeout; hb > 0 && hb/3 < interval {
		interval = hb / 3
	}
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() { close(done) }
}

var errNoReply = errors.New("no accepted reply recorded")
