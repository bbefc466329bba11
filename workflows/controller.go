package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/sweep"
)

// The sweep controller runs in local activities, not in workflow code:
//
//   - Replay never recomputes a proposal: the local activity's result is a
//     marker in the sweep's history, read back on replay. Bayes fits a
//     Gaussian process (Cholesky, exp, sqrt in gonum); its floating-point
//     results may differ between CPU architectures (FMA fusion on arm64)
//     and between versions of the controller, and a different proposal on
//     replay would be a nondeterminism error.
//   - workflow.SideEffect would record the result the same way, but runs
//     its function on the workflow goroutine, where the SDK's deadlock
//     detector fails the workflow task after one second without a yield.
//     Building the controller of models_mini.yaml (15,552 raw
//     combinations, 5,208 distinct experiments) takes about 0.5 s and a
//     bayes proposal up to 0.5 s on a loaded two-core machine; a local
//     activity has no such limit, gets a timeout and retries, and its
//     input (the trial history) is not written to the history.
//
// Controllers keep no state between calls, so one built for a sweep is
// cached per process and shared by its proposals.

// NextInput asks the controller of a sweep for its next trial.
type NextInput struct {
	Sweep   SweepInput         `json:"sweep"`
	History []sweep.TrialState `json:"history"`
}

// Proposal is the controller's answer. Config is the trial's RunConfig
// built from Params (typed, so that a JSON round trip of Params, which
// turns integers into floats, does not matter). OK is false when the
// sweep has nothing left to propose; Err reports a controller failure.
type Proposal struct {
	Params map[string]any   `json:"params,omitempty"`
	Config *sweep.RunConfig `json:"config,omitempty"`
	OK     bool             `json:"ok"`
	Err    string           `json:"error,omitempty"`
}

// PlanResult is what planSweep learns: the number of trials a random or
// bayes sweep plans (0 = unknown), or why the sweep cannot run.
type PlanResult struct {
	Planned int    `json:"planned"`
	Err     string `json:"error,omitempty"`
}

func controllerCtx(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: 5 * time.Minute,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3},
	})
}

// specOf parses a sweep input with its overrides applied.
func specOf(in SweepInput) (*sweep.Spec, error) {
	spec, err := sweep.Parse(in.File, []byte(in.Source))
	if err != nil {
		return nil, err
	}
	if in.Name != "" {
		spec.Name = in.Name
	}
	if in.BudgetUSD > 0 {
		spec.BudgetUSD = in.BudgetUSD
	}
	return spec, nil
}

// seedOf is the controller seed of a sweep: the input's, or DefaultSeed.
func seedOf(in SweepInput, spec *sweep.Spec) int64 {
	if in.Seed != 0 {
		return in.Seed
	}
	return DefaultSeed(spec.Name)
}

// planSweep (local activity) builds the sweep's controller.
func planSweep(_ context.Context, in SweepInput) (PlanResult, error) {
	spec, _, err := controllerFor(in)
	if err != nil {
		return PlanResult{Err: err.Error()}, nil
	}
	n := spec.RunCap
	if spec.Method != "grid" {
		if points, finite, err := spec.DistinctPoints(0); err == nil && finite && (n == 0 || len(points) < n) {
			n = len(points)
		}
	}
	return PlanResult{Planned: n}, nil
}

// proposeTrial (local activity) asks the controller for the next trial.
func proposeTrial(_ context.Context, in NextInput) (Proposal, error) {
	spec, c, err := controllerFor(in.Sweep)
	if err != nil {
		return Proposal{Err: err.Error()}, nil
	}
	params, ok, err := c.next(in.History)
	if err != nil {
		return Proposal{Err: err.Error()}, nil
	}
	if !ok {
		return Proposal{}, nil
	}
	cfg, err := spec.Trial(params, in.Sweep.Flags)
	if err != nil {
		return Proposal{Err: fmt.Sprintf("sweep controller proposed an invalid trial: %v", err)}, nil
	}
	return Proposal{Params: params, Config: &cfg, OK: true}, nil
}

type cachedController struct {
	mu   sync.Mutex
	spec *sweep.Spec
	ctrl sweep.Controller
}

func (c *cachedController) next(h []sweep.TrialState) (map[string]any, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ctrl.Next(h)
}

const maxCachedControllers = 16

var controllers struct {
	sync.Mutex
	m    map[string]*cachedController
	keys []string
}

// controllerFor returns the (cached) controller of a sweep input.
func controllerFor(in SweepInput) (*sweep.Spec, *cachedController, error) {
	spec, err := specOf(in)
	if err != nil {
		return nil, nil, err
	}
	seed := seedOf(in, spec)
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%d\x00%+v", in.File, spec.Name, in.Source, seed, in.Flags)))
	key := hex.EncodeToString(sum[:])
	controllers.Lock()
	defer controllers.Unlock()
	if c, ok := controllers.m[key]; ok {
		return c.spec, c, nil
	}
	if spec.Method != "grid" {
		if err := ValidateSpace(spec); err != nil {
			return nil, nil, err
		}
	}
	ctrl, err := sweep.NewController(spec, seed)
	if err != nil {
		return nil, nil, err
	}
	c := &cachedController{spec: spec, ctrl: ctrl}
	if controllers.m == nil {
		controllers.m = map[string]*cachedController{}
	}
	if len(controllers.keys) >= maxCachedControllers {
		delete(controllers.m, controllers.keys[0])
		controllers.keys = controllers.keys[1:]
	}
	controllers.m[key] = c
	controllers.keys = append(controllers.keys, key)
	return spec, c, nil
}
