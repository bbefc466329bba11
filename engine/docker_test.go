package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/sandbox/dockertest"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// TestSWEBenchInstancesInDocker runs two SWE-bench-shaped instances (demo
// tasks in images built here) through the Docker sandbox with the replay
// model: agent turns in the container, submission, the harness's
// evaluation in a fresh container, teardown. Both are resolved and no
// container is left.
func TestSWEBenchInstancesInDocker(t *testing.T) {
	cli := dockertest.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	file := dockertest.DemoInstances(t, ctx, cli, demo.IDs()[:2], "ctxsweep-test")
	e := startEngine(t, ctx)
	src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n" +
		"  instances-subset: {value: verified}\n  instances-file: {value: " + file + "}\n  num-workers: {value: 2}\n"
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "dock", File: "dock.yaml", Source: src, Parallel: 1})
	if st.State != "completed" || len(st.Trials) != 1 {
		t.Fatalf("sweep %q, %d trials", st.State, len(st.Trials))
	}
	recs := trialResults(t, e, st.Trials[0].Dir)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	for _, r := range recs {
		t.Logf("%s: %s, %d turns, eval %+v", r.InstanceID, r.ExitStatus, r.Turns, r.Eval)
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
	if left := dockertest.Sandboxes(t, cli); len(left) > 0 {
		t.Errorf("containers left after the sweep: %v", left)
	}
}
