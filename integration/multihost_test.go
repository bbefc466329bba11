package integration

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startInNamespace runs a worker in new PID and mount namespaces (what a
// second host, or a container, looks like to the shared data directory).
// pre runs first, so that the worker gets another PID than its twin's.
func startInNamespace(t *testing.T, env []string, pre string, args ...string) *proc {
	t.Helper()
	script := pre + filepath.Join(binDir, "worker") + " " + strings.Join(args, " ") + " & wait"
	return startCmd(t, env, exec.Command("unshare", "--pid", "--fork", "--mount", "sh", "-c", script))
}

// TestWorkersInSeparatePIDNamespaces: two workers, each in its own PID and
// mount namespace, share one data directory and one `starter server`. The
// second starts while the first runs instances; it must not take the
// first's sandboxes for a dead worker's (their PIDs mean nothing to each
// other), and the sweep ends with every instance submitted, none with
// exit_environment_error, both workers having run instances.
func TestWorkersInSeparatePIDNamespaces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for unshare --pid --mount")
	}
	if out, err := exec.Command("unshare", "--pid", "--fork", "--mount", "true").CombinedOutput(); err != nil {
		t.Skipf("unshare does not work here: %v %s", err, out)
	}
	data := t.TempDir()
	startServer(t, nil, data)
	wargs := []string{"--data-dir", data, "--max-instances", "2"}
	w1 := startInNamespace(t, slow, "", wargs...)
	if out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "sweep", demoFile, "--detach"); code != 0 {
		t.Fatalf("sweep --detach: exit %d\n%s", code, out)
	}
	waitFor(t, 3*time.Minute, "the first worker to run instances", func() bool { return obsCount(t, data) >= 4 })
	// In its namespace the first worker is PID 2, the second PID 4.
	w2 := startInNamespace(t, slow, "/bin/true; /bin/true; ", wargs...)
	waitFor(t, time.Minute, "the second worker to start", func() bool { return strings.Contains(w2.out.String(), "polling") })
	if dirs := glob(t, filepath.Join(data, "sandboxes", "*")); len(dirs) != 2 {
		t.Errorf("sandbox directories after the second worker started: %v, want one per worker", dirs)
	}
	var out string
	for end := time.Now().Add(12 * time.Minute); !strings.Contains(out, `"workflow_status": "Completed"`); time.Sleep(time.Second) {
		if time.Now().After(end) {
			for _, f := range glob(t, filepath.Join(data, "logs", "*.log")) {
				b, _ := os.ReadFile(f)
				t.Logf("%s (last 3000 bytes):\n%s", f, b[max(0, len(b)-3000):])
			}
			t.Fatalf("the sweep did not complete in 12 minutes; status:\n%s\nworker 1:\n%s\nworker 2:\n%s", out, w1.out, w2.out)
		}
		out, _ = run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "demo", "--json")
	}
	var st struct {
		Trials []struct {
			Instances []struct {
				ID         string `json:"instance_id"`
				ExitStatus string `json:"exit_status"`
				Submitted  bool   `json:"submitted"`
			} `json:"instances"`
		} `json:"trials"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &st); err != nil {
		t.Fatalf("status JSON: %v\n%s", err, out)
	}
	n := 0
	for _, tr := range st.Trials {
		for _, in := range tr.Instances {
			n++
			if in.ExitStatus != "submitted" || !in.Submitted {
				t.Errorf("instance %s ended %s", in.ID, in.ExitStatus)
			}
		}
	}
	if n != 24 {
		t.Errorf("%d instance records, want 24", n)
	}
	workers := map[int]bool{}
	for _, f := range glob(t, filepath.Join(data, "runs", "demo", "*", "*", "events.jsonl")) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var e struct {
				Worker int `json:"worker_pid"`
			}
			if json.Unmarshal([]byte(line), &e) == nil && e.Worker > 0 {
				workers[e.Worker] = true
			}
		}
	}
	if !workers[2] || !workers[4] {
		t.Errorf("worker PIDs in the instances' events: %v, want both workers (2 and 4)", workers)
	}
	t.Logf("%d instances submitted by workers %v\nworker 1:\n%s\nworker 2:\n%s", n, workers, w1.out, w2.out)
}
