package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// testBaseImage is the local SWE-bench-shaped base image that
// scripts/testimage.sh builds (Debian with python3 and git).
const testBaseImage = "ctxsweep/testbase:bookworm"

// dockerForTest connects to the engine; without one the test is skipped,
// unless CTXSWEEP_DOCKER_TESTS=required (CI), where it fails with why.
func dockerForTest(t *testing.T) *client.Client {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("CTXSWEEP_DOCKER_TESTS") == "required" {
		fail = t.Fatalf
	}
	if os.Getenv("DOCKER_HOST") == "" {
		fail("DOCKER_HOST is unset: start an engine with `eval \"$(scripts/dockerd.sh start)\"` and build %s with scripts/testimage.sh", testBaseImage)
	}
	cli, err := sandbox.NewDockerClient(context.Background())
	if err != nil {
		fail("%v", err)
	}
	t.Cleanup(func() { cli.Close() })
	if _, err := cli.ImageInspect(context.Background(), testBaseImage); err != nil {
		fail("image %s is missing (build it with scripts/testimage.sh): %v", testBaseImage, err)
	}
	return cli
}

// dockerInstances builds one SWE-bench-shaped image per demo task (the
// repository committed at /testbed) and writes an instances file that
// describes them as SWE-bench rows.
func dockerInstances(t *testing.T, ctx context.Context, cli *client.Client, ids []string) string {
	t.Helper()
	var rows []map[string]any
	for _, id := range ids {
		task, err := demo.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		repo, err := demo.RepoFS(id)
		if err != nil {
			t.Fatal(err)
		}
		tag := "sweb.eval.x86_64." + strings.ToLower(id) + ":ctxsweep-test"
		if err := sandbox.BuildImageFromFS(ctx, cli, testBaseImage, tag, repo, "/testbed"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = cli.ImageRemove(context.Background(), tag, imageRemoveOptions()) })
		rows = append(rows, map[string]any{
			"instance_id": id, "repo": task.Repo, "base_commit": "HEAD", "version": "0",
			"problem_statement": task.ProblemStatement, "test_patch": "", "patch": "",
			"FAIL_TO_PASS": unittestIDs(task.FailToPass), "PASS_TO_PASS": unittestIDs(task.PassToPass),
			"image_name": tag, "test_cmd": "python3 -m unittest -v", "log_parser": "unittest",
		})
	}
	data, _ := json.MarshalIndent(rows, "", " ")
	file := filepath.Join(t.TempDir(), "instances.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// unittestIDs turns dotted ids (pkg.module.Class.test) into the
// `test (pkg.module.Class)` form unittest -v prints, as SWE-bench's Django
// rows name their tests.
func unittestIDs(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		dot := strings.LastIndex(id, ".")
		out[i] = id[dot+1:] + " (" + id[:dot] + ")"
	}
	return out
}

func sandboxContainers(t *testing.T, ctx context.Context, cli *client.Client) []string {
	t.Helper()
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: filters.NewArgs(filters.Arg("label", sandbox.LabelSandbox+"=1"))})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list {
		names = append(names, strings.Join(c.Names, ","))
	}
	return names
}

// TestSWEBenchInstancesInDocker runs two SWE-bench-shaped instances (demo
// tasks in images built here) through the Docker sandbox with the replay
// model: agent turns in the container, submission, the harness's
// evaluation in a fresh container, teardown. Both are resolved and no
// container is left.
func TestSWEBenchInstancesInDocker(t *testing.T) {
	cli := dockerForTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	ids := demo.IDs()[:2]
	file := dockerInstances(t, ctx, cli, ids)
	e := startEngine(t, ctx)
	src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n" +
		"  instances-subset: {value: verified}\n  instances-file: {value: " + file + "}\n  num-workers: {value: 2}\n"
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "dock", File: "dock.yaml", Source: src, Parallel: 1})
	if st.State != "completed" || len(st.Trials) != 1 {
		t.Fatalf("sweep %q, %d trials", st.State, len(st.Trials))
	}
	var recs []workflows.InstanceRecord
	data, err := os.ReadFile(filepath.Join(e.opts.DataDir, st.Trials[0].Dir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	for _, r := range recs {
		t.Logf("%s: %s, %d turns, resolved %v, eval %+v", r.InstanceID, r.ExitStatus, r.Turns, r.Resolved, r.Eval)
		if !r.Submitted || r.Resolved == nil || !*r.Resolved || r.Eval == nil || r.Eval.Resolution != "RESOLVED_FULL" {
			t.Errorf("%s: exit %q resolved %v eval %+v error %q", r.InstanceID, r.ExitStatus, r.Resolved, r.Eval, r.Error)
		}
		log, err := os.ReadFile(filepath.Join(e.opts.DataDir, st.Trials[0].Dir, r.InstanceID, "eval", "test_output.txt"))
		if err != nil || !strings.Contains(string(log), ">>>>> Start Test Output") {
			t.Errorf("%s: test log missing or without markers (%v)", r.InstanceID, err)
		}
		traj, _ := os.ReadFile(filepath.Join(e.opts.DataDir, r.TrajFile))
		if !strings.Contains(string(traj), "/testbed") {
			t.Errorf("%s: the trajectory does not show the agent working in /testbed", r.InstanceID)
		}
	}
	if left := sandboxContainers(t, ctx, cli); len(left) > 0 {
		t.Errorf("containers left after the sweep: %v", left)
	}
}

func imageRemoveOptions() image.RemoveOptions {
	return image.RemoveOptions{Force: true, PruneChildren: true}
}
