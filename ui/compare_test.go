package ui

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func actionsTraj(t *testing.T, actions ...string) []byte {
	t.Helper()
	var steps []map[string]string
	for _, a := range actions {
		steps = append(steps, map[string]string{"action": a, "observation": "out", "thought": "think"})
	}
	b, err := json.Marshal(map[string]any{"trajectory": steps, "info": map[string]any{"exit_status": "submitted"}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// compareRows splits the compare page's steps table into rows.
func compareRows(t *testing.T, body string) map[string]string {
	t.Helper()
	rows := map[string]string{}
	re := regexp.MustCompile(`(?s)<tr class="step[^"]*"[^>]*data-step="(\d+)">.*?</tr>`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		rows[m[1]] = m[0]
	}
	return rows
}

func TestCompareSideBySide(t *testing.T) {
	f := newFixture(t, 4)
	trialDir := func(key string) string { return filepath.Join(f.dataDir, "runs", "sw", key) }
	// A third trial that stopped earlier.
	short := "m__obs_n=5__demo__dddd"
	p := strategy.Defaults(strategy.ObservationMasking)
	p.ObsN = 5
	ref := workflows.TrialRef{Sweep: "sw", RunName: "m__obs_n=5__demo", Strategy: p}
	ref.Config.Strategy = p.Strategy
	writeJSONFile(t, filepath.Join(trialDir(short), "trial.json"), ref)
	writeJSONFile(t, filepath.Join(trialDir(short), "results.json"), []workflows.InstanceRecord{{InstanceID: "inst-a", ExitStatus: "exit_cost", Turns: 3, Cost: 0.75,
		TrajFile: "runs/sw/" + short + "/inst-a/inst-a.traj"}})

	write(t, filepath.Join(trialDir(f.raw), "inst-a", "inst-a.traj"), actionsTraj(t, "ls", "cat a.py", "edit a.py "+evil, "submit"))
	write(t, filepath.Join(trialDir(f.masked), "inst-a", "inst-a.traj"), actionsTraj(t, "ls", "cat a.py", "grep -r x "+evil, "submit", "submit"))
	write(t, filepath.Join(trialDir(short), "inst-a", "inst-a.traj"), actionsTraj(t, "ls", "cat a.py", "edit a.py "+evil))

	s := newServer(t, Config{DataDir: f.dataDir})
	w := get(t, s, q("/compare", "s", "sw", "i", "inst-a"))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	if strings.Contains(body, evil) || !strings.Contains(body, "grep -r x &lt;script&gt;") {
		t.Fatal("actions are not escaped")
	}
	// A column per trial, the raw one first as the reference.
	for _, want := range []string{"m__raw__demo", "m__obs_n=2__demo", "m__obs_n=5__demo", "$0.7500", "exit_cost", "first diverge at <a href=\"#diverge\">step 3</a>",
		"Reference: <b>m__raw__demo</b>", "from step 3: <code>grep -r x &lt;script&gt;alert(", "</code> instead of <code>edit a.py", "ended after step 3; the reference went on"} {
		if !strings.Contains(body, want) {
			t.Fatalf("compare page lacks %q:\n%s", want, body)
		}
	}
	rows := compareRows(t, body)
	if len(rows) != 5 {
		t.Fatalf("%d step rows, want 5 (the longest trial):\n%s", len(rows), body)
	}
	for n, row := range rows {
		if marked := strings.Contains(row, `id="diverge"`); marked != (n == "3") {
			t.Fatalf("step %s marked as the divergence: %v\n%s", n, marked, row)
		}
	}
	cells := func(row string) []string {
		return regexp.MustCompile(`(?s)<td class="act[^"]*">.*?</td>`).FindAllString(row, -1)
	}
	// Columns: the reference (raw), then the others by key: obs_n=2, obs_n=5.
	if !regexp.MustCompile(`(?s)<thead>.*m__raw__demo.*m__obs_n=2__demo.*m__obs_n=5__demo.*</thead>`).MatchString(body) {
		t.Fatalf("columns not in order:\n%s", body)
	}
	c3 := cells(rows["3"])
	if len(c3) != 3 || !strings.Contains(c3[1], "differs") || !strings.Contains(c3[1], "grep -r x") ||
		strings.Contains(c3[0], "differs") || strings.Contains(c3[2], "differs") {
		t.Fatalf("step 3 cells: %q", c3)
	}
	if !strings.Contains(c3[1], "page=1&amp;s=sw&amp;t=m__obs_n%3D2__demo__bbbb#step-3") {
		t.Fatalf("step 3 does not link to the step: %q", c3[1])
	}
	c5 := cells(rows["5"])
	if !strings.Contains(c5[0], "–") || !strings.Contains(c5[1], "submit") || !strings.Contains(c5[2], "–") {
		t.Fatalf("step 5 cells (only obs_n=2 has it): %q", c5)
	}
	for _, n := range []string{"1", "2"} {
		for _, c := range cells(rows[n]) {
			if strings.Contains(c, "differs") {
				t.Fatalf("step %s: %q", n, c)
			}
		}
	}

	// Same actions everywhere: nothing marked.
	for _, key := range []string{f.masked, short} {
		write(t, filepath.Join(trialDir(key), "inst-a", "inst-a.traj"), actionsTraj(t, "ls", "cat a.py", "edit a.py "+evil, "submit"))
	}
	body = get(t, s, q("/compare", "s", "sw", "i", "inst-a")).Body.String()
	if !strings.Contains(body, "Every trial took the same actions") || strings.Contains(body, `id="diverge"`) {
		t.Fatalf("identical trials:\n%s", body)
	}
}
