package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// proc is a child process (starter server or worker) with its output in a
// log file.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// children are every process spawned, for cleanup on failure.
var children []*proc

// extraEnv is added to every child's environment (the fake W&B server's
// address and key).
var extraEnv []string

func spawn(logPath, bin string, args ...string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(append(os.Environ(), "TEMPORAL_ADDRESS=", "CTXSWEEP_MODELS_FILE="), extraEnv...)
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{}), log: f}
	children = append(children, p)
	go func() { _ = cmd.Wait(); f.Close(); close(p.done) }()
	return p, nil
}

// kill9 sends SIGKILL to this process (by its pid) and waits for it.
func (p *proc) kill9() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks the process to exit (SIGINT), then kills it after 20 s.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(20 * time.Second):
		p.kill9()
	}
}

func (p *proc) alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// freePort asks the kernel for a free 127.0.0.1 port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitDial polls addr until it accepts a connection or the deadline passes.
func waitDial(addr string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not reachable after %s: %v", addr, within, err)
		}
		time.Sleep(100 * time.Millisecond) // polling with a deadline
	}
}

// build compiles the starter and worker binaries into dir.
func build(dir string) error {
	root, _ := os.Getwd()
	for d := root; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			root = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	cmd := exec.Command("go", "build", "-o", dir+"/", "./cmd/starter", "./cmd/worker")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	return nil
}
