package integration

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/wandb"
)

// treeHash sums the names and contents of every file under dir.
func treeHash(t *testing.T, dir string) string {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		fmt.Fprintf(h, "%s\x00%x\x00", p, sha256.Sum256(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestWandbSyncWithoutNetwork (issue 21, defect 8): `starter wandb sync`
// with a key but no W&B to reach (a closed port; a server that accepts
// connections and never answers) says within seconds that W&B is
// unreachable, naming the URL, exits non-zero and leaves the offline runs
// as they were for a later sync.
func TestWandbSyncWithoutNetwork(t *testing.T) {
	data := t.TempDir()
	logDir := filepath.Join(data, "runs", "demo", "replay__raw__demo__k1", "wandb", "run")
	l, err := wandb.NewOfflineLog(logDir, wandb.RunSpec{ID: "k1run", Name: "replay__raw__demo", Project: "complexity-trap"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.History(0, []map[string]any{{"instance/turns": 3}, {"instance/turns": 5}}); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(0); err != nil {
		t.Fatal(err)
	}
	before := treeHash(t, data)

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String()
	closed.Close()
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() { // accept and hold every connection, answering nothing
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	for _, url := range []string{closedURL, "http://" + silent.Addr().String()} {
		began := time.Now()
		out, code := run(t, 2*time.Minute, []string{"WANDB_API_KEY=" + strings.Repeat("k", 40), "WANDB_BASE_URL=" + url, "WANDB_MODE="},
			"starter", "--data-dir", data, "wandb", "sync")
		took := time.Since(began)
		t.Logf("%s: exit %d after %s: %s", url, code, took.Round(100*time.Millisecond), strings.TrimSpace(out))
		if code == 0 || !strings.Contains(out, "cannot reach W&B at "+url) || !strings.Contains(out, "stay as they are") {
			t.Errorf("sync to %s: exit %d, want non-zero naming the URL:\n%s", url, code, out)
		}
		if took > 30*time.Second {
			t.Errorf("sync to %s took %s to give up", url, took)
		}
		if after := treeHash(t, data); after != before {
			t.Errorf("sync to %s changed the offline runs", url)
		}
	}
}

// TestDryRunHugeInputsFromTheCommandLine (issue 21, defect 6): through
// the binary, `--dry-run` with call-limit 2^31 prints its estimate at once,
// and a grid of 3.4 million points is refused with a clear error instead
// of printing nothing for minutes.
func TestDryRunHugeInputsFromTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge_calls.yaml")
	if err := os.WriteFile(huge, []byte("method: grid\nparameters:\n  model: {value: gpt-4o}\n  strategy: {value: raw}\n"+
		"  instances-subset: {value: verified}\n  call-limit: {value: 2147483648}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var vals []string
	for i := 1; i <= 150; i++ {
		vals = append(vals, strconv.Itoa(i))
	}
	list := "[" + strings.Join(vals, ",") + "]"
	grid := filepath.Join(dir, "big_grid.yaml")
	if err := os.WriteFile(grid, []byte("method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n"+
		"  instances-subset: {value: demo}\n  call-limit: {values: "+list+"}\n  hp-obs-n: {values: "+list+"}\n  hp-sum-n: {values: "+list+"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	for _, c := range []struct {
		file string
		code int
		want []string
	}{
		{huge, 0, []string{"Estimated cost"}},
		{grid, 1, []string{"more than 100000 points", "hp-sum-n 150"}},
	} {
		began := time.Now()
		out, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "sweep", "--dry-run", c.file)
		took := time.Since(began)
		t.Logf("%s: exit %d after %s", filepath.Base(c.file), code, took.Round(10*time.Millisecond))
		if code != c.code {
			t.Errorf("%s: exit %d, want %d:\n%s", c.file, code, c.code, out)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: the output does not say %q:\n%s", c.file, w, out)
			}
		}
		if took > 20*time.Second {
			t.Errorf("%s: took %s", c.file, took)
		}
	}
}

// TestSignalStopsARunningSweep (issue 21, defect 6): SIGTERM or SIGINT sent
// to a running `starter sweep` (the process itself, as a service manager
// or a terminal would) makes it exit promptly with code 130 and a message
// saying how to continue; nothing finished is lost (resume is covered by
// TestCancelThenResume).
func TestSignalStopsARunningSweep(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		data := t.TempDir()
		p := start(t, slow, "starter", "--data-dir", data, "sweep", demoFile, "--heartbeat-timeout", "4s")
		waitFor(t, 3*time.Minute, "some turns to complete", func() bool { return obsCount(t, data) >= 2 })
		began := time.Now()
		if err := p.cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- p.cmd.Wait() }()
		select {
		case err := <-done:
			took := time.Since(began)
			t.Logf("%s: exited after %s (%v)", sig, took.Round(100*time.Millisecond), err)
			var ee *exec.ExitError
			if !errorsAs(err, &ee) || ee.ExitCode() != 130 {
				t.Errorf("%s: exit %v, want 130:\n%s", sig, err, p.out)
			}
			if !strings.Contains(p.out.String(), "Stopped. Sweep demo is saved") || !strings.Contains(p.out.String(), "starter resume demo") {
				t.Errorf("%s: no message saying how to continue:\n%s", sig, p.out)
			}
		case <-time.After(time.Minute):
			t.Fatalf("%s: still running a minute after the signal:\n%s", sig, p.out)
		}
	}
}

func errorsAs(err error, ee **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*ee = e
	}
	return ok
}
