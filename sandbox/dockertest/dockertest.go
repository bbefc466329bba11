// Package dockertest helps tests that need the Docker engine: it connects
// (skipping, or failing when CTXSWEEP_DOCKER_TESTS=required as in CI) and
// turns demo tasks into SWE-bench-shaped images and an instances file.
package dockertest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/sandbox"
)

// BaseImage is the local SWE-bench-shaped base image that
// scripts/testimage.sh builds (Debian with python3, git and patch).
const BaseImage = "ctxsweep/testbase:bookworm"

// Client connects to the engine named by DOCKER_HOST. Without an engine
// or the base image the test is skipped, unless CTXSWEEP_DOCKER_TESTS is
// "required", where it fails with the reason.
func Client(t *testing.T) *client.Client {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("CTXSWEEP_DOCKER_TESTS") == "required" {
		fail = t.Fatalf
	}
	if os.Getenv("DOCKER_HOST") == "" {
		fail("DOCKER_HOST is unset: start an engine with `eval \"$(scripts/dockerd.sh start)\"` and build %s with scripts/testimage.sh", BaseImage)
	}
	cli, err := sandbox.NewDockerClient(context.Background())
	if err != nil {
		fail("%v", err)
	}
	t.Cleanup(func() { cli.Close() })
	if _, err := cli.ImageInspect(context.Background(), BaseImage); err != nil {
		fail("image %s is missing (build it with scripts/testimage.sh): %v", BaseImage, err)
	}
	return cli
}

// DemoInstances builds one image per demo task (its repository committed
// at /testbed, tagged sweb.eval.x86_64.<id>:<tag>, removed at the end of
// the test) and writes an instances file describing them as SWE-bench
// rows, graded by `python3 -m unittest -v`. It returns the file's path.
func DemoInstances(t *testing.T, ctx context.Context, cli *client.Client, ids []string, tag string) string {
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
		ref := "sweb.eval.x86_64." + strings.ToLower(id) + ":" + tag
		if err := sandbox.BuildImageFromFS(ctx, cli, BaseImage, ref, repo, "/testbed"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			_, _ = cli.ImageRemove(context.Background(), ref, image.RemoveOptions{Force: true, PruneChildren: true})
		})
		rows = append(rows, map[string]any{
			"instance_id": id, "repo": task.Repo, "base_commit": "HEAD", "version": "0",
			"problem_statement": task.ProblemStatement, "test_patch": "", "patch": "",
			"FAIL_TO_PASS": UnittestIDs(task.FailToPass), "PASS_TO_PASS": UnittestIDs(task.PassToPass),
			"image_name": ref, "test_cmd": "python3 -m unittest -v", "log_parser": "unittest",
		})
	}
	data, _ := json.MarshalIndent(rows, "", " ")
	file := filepath.Join(t.TempDir(), "instances.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// UnittestIDs turns dotted ids (pkg.module.Class.test) into the
// `test (pkg.module.Class)` form unittest -v prints, as SWE-bench's Django
// rows name their tests.
func UnittestIDs(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		dot := strings.LastIndex(id, ".")
		out[i] = id[dot+1:] + " (" + id[:dot] + ")"
	}
	return out
}

// Sandboxes lists the sandbox containers (label ctxsweep=1) on the engine.
func Sandboxes(t *testing.T, cli *client.Client) []string {
	t.Helper()
	list, err := cli.ContainerList(context.Background(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", sandbox.LabelSandbox+"=1"))})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range list {
		names = append(names, strings.Join(c.Names, ","))
	}
	return names
}
