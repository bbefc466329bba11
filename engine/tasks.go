package engine

import (
	"context"
	"fmt"
	"sync"

	"github.com/docker/docker/client"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/evaluate"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/swebench"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// Tasks routes a trial's instances to their source: the built-in demo
// tasks (instances-subset demo, local sandboxes) or SWE-bench (a Hugging
// Face subset or an --instances-file, Docker sandboxes in the instances'
// own images).
type Tasks struct {
	// Root is where local sandboxes go (default: the system temp dir).
	Root string
	// Loader loads SWE-bench datasets (nil: the default loader, cache in
	// the user's cache directory).
	Loader *swebench.Loader
	// Docker configures the containers of SWE-bench instances.
	Docker DockerConfig
	// Progress receives image pull and dataset download messages.
	Progress func(string)

	mu   sync.Mutex
	rows map[string][]swebench.Instance // by source key
	cli  *client.Client
}

// DockerConfig are the container settings of SWE-bench instances.
type DockerConfig struct {
	CPUs      float64
	Memory    int64
	PidsLimit int64
	Network   string // "" = none
	// EvalTimeout bounds the test run of an evaluation (default 1800 s, the
	// harness's).
	EvalTimeoutSec int
}

var _ activities.Tasks = (*Tasks)(nil)

func isDemo(cfg sweep.RunConfig) bool {
	return cfg.InstancesSubset == "demo" && cfg.InstancesFile == ""
}

// selection is the trial's instance selection in swebench's terms.
func selection(cfg sweep.RunConfig) swebench.Selection {
	return swebench.Selection{Subset: cfg.InstancesSubset, Filter: cfg.InstancesFilter, Slice: cfg.InstancesSlice,
		Shuffle: cfg.InstancesShuffle, Seed: cfg.InstancesShuffleSeed, File: cfg.InstancesFile}
}

// Select lists the instances of a trial in the seed's order: sorted by id
// and shuffled (when asked), filtered, then sliced.
func (t *Tasks) Select(cfg sweep.RunConfig) ([]string, error) {
	var rows []swebench.Instance
	if isDemo(cfg) {
		for _, id := range demo.IDs() {
			rows = append(rows, swebench.Instance{InstanceID: id})
		}
	} else {
		var err error
		if rows, err = t.dataset(context.Background(), cfg); err != nil {
			return nil, err
		}
	}
	sel, err := swebench.Select(rows, selection(cfg))
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(sel))
	for i, r := range sel {
		ids[i] = r.InstanceID
	}
	return ids, nil
}

// dataset loads (once per process) every row of the trial's source.
func (t *Tasks) dataset(ctx context.Context, cfg sweep.RunConfig) ([]swebench.Instance, error) {
	sel := selection(cfg)
	key := "file:" + sel.File
	if sel.File == "" {
		key = "hf:" + sel.Subset + "/" + sel.Split
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if rows, ok := t.rows[key]; ok {
		return rows, nil
	}
	l := t.Loader
	if l == nil {
		l = &swebench.Loader{CacheDir: swebench.DefaultCacheDir(), Progress: t.Progress}
	}
	rows, err := l.LoadAll(ctx, sel)
	if err != nil {
		return nil, err
	}
	if t.rows == nil {
		t.rows = map[string][]swebench.Instance{}
	}
	t.rows[key] = rows
	return rows, nil
}

// instance finds one SWE-bench row of the trial's source.
func (t *Tasks) instance(ctx context.Context, cfg sweep.RunConfig, id string) (swebench.Instance, error) {
	rows, err := t.dataset(ctx, cfg)
	if err != nil {
		return swebench.Instance{}, err
	}
	for _, r := range rows {
		if r.InstanceID == id {
			return r, nil
		}
	}
	return swebench.Instance{}, fmt.Errorf("instance %s is not in %s", id, sourceName(cfg))
}

func sourceName(cfg sweep.RunConfig) string {
	if cfg.InstancesFile != "" {
		return cfg.InstancesFile
	}
	return "SWE-bench subset " + cfg.InstancesSubset
}

// Problem is the instance's issue text.
func (t *Tasks) Problem(cfg sweep.RunConfig, id string) (string, error) {
	if isDemo(cfg) {
		task, err := demo.Get(id)
		return task.ProblemStatement, err
	}
	in, err := t.instance(context.Background(), cfg, id)
	return in.ProblemStatement, err
}

// Open creates a sandbox holding the instance's repository: a local
// checkout for demo tasks, a container of the instance's image otherwise.
func (t *Tasks) Open(ctx context.Context, cfg sweep.RunConfig, id string, opts activities.OpenOptions) (sandbox.Sandbox, error) {
	if isDemo(cfg) {
		repo, err := demo.RepoFS(id)
		if err != nil {
			return nil, err
		}
		return sandbox.NewLocal(ctx, repo, sandbox.LocalOptions{Root: opts.Root})
	}
	in, err := t.instance(ctx, cfg, id)
	if err != nil {
		return nil, err
	}
	return t.container(ctx, in, opts.Labels)
}

// Replay is the recorded trajectory the replay model follows: there are
// recordings for the demo tasks, whichever source (the built-in subset, or
// an instances file holding them in SWE-bench shape) the trial uses.
func (t *Tasks) Replay(cfg sweep.RunConfig, id string) ([]byte, error) {
	data, err := demo.Replay(id)
	if err != nil && !isDemo(cfg) {
		return nil, fmt.Errorf("the replay model has recorded trajectories for the demo tasks only, not for %s", id)
	}
	return data, err
}

// Evaluate runs the instance's tests on the patch: the demo tasks in a
// local checkout, SWE-bench instances with the harness's eval script in a
// fresh container of their image.
func (t *Tasks) Evaluate(ctx context.Context, cfg sweep.RunConfig, id, patch string, opts activities.OpenOptions) (activities.Evaluation, error) {
	if !isDemo(cfg) {
		in, err := t.instance(ctx, cfg, id)
		if err != nil {
			return activities.Evaluation{}, err
		}
		return t.evaluateInContainer(ctx, in, patch, opts)
	}
	task, err := demo.Get(id)
	if err != nil {
		return activities.Evaluation{}, err
	}
	rep, err := demo.Evaluate(ctx, task, patch, sandbox.LocalOptions{Root: opts.Root})
	if err != nil {
		return activities.Evaluation{}, err
	}
	if !rep.PatchApplied {
		return activities.Evaluation{Evaluated: true, Outcome: evaluate.ErrorOutcome(id, rep.Error)}, nil
	}
	status := evaluate.StatusMap{}
	var log []byte
	for _, r := range append(append([]demo.TestResult(nil), rep.FailToPass...), rep.PassToPass...) {
		st := evaluate.StatusFailed
		if r.Passed {
			st = evaluate.StatusPassed
		}
		status[r.Name] = st
		log = fmt.Appendf(log, "%s %s\n%s\n", st, r.Name, r.Output)
	}
	spec := evaluate.Spec{InstanceID: id, FailToPass: task.FailToPass, PassToPass: task.PassToPass, Harness: opts.Harness}
	graded := evaluate.GradeResult(spec, evaluate.LogResult{Status: status, Applied: true, ExitCode: -1})
	graded.PatchExists = true
	return activities.Evaluation{Evaluated: true, Outcome: evaluate.CompletedOutcome(graded), Log: log}, nil
}
