package sandbox

import (
	"context"
	"fmt"
	"io"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
)

// execWrapper is the script every Docker Exec runs as `bash -c execWrapper
// ctxsweep-exec PGIDFILE COMMAND BASH_ENV`, itself with BASH_ENV empty so
// that a startup file named there (SWE-bench agents use /root/.bashrc to
// activate conda) is read once, by the command's bash. It starts COMMAND with `bash -c` in a new
// session (so in a process group of its own, whose id is the pid of that
// bash), writes the group id to PGIDFILE for killGroup, waits for the
// command, then kills what is left of the group, so background jobs neither
// survive the Exec nor keep its output stream open. Both streams share one
// pipe, which keeps their order. The exit status is the command's, 128+signal
// when it was killed. Without setsid (util-linux), bash's job control gives
// the command its own process group instead.
const execWrapper = `exec 2>&1
f=$1
if [ -n "$3" ]; then export BASH_ENV="$3"; else unset BASH_ENV; fi
if command -v setsid >/dev/null 2>&1; then
  setsid bash -c "$2" bash &
else
  set -m
  bash -c "$2" bash &
fi
p=$!
{ echo "$p" >"$f"; } 2>/dev/null
{ wait "$p"; } 2>/dev/null
rc=$?
kill -9 -- "-$p" 2>/dev/null
rm -f "$f"
exit $rc
`

// killScript kills the process group recorded in the file $1, waiting up to
// a second for the file to appear (the command may be just starting).
const killScript = `f=$1
i=0
while [ ! -s "$f" ] && [ $i -lt 20 ]; do sleep 0.05; i=$((i+1)); done
p=$(cat "$f" 2>/dev/null)
[ -n "$p" ] && kill -9 -- "-$p" 2>/dev/null
exit 0
`

const (
	// killGrace bounds how long Exec waits for the output stream to end
	// after killing the command's process group; only a process that left
	// the group (its own setsid) can hold the stream open that long.
	killGrace = 3 * time.Second
	// killTimeout bounds the `docker exec` that kills a process group.
	killTimeout = 15 * time.Second
)

// Exec runs command with `bash -c` in Workdir inside the container. See
// Sandbox. Output is stdout and stderr merged in order, capped at MaxOutput.
func (d *Docker) Exec(ctx context.Context, command string, timeout time.Duration) (ExecResult, error) {
	if timeout <= 0 {
		timeout = d.timeout
	}
	if err := ctx.Err(); err != nil {
		return ExecResult{}, err
	}
	if d.isClosed() {
		return ExecResult{}, ErrClosed
	}
	pgidFile := "/tmp/.ctxsweep-exec-" + randomHex(8)
	start := time.Now()
	created, err := d.cli.ContainerExecCreate(ctx, d.id, container.ExecOptions{
		Cmd:          []string{"bash", "-c", execWrapper, "ctxsweep-exec", pgidFile, command, d.bashEnv},
		Env:          []string{"BASH_ENV="},
		AttachStdout: true,
		AttachStderr: true,
		WorkingDir:   d.workdir,
	})
	if err != nil {
		return ExecResult{}, d.execErr(ctx, err)
	}
	att, err := d.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		// The command may have started all the same.
		d.killGroup(ctx, pgidFile)
		return ExecResult{}, d.execErr(ctx, err)
	}
	defer att.Close()

	out := &capBuffer{max: d.maxOutput}
	readDone := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(out, out, att.Reader)
		readDone <- err
	}()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var res ExecResult
	var ctxErr, readErr error
	killed := false
	select {
	case readErr = <-readDone:
	case <-timer.C:
		res.TimedOut = true
		killed = true
	case <-ctx.Done():
		ctxErr = ctx.Err()
		killed = true
	}
	if killed {
		d.killGroup(ctx, pgidFile)
		grace := time.NewTimer(killGrace)
		select {
		case readErr = <-readDone:
		case <-grace.C:
			att.Close()
			<-readDone
			readErr = nil
		}
		grace.Stop()
	}
	res.Duration = time.Since(start)
	res.Output, res.Truncated = out.result()

	code, inspectErr := d.execExitCode(ctx, created.ID)
	stillRunning := inspectErr == nil && code < 0
	if code < 0 || inspectErr != nil {
		code = 128 + 9 // killed, and the engine lost track or is slow to tell
	}
	res.ExitCode = code
	switch {
	case ctxErr != nil:
		return res, ctxErr
	case killed:
		return res, nil
	case d.isClosed():
		// Close removed the container under the command.
		return res, ErrClosed
	case inspectErr != nil:
		return res, fmt.Errorf("sandbox: exec in %s: %w", d.name, inspectErr)
	case stillRunning:
		return res, fmt.Errorf("sandbox: exec in %s: output ended but the engine reports the command running", d.name)
	case readErr != nil:
		return res, fmt.Errorf("sandbox: exec in %s: reading output: %w", d.name, readErr)
	}
	return res, nil
}

// execExitCode returns the exit status of a finished exec, or -1 when the
// engine still reports it running after a short wait (which happens when
// Exec stopped reading before the engine closed the stream).
func (d *Docker) execExitCode(ctx context.Context, execID string) (int, error) {
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), killTimeout)
	defer cancel()
	for i := 0; ; i++ {
		info, err := d.cli.ContainerExecInspect(ictx, execID)
		if err != nil {
			return 0, err
		}
		if !info.Running {
			return info.ExitCode, nil
		}
		if i >= 40 {
			return -1, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// killGroup kills the process group recorded in pgidFile with a second
// exec. It runs even when ctx is already cancelled.
func (d *Docker) killGroup(ctx context.Context, pgidFile string) {
	kctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), killTimeout)
	defer cancel()
	created, err := d.cli.ContainerExecCreate(kctx, d.id, container.ExecOptions{
		Cmd:          []string{"bash", "-c", killScript, "ctxsweep-kill", pgidFile},
		Env:          []string{"BASH_ENV="},
		AttachStdout: true,
		AttachStderr: true,
		WorkingDir:   "/",
	})
	if err != nil {
		return // the container is gone, or the engine is: nothing to kill
	}
	att, err := d.cli.ContainerExecAttach(kctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return
	}
	defer att.Close()
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, att.Reader)
		close(done)
	}()
	select {
	case <-done:
	case <-kctx.Done():
	}
}

func (d *Docker) execErr(ctx context.Context, err error) error {
	if d.isClosed() {
		return ErrClosed
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if cerrdefs.IsNotFound(err) {
		return fmt.Errorf("sandbox: container %s is gone: %w", d.name, err)
	}
	return fmt.Errorf("sandbox: exec in %s: %w", d.name, err)
}
