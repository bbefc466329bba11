package ui

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// A running instance shows its steps so far from the turn files the runner
// writes, follows new ones, and switches to the .traj when it ends.
func TestRunningInstanceShowsStepsSoFar(t *testing.T) {
	f := newFixture(t, 1)
	key := "m__raw__live__cccc"
	dir := filepath.Join(f.dataDir, "runs", "sw", key)
	writeJSONFile(t, filepath.Join(dir, "trial.json"), workflows.TrialRef{Sweep: "sw", RunName: "m__raw__live"})
	idir := filepath.Join(dir, "inst-r")
	turns := filepath.Join(idir, "turns")
	write(t, filepath.Join(idir, "head.json"), []byte("{}"))
	reply := func(turn, attempt int, v map[string]any) {
		writeJSONFile(t, filepath.Join(turns, fmt.Sprintf("%04d.a%d.json", turn, attempt)), v)
	}
	obs := func(turn, attempt int, out string) {
		writeJSONFile(t, filepath.Join(turns, fmt.Sprintf("%04d.obs.json", turn)), map[string]any{"turn": turn, "attempt": attempt, "output": out})
	}
	s := newServer(t, Config{DataDir: f.dataDir})
	page := q("/instance", "s", "sw", "t", key, "i", "inst-r")
	liveURL := q("/api/live", "s", "sw", "t", key, "i", "inst-r")
	live := func() (running bool, steps int) {
		t.Helper()
		w := get(t, s, liveURL)
		var v struct {
			Running bool `json:"running"`
			Steps   int  `json:"steps"`
		}
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &v) != nil {
			t.Fatalf("/api/live: %d %s", w.Code, w.Body.String())
		}
		return v.Running, v.Steps
	}

	// Started, no reply yet.
	if body := get(t, s, page).Body.String(); !strings.Contains(body, "Running: 0 steps so far") || strings.Contains(body, `id="step-1"`) {
		t.Fatalf("before the first reply:\n%s", body)
	}
	if r, n := live(); !r || n != 0 {
		t.Fatalf("live: %v %d", r, n)
	}

	reply(1, 0, map[string]any{"content": "look " + evil, "valid": true, "action": map[string]any{"command": "ls " + evil},
		"usage": map[string]int{"input": 120, "cached_input": 20, "output": 9}, "cost": 0.002})
	obs(1, 0, "a.py "+evil)
	reply(2, 0, map[string]any{"content": "no command", "valid": false, "format_error": "Your output was not formatted correctly"})
	body := get(t, s, page).Body.String()
	for _, want := range []string{"Running: 2 steps so far", `id="step-1"`, `id="step-2"`, "ls &lt;script&gt;", "a.py &lt;script&gt;",
		"Your output was not formatted correctly", "100+20 in, 9 out"} {
		if !strings.Contains(body, want) {
			t.Fatalf("running page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, evil) {
		t.Fatal("model output not escaped")
	}
	if r, n := live(); !r || n != 2 {
		t.Fatalf("live: %v %d, want running with 2 steps", r, n)
	}
	if w := get(t, s, q("/api/text", "s", "sw", "t", key, "i", "inst-r", "what", "observation", "n", "1")); w.Body.String() != "a.py "+evil {
		t.Fatalf("text: %d %q", w.Code, w.Body.String())
	}
	if w := get(t, s, q("/api/view", "s", "sw", "t", key, "i", "inst-r", "turn", "1")); w.Code != 404 || !strings.Contains(w.Body.String(), "still running") {
		t.Fatalf("view of a running instance: %d %s", w.Code, w.Body.String())
	}

	// The retry of turn 2 runs: one more step, seen at once.
	reply(2, 1, map[string]any{"content": "again", "valid": true, "action": map[string]any{"command": "cat a.py"}})
	obs(2, 1, "print(1)")
	if r, n := live(); !r || n != 3 {
		t.Fatalf("live after turn 2: %v %d, want 3 steps", r, n)
	}
	if body := get(t, s, page).Body.String(); !strings.Contains(body, "Running: 3 steps so far") || !strings.Contains(body, "cat a.py") {
		t.Fatalf("after turn 2:\n%s", body)
	}

	// It ends: record and .traj written; the page shows the .traj.
	write(t, filepath.Join(idir, "inst-r.traj"), trajJSON(t, 4, 100))
	writeJSONFile(t, filepath.Join(idir, "record.json"), workflows.InstanceRecord{InstanceID: "inst-r", ExitStatus: "submitted", Turns: 4})
	if r, _ := live(); r {
		t.Fatal("still running after its record was written")
	}
	if body := get(t, s, page).Body.String(); strings.Contains(body, "Running:") || !strings.Contains(body, "Trajectory: 4 steps") || !strings.Contains(body, `data-turns="4"`) {
		t.Fatalf("after the end:\n%s", body)
	}
}
