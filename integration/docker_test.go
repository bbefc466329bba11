package integration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/sandbox/dockertest"
)

// TestDockerWorkerKilledThenGC: a worker running SWE-bench-shaped
// instances in containers is killed with -9 mid-instance; `starter gc`
// removes its containers (and its local sandbox directories), and leaves
// none behind.
func TestDockerWorkerKilledThenGC(t *testing.T) {
	cli := dockertest.Client(t)
	ctx := context.Background()
	file := dockertest.DemoInstances(t, ctx, cli, demo.IDs()[:2], "ctxsweep-gc-test")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	sweepFile := filepath.Join(dir, "gc.yaml")
	src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n  instances-subset: {value: verified}\n" +
		"  instances-file: {value: " + file + "}\n  num-workers: {value: 2}\n"
	if err := os.WriteFile(sweepFile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	startServer(t, nil, data)
	w := start(t, slow, "worker", "--data-dir", data)
	if out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "sweep", sweepFile, "--detach"); code != 0 {
		t.Fatalf("sweep --detach: exit %d\n%s", code, out)
	}
	waitFor(t, 3*time.Minute, "both instances to run in containers", func() bool {
		return len(dockertest.Sandboxes(t, cli)) >= 2 && len(glob(t, filepath.Join(data, "runs", "*", "*", "*", "turns", "*.obs.json"))) >= 3
	})
	w.kill9()
	left := dockertest.Sandboxes(t, cli)
	if len(left) == 0 {
		t.Fatal("no container left after the kill: the test proves nothing")
	}
	out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "gc")
	if code != 0 {
		t.Fatalf("starter gc: exit %d\n%s", code, out)
	}
	t.Logf("%d containers after the kill; gc said:\n%s", len(left), out)
	if after := dockertest.Sandboxes(t, cli); len(after) > 0 {
		t.Errorf("containers after gc: %d", len(after))
	}
	if dirs := glob(t, filepath.Join(data, "sandboxes", "*")); len(dirs) > 0 {
		t.Errorf("local sandbox directories after gc: %v", dirs)
	}
	if !strings.Contains(out, "2 containers removed") && !strings.Contains(out, "containers removed") {
		t.Errorf("gc output: %s", out)
	}
}
