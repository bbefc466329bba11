package integration

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/sandbox/dockertest"
)

// flakyDocker is a unix-socket proxy to the Docker engine that a test can
// take down (the socket refuses connections, open ones are cut) and bring
// back, as a restarting Docker daemon does.
type flakyDocker struct {
	path, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
	proxied      atomic.Int32
}

func newFlakyDocker(t *testing.T, target string) *flakyDocker {
	f := &flakyDocker{path: filepath.Join(t.TempDir(), "docker.sock"), target: target, conns: map[net.Conn]bool{}}
	f.up(t)
	t.Cleanup(f.down)
	return f
}

func (f *flakyDocker) up(t *testing.T) {
	ln, err := net.Listen("unix", f.path)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.ln = ln
	f.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
}

func (f *flakyDocker) serve(c net.Conn) {
	d, err := net.Dial("unix", f.target)
	if err != nil {
		c.Close()
		return
	}
	f.mu.Lock()
	if f.ln == nil { // went down meanwhile
		f.mu.Unlock()
		c.Close()
		d.Close()
		return
	}
	f.conns[c], f.conns[d] = true, true
	f.mu.Unlock()
	f.proxied.Add(1)
	go func() { _, _ = io.Copy(d, c); d.Close() }()
	_, _ = io.Copy(c, d)
	c.Close()
}

// down closes the socket (new connections are refused: the socket file
// is gone) and cuts every open connection.
func (f *flakyDocker) down() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ln != nil {
		f.ln.Close()
		f.ln = nil
	}
	for c := range f.conns {
		c.Close()
	}
	f.conns = map[net.Conn]bool{}
}

// flakySweep starts a `starter server`, a worker whose Docker engine is
// behind a flakyDocker proxy (down when the sweep starts), and a detached
// sweep "flaky" of two demo tasks in containers.
func flakySweep(t *testing.T) (data string, proxy *flakyDocker, w *proc) {
	cli := dockertest.Client(t)
	real := strings.TrimPrefix(os.Getenv("DOCKER_HOST"), "unix://")
	if real == os.Getenv("DOCKER_HOST") {
		t.Skipf("DOCKER_HOST %s is not a unix socket", real)
	}
	file := dockertest.DemoInstances(t, context.Background(), cli, demo.IDs()[:2], "ctxsweep-flaky-test")
	dir := t.TempDir()
	data = filepath.Join(dir, "data")
	sweepFile := filepath.Join(dir, "flaky.yaml")
	src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n  instances-subset: {value: verified}\n" +
		"  instances-file: {value: " + file + "}\n  num-workers: {value: 2}\n"
	if err := os.WriteFile(sweepFile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy = newFlakyDocker(t, real)
	startServer(t, nil, data)
	proxy.down() // the daemon restarts as the sweep starts: sandbox setup meets it
	w = start(t, append([]string{"DOCKER_HOST=unix://" + proxy.path}, slow...), "worker", "--data-dir", data)
	if out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "sweep", sweepFile, "--detach"); code != 0 {
		t.Fatalf("sweep --detach: exit %d\n%s", code, out)
	}
	return data, proxy, w
}

// waitCompleted waits for sweep "flaky" to complete.
func waitCompleted(t *testing.T, data string, w *proc) {
	var out string
	for end := time.Now().Add(4 * time.Minute); !strings.Contains(out, `"workflow_status": "Completed"`); time.Sleep(time.Second) {
		if time.Now().After(end) {
			t.Fatalf("the sweep did not complete in 4 minutes; status:\n%s\nworker:\n%s", out, w.out)
		}
		out, _ = run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "flaky", "--json")
	}
}

type flakyRecord struct {
	ID         string `json:"instance_id"`
	ExitStatus string `json:"exit_status"`
	Submitted  bool   `json:"submitted"`
	Error      string `json:"error"`
	Retryable  bool   `json:"retryable"`
}

func flakyRecords(t *testing.T, data string) []flakyRecord {
	var out []flakyRecord
	for _, f := range glob(t, filepath.Join(data, "runs", "flaky", "*", "*", "record.json")) {
		var r flakyRecord
		b, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(b, &r) != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, r)
	}
	return out
}

// TestDockerDaemonRestarts (issue 21, defect 4 / Build 5): the Docker
// engine goes away for 12 s twice: while the worker sets up its first
// sandboxes, and mid-run while instances execute actions in their
// containers. Transient Docker errors are retried with backoff instead of
// becoming results: the sweep completes with every instance submitted and
// none ended exit_environment_error.
func TestDockerDaemonRestarts(t *testing.T) {
	data, proxy, w := flakySweep(t)
	time.Sleep(12 * time.Second) // the outage itself: nothing to wait for
	proxy.up(t)
	waitFor(t, 3*time.Minute, "both instances to run turns in containers", func() bool {
		return len(glob(t, filepath.Join(data, "runs", "*", "*", "*", "turns", "*.obs.json"))) >= 4
	})
	before := proxy.proxied.Load()
	proxy.down() // and again mid-run, actions executing
	time.Sleep(12 * time.Second)
	proxy.up(t)
	waitCompleted(t, data, w)
	if proxy.proxied.Load() == before {
		t.Fatal("no Docker call after the second outage: the test proves nothing")
	}
	recs := flakyRecords(t, data)
	if len(recs) != 2 {
		t.Fatalf("instance records: %+v, want 2", recs)
	}
	for _, r := range recs {
		t.Logf("%s: %s submitted=%v error=%q", r.ID, r.ExitStatus, r.Submitted, r.Error)
		if !r.Submitted || r.ExitStatus != "submitted" || r.Error != "" {
			t.Errorf("%s ended %s (error %q, retryable %v): a Docker restart became a result", r.ID, r.ExitStatus, r.Error, r.Retryable)
		}
	}
	// The outages were met: Docker errors at the proxy's socket, retried.
	var met []string
	for _, f := range glob(t, filepath.Join(data, "logs", "*.log")) {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, proxy.path) && (strings.Contains(line, "Cannot connect to the Docker daemon") || strings.Contains(line, "no such file") ||
				strings.Contains(line, "connection refused") || strings.Contains(line, "EOF") || strings.Contains(line, "reset by peer")) {
				met = append(met, line)
			}
		}
	}
	t.Logf("%d log lines with Docker errors; first: %.400s", len(met), strings.Join(met[:min(1, len(met))], ""))
	if len(met) == 0 {
		t.Errorf("no Docker error in the logs: the outages were not met")
	}
}

// TestDockerOutageOutlastsRetries (issue 21, Build 5): a Docker engine
// that stays away longer than the sandbox retries (about half a minute)
// ends the instances exit_environment_error marked retryable, not as a
// plain result; once Docker is back, `starter retry` runs them again and
// they are submitted.
func TestDockerOutageOutlastsRetries(t *testing.T) {
	data, proxy, w := flakySweep(t)
	waitCompleted(t, data, w) // Docker stays away throughout
	recs := flakyRecords(t, data)
	if len(recs) != 2 {
		t.Fatalf("instance records: %+v, want 2", recs)
	}
	for _, r := range recs {
		t.Logf("%s: %s retryable=%v error=%.200q", r.ID, r.ExitStatus, r.Retryable, r.Error)
		if r.ExitStatus != "exit_environment_error" || !r.Retryable || !strings.Contains(r.Error, "Docker") {
			t.Errorf("%s ended %s (retryable %v, error %q): want exit_environment_error, retryable, naming Docker", r.ID, r.ExitStatus, r.Retryable, r.Error)
		}
	}
	proxy.up(t)
	out, code := run(t, 4*time.Minute, nil, "starter", "--data-dir", data, "retry", "flaky")
	if code != 0 || !strings.Contains(out, "Retrying 2 instances") || !strings.Contains(out, "Sweep flaky: completed") {
		t.Fatalf("retry: exit %d\n%s", code, out)
	}
	for _, r := range flakyRecords(t, data) {
		if !r.Submitted || r.ExitStatus != "submitted" {
			t.Errorf("after retry, %s ended %s (error %q)", r.ID, r.ExitStatus, r.Error)
		}
	}
}
