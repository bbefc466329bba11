package integration

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
)

const testBaseImage = "ctxsweep/testbase:bookworm"

func dockerOrSkip(t *testing.T) *client.Client {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("CTXSWEEP_DOCKER_TESTS") == "required" {
		fail = t.Fatalf
	}
	if os.Getenv("DOCKER_HOST") == "" {
		fail("DOCKER_HOST is unset (scripts/dockerd.sh start)")
	}
	cli, err := sandbox.NewDockerClient(context.Background())
	if err != nil {
		fail("%v", err)
	}
	t.Cleanup(func() { cli.Close() })
	if _, err := cli.ImageInspect(context.Background(), testBaseImage); err != nil {
		fail("%s missing (scripts/testimage.sh): %v", testBaseImage, err)
	}
	return cli
}

func containers(t *testing.T, cli *client.Client) []container.Summary {
	t.Helper()
	list, err := cli.ContainerList(context.Background(), container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", sandbox.LabelSandbox+"=1"))})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestDockerWorkerKilledThenGC: a worker running SWE-bench-shaped
// instances in containers is killed with -9 mid-instance; `starter gc`
// removes its containers (and its local sandbox directories), and leaves
// none behind.
func TestDockerWorkerKilledThenGC(t *testing.T) {
	cli := dockerOrSkip(t)
	ctx := context.Background()
	var rows []map[string]any
	for _, id := range demo.IDs()[:2] {
		task, _ := demo.Get(id)
		repo, _ := demo.RepoFS(id)
		tag := "sweb.eval.x86_64." + strings.ToLower(id) + ":ctxsweep-gc-test"
		if err := sandbox.BuildImageFromFS(ctx, cli, testBaseImage, tag, repo, "/testbed"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = cli.ImageRemove(ctx, tag, image.RemoveOptions{Force: true, PruneChildren: true}) })
		rows = append(rows, map[string]any{"instance_id": id, "repo": task.Repo, "base_commit": "HEAD",
			"problem_statement": task.ProblemStatement, "FAIL_TO_PASS": "[]", "PASS_TO_PASS": "[]", "image_name": tag,
			"test_cmd": "python3 -m unittest -v", "log_parser": "unittest"})
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	file := filepath.Join(dir, "instances.json")
	b, _ := json.Marshal(rows)
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	sweepFile := filepath.Join(dir, "gc.yaml")
	src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n  instances-subset: {value: verified}\n" +
		"  instances-file: {value: " + file + "}\n  num-workers: {value: 2}\n"
	if err := os.WriteFile(sweepFile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	start(t, nil, "starter", "--data-dir", data, "server", "--ui-port", "-1")
	waitFor(t, time.Minute, "server.json", func() bool { _, err := os.Stat(filepath.Join(data, "server.json")); return err == nil })
	w := start(t, slow, "worker", "--data-dir", data)
	if out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "sweep", sweepFile, "--detach"); code != 0 {
		t.Fatalf("sweep --detach: exit %d\n%s", code, out)
	}
	waitFor(t, 3*time.Minute, "both instances to run in containers", func() bool {
		return len(containers(t, cli)) >= 2 && len(glob(t, filepath.Join(data, "runs", "*", "*", "*", "turns", "*.obs.json"))) >= 3
	})
	w.kill9()
	left := containers(t, cli)
	if len(left) == 0 {
		t.Fatal("no container left after the kill: the test proves nothing")
	}
	out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "gc")
	if code != 0 {
		t.Fatalf("starter gc: exit %d\n%s", code, out)
	}
	t.Logf("%d containers after the kill; gc said:\n%s", len(left), out)
	if after := containers(t, cli); len(after) > 0 {
		t.Errorf("containers after gc: %d", len(after))
	}
	if dirs := glob(t, filepath.Join(data, "sandboxes", "*")); len(dirs) > 0 {
		t.Errorf("local sandbox directories after gc: %v", dirs)
	}
	if !strings.Contains(out, "2 containers removed") && !strings.Contains(out, "containers removed") {
		t.Errorf("gc output: %s", out)
	}
}
