// Package sandbox runs an agent's shell commands against a private copy of a
// repository. The Sandbox interface is what the agent loop and the evaluator
// program against; Local is the implementation that uses a temporary
// directory on the host.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DefaultMaxOutput is the Exec output cap, in bytes, when none is configured
// (the seed's max_observation_length is 100000 characters).
const DefaultMaxOutput = 100000

// DefaultTimeout is the per-command timeout used when Exec is called with a
// timeout <= 0 and the sandbox has no other default (the seed's
// execution_timeout).
const DefaultTimeout = 30 * time.Second

// DiffTimeout bounds the git commands that Diff runs.
const DiffTimeout = 2 * time.Minute

// ErrClosed is returned by operations on a sandbox after Close.
var ErrClosed = errors.New("sandbox: closed")

// ExecResult is the outcome of one command.
type ExecResult struct {
	// Output is stdout and stderr, merged in the order they were written.
	// When Truncated is set it holds the head of the output followed by a
	// note that says how many bytes were cut.
	Output string
	// ExitCode is the shell's exit status. A command killed by a signal
	// (for example on timeout) reports 128+signal, like bash does.
	ExitCode  int
	TimedOut  bool
	Truncated bool
	Duration  time.Duration
}

// Sandbox is an isolated workspace holding one repository checkout.
type Sandbox interface {
	// ID names the sandbox (unique among live sandboxes).
	ID() string
	// Workdir is the repository path inside the sandbox; commands start there.
	Workdir() string
	// Exec runs command with `bash -c` in Workdir. A non-zero exit status is
	// not an error and neither is a timeout (TimedOut is set instead). The
	// error is non-nil only when the command could not be run or ctx ended.
	Exec(ctx context.Context, command string, timeout time.Duration) (ExecResult, error)
	// ReadFile reads a file given relative to Workdir or as an absolute path
	// inside it.
	ReadFile(ctx context.Context, path string) ([]byte, error)
	// WriteFile creates or replaces a file (and its parent directories).
	WriteFile(ctx context.Context, path string, data []byte) error
	// Close stops running commands and removes the sandbox. It is idempotent.
	Close(ctx context.Context) error
}

// patchFile is where Diff leaves the patch; it lives inside .git so that it
// never shows up in the diff itself.
const patchFile = ".git/ctxsweep-model.patch"

// Diff stages every change in the sandbox's repository (`git add -A`) and
// returns `git diff --cached` against the base commit, so new files are
// included, like the seed's submit tool does. The patch goes through a file,
// not through Exec's output, so the output cap cannot truncate it.
func Diff(ctx context.Context, sb Sandbox) (string, error) {
	cmd := "cd " + ShellQuote(sb.Workdir()) +
		" && git add -A && git diff --cached > " + patchFile
	res, err := sb.Exec(ctx, cmd, DiffTimeout)
	if err != nil {
		return "", fmt.Errorf("sandbox: diff: %w", err)
	}
	if res.TimedOut {
		return "", fmt.Errorf("sandbox: diff timed out after %s", DiffTimeout)
	}
	if res.ExitCode != 0 {
		return "", fmt.Errorf("sandbox: diff failed (exit %d): %s",
			res.ExitCode, strings.TrimSpace(res.Output))
	}
	data, err := sb.ReadFile(ctx, patchFile)
	if err != nil {
		return "", fmt.Errorf("sandbox: diff: %w", err)
	}
	return string(data), nil
}

// ShellQuote quotes s as a single bash word.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
