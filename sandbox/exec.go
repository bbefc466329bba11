package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
	"unicode/utf8"
)

// pipeGrace bounds how long Exec waits for the output pipe to close after the
// process group is gone; only a process that left the group (setsid) can
// hold it open that long.
const pipeGrace = 2 * time.Second

// Exec runs command with `bash -c` in the repository copy. See Sandbox.
func (l *Local) Exec(ctx context.Context, command string, timeout time.Duration) (ExecResult, error) {
	if timeout <= 0 {
		timeout = l.timeout
	}
	if err := ctx.Err(); err != nil {
		return ExecResult{}, err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return ExecResult{}, fmt.Errorf("sandbox: %w", err)
	}
	defer pr.Close()

	cmd := exec.Command("bash", "-c", command)
	cmd.Dir = l.workdir
	cmd.Env = l.env
	cmd.Stdout = pw // one pipe for both streams keeps their order
	cmd.Stderr = pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}

	// Register under the lock so that Close cannot miss the new group.
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		pw.Close()
		return ExecResult{}, ErrClosed
	}
	start := time.Now()
	err = cmd.Start()
	pw.Close()
	if err != nil {
		l.mu.Unlock()
		return ExecResult{}, fmt.Errorf("sandbox: starting bash: %w", err)
	}
	pgid := cmd.Process.Pid
	l.groups[pgid] = struct{}{}
	l.mu.Unlock()

	out := &capBuffer{max: l.maxOutput}
	readDone := make(chan struct{})
	go func() {
		io.Copy(out, pr)
		close(readDone)
	}()
	waitDone := make(chan error, 1)
	go func() { waitDone <- cmd.Wait() }()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var res ExecResult
	var ctxErr error
	select {
	case err = <-waitDone:
	case <-timer.C:
		res.TimedOut = true
		killGroup(pgid)
		err = <-waitDone
	case <-ctx.Done():
		ctxErr = ctx.Err()
		killGroup(pgid)
		err = <-waitDone
	}
	// Background jobs of the command die with it.
	killGroup(pgid)
	l.mu.Lock()
	delete(l.groups, pgid)
	l.mu.Unlock()

	grace := time.NewTimer(pipeGrace)
	select {
	case <-readDone:
	case <-grace.C:
		pr.Close()
		<-readDone
	}
	grace.Stop()

	res.Duration = time.Since(start)
	res.Output, res.Truncated = out.result()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.ExitCode = exitErr.ExitCode()
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			res.ExitCode = 128 + int(ws.Signal())
		}
	default:
		return res, fmt.Errorf("sandbox: waiting for bash: %w", err)
	}
	return res, ctxErr
}

// capBuffer keeps the first max bytes written to it and counts the rest.
type capBuffer struct {
	max   int
	buf   []byte
	total int
}

func (c *capBuffer) Write(p []byte) (int, error) {
	c.total += len(p)
	if room := c.max - len(c.buf); room > 0 {
		if len(p) > room {
			c.buf = append(c.buf, p[:room]...)
		} else {
			c.buf = append(c.buf, p...)
		}
	}
	return len(p), nil
}

// result returns the kept head, cut back to a UTF-8 boundary, plus a note on
// how much was dropped when the output went over the cap.
func (c *capBuffer) result() (string, bool) {
	if c.total <= c.max {
		return string(c.buf), false
	}
	head := c.buf
	// Drop a multi-byte character that the cap split.
	for i := 1; i <= utf8.UTFMax && i <= len(head); i++ {
		if tail := head[len(head)-i:]; utf8.RuneStart(tail[0]) {
			if !utf8.FullRune(tail) {
				head = head[:len(head)-i]
			}
			break
		}
	}
	cut := c.total - len(head)
	note := fmt.Sprintf("\n<output truncated: showing the first %d of %d bytes; %d bytes omitted>\n",
		len(head), c.total, cut)
	return string(head) + note, true
}
