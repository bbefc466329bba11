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

// TestDockerDaemonRestarts (issue 21, defect 4 / Build 5): the Docker
// engine goes away for 12 s twice: while the worker sets up its first
// sandboxes, and mid-run while instances execute actions in their
// containers. Transient Docker errors are retried with backoff instead of
// becoming results: the sweep completes with every instance submitted and
// none ended exit_environment_error.
func TestDockerDaemonRestarts(t *testing.T) {
	cli := dockertest.Client(t)
	ctx := context.Background()
	real := strings.TrimPrefix(os.Getenv("DOCKER_HOST"), "unix://")
	if real == os.Getenv("DOCKER_HOST") {
		t.Skipf("DOCKER_HOST %s is not a unix socket", real)
	}
	file := dockertest.DemoInstances(t, ctx, cli, demo.IDs()[:2], "ctxsweep-flaky-test")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	sweepFile := filepath.Join(dir, "flaky.yaml")
	src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n  instances-subset: {value: verified}\n" +
		"  instances-file: {value: " + file + "}\n  num-workers: {value: 2}\n"
	if err := os.WriteFile(sweepFile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy := newFlakyDocker(t, real)
	start(t, nil, "starter", "--data-dir", data, "server", "--ui-port", "-1")
	waitFor(t, time.Minute, "server.json", func() bool { _, err := os.Stat(filepath.Join(data, "server.json")); return err == nil })
	proxy.down() // the daemon restarts as the sweep starts: sandbox setup meets it
	w := start(t, append([]string{"DOCKER_HOST=unix://" + proxy.path}, slow...), "worker", "--data-dir", data)
	if out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "sweep", sweepFile, "--detach"); code != 0 {
		t.Fatalf("sweep --detach: exit %d\n%s", code, out)
	}
	time.Sleep(12 * time.Second) // the outage itself: nothing to wait for
	proxy.up(t)
	waitFor(t, 3*time.Minute, "both instances to run turns in containers", func() bool {
		return len(glob(t, filepath.Join(data, "runs", "*", "*", "*", "turns", "*.obs.json"))) >= 4
	})
	before := proxy.proxied.Load()
	proxy.down() // and again mid-run, actions executing
	time.Sleep(12 * time.Second)
	proxy.up(t)
	var out string
	for end := time.Now().Add(4 * time.Minute); !strings.Contains(out, `"workflow_status": "Completed"`); time.Sleep(time.Second) {
		if time.Now().After(end) {
			t.Fatalf("the sweep did not complete in 4 minutes; status:\n%s\nworker:\n%s", out, w.out)
		}
		out, _ = run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "flaky", "--json")
	}
	if proxy.proxied.Load() == before {
		t.Fatal("no Docker call after the second outage: the test proves nothing")
	}
	var st statusRecords
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &st); err != nil {
		t.Fatalf("status JSON: %v\n%s", err, out)
	}
	recs := glob(t, filepath.Join(data, "runs", "flaky", "*", "*", "record.json"))
	if len(recs) != 2 {
		t.Fatalf("instance records: %v, want 2", recs)
	}
	for _, f := range recs {
		var r struct {
			ID         string `json:"instance_id"`
			ExitStatus string `json:"exit_status"`
			Submitted  bool   `json:"submitted"`
			Error      string `json:"error"`
			Retryable  bool   `json:"retryable"`
		}
		b, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(b, &r) != nil {
			t.Fatalf("%s: %v", f, err)
		}
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
