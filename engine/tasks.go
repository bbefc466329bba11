package engine

import (
	"context"
	"fmt"

	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// Tasks routes instance subsets to their source. The built-in demo tasks
// run in local sandboxes; SWE-bench subsets need the Docker sandbox and the
// dataset loader, which this build does not have yet.
type Tasks struct {
	// Root is where evaluation sandboxes go (default: the system temp dir).
	Root string
}

func (Tasks) check(cfg sweep.RunConfig) error {
	if cfg.InstancesSubset == "demo" {
		return nil
	}
	return fmt.Errorf("instances-subset %q needs SWE-bench support (Docker images and the dataset loader), which this build does not include yet; use instances-subset: demo (see sweeps/demo.yaml)", cfg.InstancesSubset)
}

// Select lists the instances of a trial in run order: sorted by id, then
// sliced.
func (t Tasks) Select(cfg sweep.RunConfig) ([]string, error) {
	if err := t.check(cfg); err != nil {
		return nil, err
	}
	if cfg.InstancesShuffle {
		return nil, fmt.Errorf("instances-shuffle: true is not supported for the demo tasks yet (the CPython shuffle port comes with SWE-bench support); set it to false")
	}
	return sweep.ApplySlice(demo.IDs(), cfg.InstancesSlice)
}

// Problem is the instance's issue text.
func (t Tasks) Problem(cfg sweep.RunConfig, id string) (string, error) {
	if err := t.check(cfg); err != nil {
		return "", err
	}
	task, err := demo.Get(id)
	if err != nil {
		return "", err
	}
	return task.ProblemStatement, nil
}

// Open creates a sandbox holding the instance's repository.
func (t Tasks) Open(ctx context.Context, cfg sweep.RunConfig, id, root string) (sandbox.Sandbox, error) {
	if err := t.check(cfg); err != nil {
		return nil, err
	}
	repo, err := demo.RepoFS(id)
	if err != nil {
		return nil, err
	}
	return sandbox.NewLocal(ctx, repo, sandbox.LocalOptions{Root: root})
}

// Replay is the recorded trajectory the replay model follows.
func (t Tasks) Replay(cfg sweep.RunConfig, id string) ([]byte, error) {
	if err := t.check(cfg); err != nil {
		return nil, err
	}
	return demo.Replay(id)
}

// Evaluate runs the task's FAIL_TO_PASS and PASS_TO_PASS tests on the patch.
func (t Tasks) Evaluate(ctx context.Context, cfg sweep.RunConfig, id, patch string) (bool, bool, error) {
	if err := t.check(cfg); err != nil {
		return false, false, nil
	}
	task, err := demo.Get(id)
	if err != nil {
		return false, false, err
	}
	rep, err := demo.Evaluate(ctx, task, patch, sandbox.LocalOptions{Root: t.Root})
	if err != nil {
		return false, false, err
	}
	return rep.Resolved, true, nil
}
