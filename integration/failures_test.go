package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMissingKeyStopsTheRun (issue 21, defect 1): `starter run` with a
// missing key exits non-zero within seconds, naming the variable, instead
// of "completed, submitted 0" with the reason only in results.json: by the
// pre-flight, and, with --skip-preflight, by the circuit breaker once the
// first instances all fail with that configuration error.
func TestMissingKeyStopsTheRun(t *testing.T) {
	for _, skip := range []bool{false, true} {
		data := filepath.Join(t.TempDir(), "data")
		args := []string{"--data-dir", data, "run", "--model", "gpt-4o-mini", "--strategy", "raw", "--instances-subset", "demo"}
		if skip {
			args = append(args, "--skip-preflight")
		}
		began := time.Now()
		out, code := run(t, 2*time.Minute, []string{"OPENAI_API_KEY=", "CTXSWEEP_ENV_FILE="}, "starter", args...)
		t.Logf("skip-preflight %v: exit %d after %s", skip, code, time.Since(began).Round(100*time.Millisecond))
		if code == 0 {
			t.Fatalf("a run whose every instance lacks its key exited 0:\n%s", out)
		}
		if !strings.Contains(out, "OPENAI_API_KEY") {
			t.Fatalf("the output does not name the missing variable:\n%s", out)
		}
		if skip && (!strings.Contains(out, "Stopped the sweep") || !strings.Contains(out, "What to do")) {
			t.Fatalf("the circuit breaker did not stop the sweep with what to do:\n%s", out)
		}
	}
}

// syncBuffer is a bytes.Buffer a test can read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBrokenEndpointShownWhileItLasts (issue 21, defect 1): a model
// endpoint that always answers 500 shows on the console (failed attempts,
// last error, next attempt) within a minute, and in `starter status`.
func TestBrokenEndpointShownWhileItLasts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet { // the key check of the pre-flight passes
			_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"broken","object":"model"}]}`))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"message":"the fake endpoint is down","type":"server_error"}}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	models := filepath.Join(dir, "models.yaml")
	preset := "models:\n  broken:\n    provider: openai\n    model_id: broken\n    api_base: \"" + srv.URL + "/v1\"\n" +
		"    api_key_env: BROKEN_KEY\n    context_window: 128000\n    price: {input: 1, cached_input: 0.5, output: 2, source: test}\n"
	if err := os.WriteFile(models, []byte(preset), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(filepath.Join(binDir, "starter"), "--data-dir", data, "--models-file", models,
		"run", "--model", "broken", "--strategy", "raw", "--instances-subset", "demo", "--instances-slice", "0:1")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "BROKEN_KEY=not-a-secret")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() }()
	began := time.Now()
	waitFor(t, time.Minute, "the endpoint failure on the console:\n"+out.String(), func() bool {
		s := out.String()
		return strings.Contains(s, "HTTP 500") && strings.Contains(s, "the fake endpoint is down") && strings.Contains(s, "failed attempts")
	})
	t.Logf("shown after %s", time.Since(began).Round(100*time.Millisecond))
	st, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "run-broken__raw__demo01")
	if code != 0 || !strings.Contains(st, "endpoint failing") || !strings.Contains(st, "HTTP 500") || !strings.Contains(st, "failed attempts so far") {
		t.Fatalf("starter status does not show the failing endpoint (exit %d):\n%s", code, st)
	}
}

// TestBadInputRefused (issue 21, defects 7, 10, 11): bad names, flags and
// files are refused with a line saying what is wrong, before anything
// starts, and the error is printed once.
func TestBadInputRefused(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	latin1 := filepath.Join(dir, "latin1.yaml")
	if err := os.WriteFile(latin1, []byte("method: grid\nparameters:\n  model: {value: \"caf\xe9\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	demo := "../sweeps/demo.yaml"
	runArgs := []string{"run", "--model", "replay", "--strategy", "raw", "--instances-subset", "demo"}
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"sweep", "--name", "../../escape_test", demo}, []string{"../../escape_test", "'..'"}},
		{[]string{"sweep", "--parallel-trials", "0", demo}, []string{"--parallel-trials", "at least 1"}},
		{[]string{"sweep", "--parallel-trials", "-1", demo}, []string{"--parallel-trials"}},
		{[]string{"sweep", "--heartbeat-timeout", "0s", demo}, []string{"--heartbeat-timeout", "at least 1s"}},
		{[]string{"sweep", "--stop-after-config-errors", "-1", demo}, []string{"--stop-after-config-errors", "0 (never stop) or more"}},
		{[]string{"sweep", latin1}, []string{"latin1.yaml:3:", "UTF-8"}},
		{append(runArgs, "--instances-shuffle", "maybe"), []string{"instances-shuffle", `"maybe"`, "boolean"}},
		{append(runArgs, "--instances-slice", "5:2"), []string{"5:2", "0 instances"}},
		{[]string{"run", "--model", "replay"}, []string{"--strategy", "raw", "observation_masking"}},
	}
	for _, c := range cases {
		out, code := run(t, time.Minute, nil, "starter", append([]string{"--data-dir", data}, c.args...)...)
		if code == 0 {
			t.Errorf("starter %s: accepted:\n%s", strings.Join(c.args, " "), out)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("starter %s: the error does not say %q:\n%s", strings.Join(c.args, " "), w, out)
			}
		}
		if n := strings.Count(strings.ToLower(out), "error:"); n != 1 {
			t.Errorf("starter %s: the error is printed %d times:\n%s", strings.Join(c.args, " "), n, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "escape_test")); err == nil {
		t.Error("--name ../../escape_test wrote outside the data directory")
	}
	if _, err := os.Stat(filepath.Join(data, "temporal.db")); err == nil {
		t.Error("a server was started for bad input")
	}
	// status on a data directory that does not exist: no table, no
	// directory created; --json is JSON even without a sweep name.
	missing := filepath.Join(dir, "no-such-data")
	out, code := run(t, time.Minute, nil, "starter", "--data-dir", missing, "status", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("status --json on a missing data directory: exit %d, %q; want []", code, out)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("status created the missing data directory")
	}
	// worker with a server.json whose server was killed: a clear hint.
	stale := filepath.Join(dir, "stale")
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(stale, "server.json"), []byte(`{"address":"127.0.0.1:1","namespace":"default","pid":999999999}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code = run(t, time.Minute, nil, "worker", "--data-dir", stale)
	if code == 0 || !strings.Contains(out, "no longer running") || !strings.Contains(out, "starter server --data-dir") {
		t.Errorf("worker with a stale server.json: exit %d:\n%s", code, out)
	}
	if n := strings.Count(strings.ToLower(out), "error:"); n != 1 {
		t.Errorf("worker prints its error %d times:\n%s", n, out)
	}
}

// TestServerHandOver (issue 21, defect 3): two `starter sweep` started at
// the same instant on one data directory both work (one runs the embedded
// server, the other attaches); when the one running the server is killed,
// the other takes the server over on the same database and the sweep
// finishes instead of "sweep failed: context deadline exceeded".
func TestServerHandOver(t *testing.T) {
	data := t.TempDir()
	// One trial of the demo tasks: long enough to kill mid-sweep, short
	// enough to finish soon after.
	file := filepath.Join(t.TempDir(), "demo.yaml")
	body := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n  instances-subset: {value: demo}\n" +
		"  instances-shuffle: {value: false}\n  num-workers: {value: 3}\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"--data-dir", data, "sweep", file, "--heartbeat-timeout", "4s"}
	a := start(t, slow, "starter", args...)
	b := start(t, slow, "starter", args...)
	waitFor(t, 3*time.Minute, "some turns to complete", func() bool { return obsCount(t, data) >= 6 })
	info, err := os.ReadFile(filepath.Join(data, "server.json"))
	if err != nil {
		t.Fatal(err)
	}
	owner, other := a, b
	if strings.Contains(string(info), fmt.Sprintf(`"pid":%d`, b.cmd.Process.Pid)) {
		owner, other = b, a
	}
	owner.kill9()
	done := make(chan error, 1)
	go func() { done <- other.cmd.Wait() }()
	select {
	case err := <-done:
		out := other.out.String()
		if err != nil || !strings.Contains(out, "Sweep demo: completed") {
			t.Fatalf("the attached starter did not finish the sweep (%v):\n%s", err, out)
		}
		if !strings.Contains(out, "now serves") {
			t.Errorf("the attached starter did not say it took the server over:\n%s", out)
		}
	case <-time.After(8 * time.Minute):
		t.Fatalf("the attached starter did not finish after its server was killed:\n%s", other.out.String())
	}
	res := glob(t, filepath.Join(data, "runs", "demo", "*", "results.json"))
	if len(res) != 1 {
		t.Fatalf("want one trial's results.json, got %v", res)
	}
	var recs []struct {
		InstanceID string `json:"instance_id"`
		Submitted  bool   `json:"submitted"`
	}
	raw, err := os.ReadFile(res[0])
	if err != nil || json.Unmarshal(raw, &recs) != nil || len(recs) != 6 {
		t.Fatalf("results.json: %v, %d records", err, len(recs))
	}
	for _, r := range recs {
		if !r.Submitted {
			t.Errorf("%s not submitted", r.InstanceID)
		}
	}
}

// TestFileCommandsOnBadInput (issue 21, defects 5, 8, 9): report prefers
// the sweep to a same-named folder and says so, refuses negative costs and
// names dropped duplicates; parse-trajectory skips a bad file with its
// reason instead of aborting; gc without Docker still cleans local sandbox
// folders and says Docker was not reachable.
func TestFileCommandsOnBadInput(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	write := func(p, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	trial := filepath.Join(data, "runs", "demo", "replay__raw__demo__1")
	write(filepath.Join(trial, "trial.json"), `{"sweep":"demo","run_name":"replay__raw__demo","config":{"model":"replay","strategy":"raw"}}`)
	rec := func(id string, cost float64) string {
		return fmt.Sprintf(`{"instance_id":%q,"exit_status":"submitted","submitted":true,"resolved":true,"turns":3,"cost":%v}`, id, cost)
	}
	write(filepath.Join(trial, "results.json"), "["+rec("a", 0.1)+","+rec("b", 0.2)+","+rec("a", 0.3)+"]")
	write(filepath.Join(dir, "demo", "README"), "a source folder named like the sweep")
	starter := func(args ...string) (string, int) {
		cmd := exec.Command(filepath.Join(binDir, "starter"), append([]string{"--data-dir", data}, args...)...)
		cmd.Dir = dir // where ./demo is a folder
		cmd.Env = append(os.Environ(), "DOCKER_HOST=unix://"+filepath.Join(dir, "no-docker.sock"))
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	out, code := starter("report", "demo")
	if code != 0 || !strings.Contains(out, "replay") || !strings.Contains(out, "not the folder ./demo") ||
		!strings.Contains(out, "repeats instance a") {
		t.Errorf("report demo: exit %d; want the sweep reported, the folder named, the duplicate named:\n%s", code, out)
	}
	write(filepath.Join(trial, "results.json"), "["+rec("a", -0.83)+"]")
	out, code = starter("report", "demo")
	if code == 0 || !strings.Contains(out, "not a possible cost") || !strings.Contains(out, "results.json") {
		t.Errorf("report with a negative cost: exit %d:\n%s", code, out)
	}

	trajs := filepath.Join(dir, "trajs")
	write(filepath.Join(trajs, "good.traj"), `{"trajectory":[{},{}],"info":{"exit_status":"submitted"}}`)
	write(filepath.Join(trajs, "bad.traj"), `{"trajectory": 5}`)
	out, code = starter("parse-trajectory", trajs)
	if code != 0 || !strings.Contains(out, "skipped") || !strings.Contains(out, "bad.traj") || strings.Contains(out, "Go struct") ||
		!strings.Contains(out, "Instances:       1") {
		t.Errorf("parse-trajectory with one bad file: exit %d:\n%s", code, out)
	}

	dead := filepath.Join(data, "sandboxes", "999999999", "leftover")
	write(filepath.Join(dead, "file"), "x")
	// A folder of the old pid naming, with no liveness record: dead once
	// it is older than workerid.NoRecordExpiry.
	old := time.Now().Add(-25 * time.Hour)
	if err := os.Chtimes(filepath.Dir(dead), old, old); err != nil {
		t.Fatal(err)
	}
	out, code = starter("gc")
	if code != 0 || !strings.Contains(out, "Docker was not reachable") || !strings.Contains(out, "1 local sandbox folder") {
		t.Errorf("gc without Docker: exit %d:\n%s", code, out)
	}
	if _, err := os.Stat(dead); err == nil {
		t.Error("gc left the dead worker's sandbox folder")
	}
}

// TestMissingNamespaceHint (issue 21, defect 3): a worker pointed at a
// cluster without its namespace says so and how to create it.
func TestMissingNamespaceHint(t *testing.T) {
	data := t.TempDir()
	start(t, nil, "starter", "--data-dir", data, "server")
	var info struct {
		Address string `json:"address"`
	}
	waitFor(t, 2*time.Minute, "server.json", func() bool {
		raw, err := os.ReadFile(filepath.Join(data, "server.json"))
		return err == nil && json.Unmarshal(raw, &info) == nil && info.Address != ""
	})
	out, code := run(t, time.Minute, nil, "worker", "--data-dir", data, "--temporal-address", info.Address, "--namespace", "no-such-ns")
	if code == 0 || !strings.Contains(out, `namespace "no-such-ns" does not exist`) || !strings.Contains(out, "namespace create") {
		t.Fatalf("worker on a missing namespace: exit %d:\n%s", code, out)
	}
}
