package integration

import (
	"strings"
	"testing"
	"time"
)

// TestCancelThenResume: `starter cancel` stops a running sweep (the process
// that runs it reports the cancellation), and `starter resume` finishes it
// without redoing finished instances or completed turns.
func TestCancelThenResume(t *testing.T) {
	data := t.TempDir()
	p := start(t, slow, "starter", "--data-dir", data, "sweep", demoFile, "--heartbeat-timeout", "4s")
	waitFor(t, 3*time.Minute, "some turns to complete", func() bool { return obsCount(t, data) >= 15 })
	out, code := run(t, 2*time.Minute, nil, "starter", "--data-dir", data, "cancel", "demo")
	if code != 0 || !strings.Contains(out, "cancelled") {
		t.Fatalf("cancel: exit %d\n%s", code, out)
	}
	if err := p.cmd.Wait(); err == nil {
		t.Errorf("the sweep process exited 0 after its sweep was cancelled\n%s", p.out)
	}
	if !strings.Contains(p.out.String(), "Sweep cancelled") {
		t.Errorf("the sweep process did not report the cancellation:\n%s", p.out)
	}
	before := completedTurns(t, data)
	out, code = run(t, 8*time.Minute, slow, "starter", "--data-dir", data, "resume", "demo")
	if code != 0 || !strings.Contains(out, "Sweep demo: completed") {
		t.Fatalf("resume: exit %d\n%s", code, out)
	}
	checkDemoResults(t, data)
	// Model calls in flight when the cancellation arrived may be paid twice:
	// at most one per running instance (2 trials x 2 workers).
	checkNoRepeats(t, data, before, 4)
}
