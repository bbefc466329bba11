package activities

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
)

// syntaxTimeout bounds one `bash -n` check.
const syntaxTimeout = 10 * time.Second

// checkAction refuses an action before it runs, as the seed does (§3.3,
// §3.4): a blocklisted action, or a bash command that `bash -n` rejects.
// The refusal is a format error, so the workflow re-queries the model with
// the seed's message and counts it towards exit_format.
//
// The syntax check runs in ModelCall, which is not pinned to the sandbox's
// worker, so it runs the worker's own bash (`bash -n` only parses; it
// needs none of the sandbox's state). A worker without bash skips it: the
// command then runs and bash reports the error in its output.
func (a *Activities) checkAction(ctx context.Context, act agent.Action) *agent.FormatError {
	if agent.Blocked(act.Command) {
		msg, err := a.Agent.Templates.BlockedMessage(act.Command)
		if err != nil {
			msg = agent.BlockedMessage(act.Command)
		}
		return &agent.FormatError{Code: agent.CodeBlocked, Message: msg}
	}
	if act.Call.Name != "bash" {
		return nil
	}
	stdout, stderr, bad := bashSyntax(ctx, act.Command)
	if !bad {
		return nil
	}
	msg, err := a.Agent.Templates.ShellCheckMessage(stdout, stderr)
	if err != nil {
		msg = stderr
	}
	return &agent.FormatError{Code: agent.CodeBashSyntax, Message: msg}
}

// bashSyntax runs `bash -n` on command; bad is true only when bash ran and
// rejected it.
func bashSyntax(ctx context.Context, command string) (stdout, stderr string, bad bool) {
	ctx, cancel := context.WithTimeout(ctx, syntaxTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-n")
	cmd.Stdin = strings.NewReader(command)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C", "LANG=C"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err == nil || !errors.As(err, &exit) || ctx.Err() != nil {
		return "", "", false
	}
	return out.String(), errb.String(), true
}
