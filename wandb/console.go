package wandb

import (
	"context"
	"fmt"
	"regexp"
	"time"
)

var stampedLine = regexp.MustCompile(`^(ERROR )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} `)

// ConsoleLine formats one console line as W&B's legacy output.log does:
// "<UTC time> <text>", prefixed "ERROR " for stderr.
func ConsoleLine(t time.Time, text string, stderr bool) string {
	s := t.UTC().Format("2006-01-02T15:04:05.000000") + " " + text
	if stderr {
		s = "ERROR " + s
	}
	return s
}

// WriteConsole writes console lines at offset … offset+len(lines)−1 of
// output.log. Lines not already formatted by ConsoleLine are stamped now.
// Re-sending an offset overwrites that line.
func (c *Client) WriteConsole(ctx context.Context, r *Run, offset int, lines []string) error {
	if offset < 0 {
		return fmt.Errorf("wandb: negative console offset %d", offset)
	}
	if len(lines) == 0 {
		return nil
	}
	now := c.Now()
	out := make([]string, len(lines))
	for i, l := range lines {
		if out[i] = l; !stampedLine.MatchString(l) {
			out[i] = ConsoleLine(now, l, false)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return c.postLines(ctx, r, consoleFile, offset, out, fsRequest{})
}

// Heartbeat sends an empty file_stream request, which keeps a live run from
// being marked crashed (the server does so after minutes of silence).
func (c *Client) Heartbeat(ctx context.Context, r *Run) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return c.post(ctx, r, fsRequest{})
}

// Finish marks the run complete with exitCode (0 = finished, else failed):
// file_stream {"complete": true, "exitcode": N}, after re-sending the config
// if needed. Repeating it sends the same request again, which is harmless.
func (c *Client) Finish(ctx context.Context, r *Run, exitCode int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := c.syncConfig(ctx, r); err != nil {
		return err
	}
	code := exitCode
	if err := c.post(ctx, r, fsRequest{Complete: true, ExitCode: &code}); err != nil {
		return err
	}
	r.finished = true
	return nil
}
