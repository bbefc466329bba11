package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/client"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/evaluate"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/swebench"
)

// evalLogPath is where the eval script's output goes in the container.
const evalLogPath = "/tmp/ctxsweep_test_output.txt"

// DefaultEvalTimeout is the harness's default test-run timeout.
const DefaultEvalTimeout = 1800 * time.Second

// docker connects to the engine once per process.
func (t *Tasks) docker(ctx context.Context) (*client.Client, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cli != nil {
		return t.cli, nil
	}
	cli, err := sandbox.NewDockerClient(ctx)
	if err != nil {
		return nil, err
	}
	t.cli = cli
	return cli, nil
}

// container starts a container of the instance's image (pulled if
// missing), with the repository at /testbed.
func (t *Tasks) container(ctx context.Context, in swebench.Instance, labels map[string]string) (*sandbox.Docker, error) {
	cli, err := t.docker(ctx)
	if err != nil {
		return nil, err
	}
	image := in.Image()
	progress := func(msg string) {
		if t.Progress != nil {
			t.Progress(in.InstanceID + ": " + msg)
		}
	}
	if err := sandbox.EnsureImage(ctx, cli, image, sandbox.DefaultPlatform, progress); err != nil {
		return nil, fmt.Errorf("instance %s: %w", in.InstanceID, err)
	}
	d := t.Docker
	return sandbox.NewDocker(ctx, cli, sandbox.DockerOptions{Image: image, Labels: labels,
		Network: d.Network, CPUs: d.CPUs, Memory: d.Memory, PidsLimit: d.PidsLimit})
}

// evaluateInContainer evaluates a patch as the SWE-bench harness does: in a
// fresh container of the instance's image, apply the patch (git apply,
// then --reject, then patch --fuzz), run the eval script between its
// markers, and grade the log with the repository's parser.
func (t *Tasks) evaluateInContainer(ctx context.Context, in swebench.Instance, patch string, opts activities.OpenOptions) (activities.Evaluation, error) {
	labels := opts.Labels
	id := in.InstanceID
	spec := evaluate.Spec{InstanceID: id, Repo: in.Repo, Version: in.Version, BaseCommit: in.BaseCommit,
		TestPatch: in.TestPatch, FailToPass: in.FailToPass, PassToPass: in.PassToPass,
		EvalScript: in.EvalScript, LogParser: in.LogParser, TestCmd: in.TestCmd, Harness: opts.Harness}
	script, err := evaluate.MakeEvalScript(spec)
	if err != nil {
		// Not an infrastructure failure: the instance cannot be evaluated.
		return activities.Evaluation{Evaluated: true, Outcome: evaluate.ErrorOutcome(id, err.Error())}, nil
	}
	sb, err := t.container(ctx, in, labels)
	if err != nil {
		return activities.Evaluation{}, err
	}
	defer sb.Close(context.WithoutCancel(ctx))
	if len(patch) > 0 && patch[len(patch)-1] != '\n' {
		patch += "\n"
	}
	if err := sb.WriteFile(ctx, evaluate.DefaultPatchPath, []byte(patch)); err != nil {
		return activities.Evaluation{}, err
	}
	applied, err := sb.Exec(ctx, evaluate.ApplyPatchCommand(evaluate.DefaultPatchPath), 5*time.Minute)
	if err != nil {
		return activities.Evaluation{}, err
	}
	if !evaluate.PatchApplied(applied.Output) {
		return activities.Evaluation{Evaluated: true, Outcome: evaluate.ErrorOutcome(id, "patch apply failed"), Log: []byte(applied.Output)}, nil
	}
	if err := sb.WriteFile(ctx, "/eval.sh", []byte(script)); err != nil {
		return activities.Evaluation{}, err
	}
	timeout := DefaultEvalTimeout
	if t.Docker.EvalTimeoutSec > 0 {
		timeout = time.Duration(t.Docker.EvalTimeoutSec) * time.Second
	}
	// The test log goes through a file: Exec caps its output, and test
	// logs (Django's verbose runner) are often longer than the cap.
	res, err := sb.Exec(ctx, "/bin/bash /eval.sh > "+evalLogPath+" 2>&1", timeout)
	if err != nil {
		return activities.Evaluation{}, err
	}
	testLog, err := sb.ReadFile(ctx, evalLogPath)
	if err != nil {
		return activities.Evaluation{}, fmt.Errorf("reading the test log: %w", err)
	}
	log := append([]byte(applied.Output), testLog...)
	if res.TimedOut {
		return activities.Evaluation{Evaluated: true, Outcome: evaluate.ErrorOutcome(id, fmt.Sprintf("tests timed out after %s", timeout)), Log: log}, nil
	}
	rep, err := evaluate.Grade(spec, string(testLog))
	if err != nil {
		return activities.Evaluation{Evaluated: true, Outcome: evaluate.ErrorOutcome(id, err.Error()), Log: log}, nil
	}
	return activities.Evaluation{Evaluated: true, Outcome: evaluate.CompletedOutcome(rep), Log: log}, nil
}
