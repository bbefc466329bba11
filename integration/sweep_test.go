package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

var demoFile = filepath.Join("..", "sweeps", "demo.yaml")

// slow makes the replay model take long enough per call to kill mid-instance.
var slow = []string{"CTXSWEEP_REPLAY_LATENCY=150ms"}

func obsCount(t *testing.T, data string) int {
	return len(glob(t, filepath.Join(data, "runs", "demo", "*", "*", "turns", "*.obs.json")))
}

// TestStarterKilledMidSweepResumes: kill -9 the starter (embedded server
// and worker together) in the middle of the demo sweep, run the same
// command again: the sweep finishes, every instance once, no completed turn
// repeated.
func TestStarterKilledMidSweepResumes(t *testing.T) {
	data := t.TempDir()
	args := []string{"--data-dir", data, "sweep", demoFile, "--heartbeat-timeout", "4s"}
	p := start(t, slow, "starter", args...)
	waitFor(t, 3*time.Minute, "some turns to complete", func() bool { return obsCount(t, data) >= 25 })
	p.kill9()
	before := completedTurns(t, data)
	records := len(glob(t, filepath.Join(data, "runs", "demo", "*", "*", "record.json")))
	if records >= 24 {
		t.Fatalf("sweep finished before the kill; nothing was interrupted")
	}
	t.Logf("killed with %d completed turns and %d finished instances", len(before), records)

	out, code := run(t, 8*time.Minute, slow, "starter", args...)
	if code != 0 || !strings.Contains(out, "Sweep demo: completed") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	checkDemoResults(t, data)
	checkNoRepeats(t, data, before, 1)

	// Running it again attaches to the finished sweep and runs nothing.
	out, code = run(t, 2*time.Minute, nil, "starter", args...)
	if code != 0 || !strings.Contains(out, "already completed") {
		t.Fatalf("third run: exit %d\n%s", code, out)
	}

	out, code = run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "demo", "--json")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	var st struct {
		Workflow string `json:"workflow_status"`
		Trials   []struct {
			State     string `json:"state"`
			Instances []struct {
				ExitStatus string  `json:"exit_status"`
				Submitted  bool    `json:"submitted"`
				Turns      int     `json:"turns"`
				Cost       float64 `json:"cost"`
			} `json:"instances"`
		} `json:"trials"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &st); err != nil {
		t.Fatalf("status JSON: %v\n%s", err, out)
	}
	if st.Workflow != "Completed" || len(st.Trials) != 4 {
		t.Fatalf("status: %+v", st)
	}
	for _, tr := range st.Trials {
		if tr.State != "completed" || len(tr.Instances) != 6 {
			t.Errorf("trial %+v", tr)
		}
		for _, in := range tr.Instances {
			if !in.Submitted || in.Turns < 5 || in.Cost <= 0 {
				t.Errorf("instance %+v", in)
			}
		}
	}
}

// TestWorkerKilledMidInstance: `starter server` plus a separate worker;
// kill -9 the worker mid-instance and start another: the sweep finishes
// on the new worker, which rebuilds the lost sandboxes. The sweep logs to
// a fake W&B server: every run ends with one live row per instance, no
// row written twice with other content, no gap.
func TestWorkerKilledMidInstance(t *testing.T) {
	data := t.TempDir()
	wb := fakewandb.New(fakewandb.Options{})
	wbURL, err := wb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	wenv := append([]string{"WANDB_API_KEY=" + fakewandb.DefaultAPIKey, "WANDB_BASE_URL=" + wbURL}, slow...)
	startServer(t, nil, data)
	w1 := start(t, wenv, "worker", "--data-dir", data)
	out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "sweep", demoFile, "--detach", "--heartbeat-timeout", "4s", "--wandb")
	if code != 0 {
		t.Fatalf("sweep --detach: exit %d\n%s", code, out)
	}
	waitFor(t, 3*time.Minute, "some turns to complete", func() bool { return obsCount(t, data) >= 25 })
	w1.kill9()
	before := completedTurns(t, data)
	start(t, wenv, "worker", "--data-dir", data)
	waitFor(t, 8*time.Minute, "the sweep to complete", func() bool {
		out, _ := run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "demo", "--json")
		return strings.Contains(out, `"workflow_status": "Completed"`)
	})
	if rec := checkDemoResults(t, data); rec == 0 {
		t.Error("no instance recorded a recovery, so the kill hit no running instance")
	}
	checkNoRepeats(t, data, before, 2)
	checkWandbRuns(t, wb, 4, 6)
}

// checkWandbRuns: trials runs on the server, each complete with exit code
// 0, consecutive history offsets, and live rows for n_instances 1..perRun
// exactly once.
func checkWandbRuns(t *testing.T, wb *fakewandb.Server, trials, perRun int) {
	t.Helper()
	if v := wb.Violations(); len(v) > 0 {
		t.Errorf("W&B protocol violations (a row re-sent with other content, a gap...): %v", v)
	}
	runs := wb.Runs()
	if len(runs) != trials {
		t.Fatalf("%d W&B runs, want %d", len(runs), trials)
	}
	for _, r := range runs {
		var n []float64
		for i, row := range wb.History(r.Name) {
			if row == nil || row["_step"] != float64(i) {
				t.Errorf("run %s: history row %d: %v", r.DisplayName, i, row)
				continue
			}
			if v, ok := row["n_instances"].(float64); ok && row["turn_distribution"] == nil {
				n = append(n, v)
			}
		}
		if len(n) != perRun {
			t.Errorf("run %s: live rows for n_instances %v, want 1..%d once each", r.DisplayName, n, perRun)
		}
		for i, v := range n {
			if v != float64(i+1) {
				t.Errorf("run %s: live rows %v", r.DisplayName, n)
				break
			}
		}
		if r.ExitCode == nil || *r.ExitCode != 0 || !r.Complete {
			t.Errorf("run %s: exit %v complete %v", r.DisplayName, r.ExitCode, r.Complete)
		}
		t.Logf("W&B run %s: %d history rows, %d re-sent duplicates", r.DisplayName, len(wb.History(r.Name)), r.Duplicates)
	}
}

// TestMalformedSweepFailsBeforeStart: bad sweep files are rejected with the
// file, line and key named, before any server starts.
func TestMalformedSweepFailsBeforeStart(t *testing.T) {
	cases := map[string]struct{ body, want string }{
		"bad_yaml.yaml":     {"method: grid\nparameters:\n  model: {value: replay\n", "bad_yaml.yaml:"},
		"unknown_key.yaml":  {"method: grid\nmetod: x\nparameters:\n  model: {value: replay}\n", "unknown_key.yaml:2"},
		"wrong_type.yaml":   {"method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n  hp-obs-n: {value: abc}\n", "wrong_type.yaml:5"},
		"empty_values.yaml": {"method: grid\nparameters:\n  model: {value: replay}\n  strategy: {values: []}\n", "empty_values.yaml:4"},
		"unknown_model.yaml": {"method: grid\nparameters:\n  model: {value: no-such-model}\n  strategy: {value: raw}\n  instances-subset: {value: demo}\n",
			"no-such-model"},
	}
	keys := map[string]string{"unknown_key.yaml": "metod", "wrong_type.yaml": "hp-obs-n", "empty_values.yaml": "strategy"}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, name)
			if err := os.WriteFile(file, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			data := filepath.Join(dir, "data")
			out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "sweep", file)
			if code == 0 {
				t.Fatalf("accepted:\n%s", out)
			}
			if !strings.Contains(out, c.want) || (keys[name] != "" && !strings.Contains(out, keys[name])) {
				t.Errorf("error does not name file/line/key (%q, %q):\n%s", c.want, keys[name], out)
			}
			if _, err := os.Stat(filepath.Join(data, "temporal.db")); err == nil {
				t.Error("a server was started for a malformed sweep")
			}
		})
	}
}
