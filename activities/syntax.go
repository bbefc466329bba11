package activities

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"time"
)

// syntaxTimeout bounds one `bash -n` check.
const syntaxTimeout = 10 * time.Second

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
