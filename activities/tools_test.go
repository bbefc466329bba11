package activities

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/sandbox"
)

const fixtureDir = "/work/shared/fixtures/trajectories"

// missingColon is tests/missing_colon.py of the fixture swe-agent__test-repo-i1
// (its git blob is 20edef5, as in the fixture's patch).
const missingColon = "#!/usr/bin/env python3\n\n\ndef division(a: float, b: float) -> float\n    return a/b\n\n\nif __name__ == \"__main__\":\n    print(division(123, 15))\n\n"

func newSandbox(t *testing.T, files fstest.MapFS, env map[string]string) (*sandbox.Local, string) {
	t.Helper()
	sb, err := sandbox.NewLocal(context.Background(), files, sandbox.LocalOptions{Root: t.TempDir(), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close(context.Background()) })
	root, err := filepath.EvalSymlinks(sb.Workdir())
	if err != nil {
		t.Fatal(err)
	}
	return sb, root
}

// act runs one tool call through the parser and the tool runner, like a turn.
func (r *toolRun) act(t *testing.T, name, args string) toolResult {
	t.Helper()
	a, ferr := agent.ParseReply("", []agent.ToolCall{{ID: "1", Name: name, Arguments: args}}, agent.Tools())
	if ferr != nil {
		t.Fatalf("%s %s: %v", name, args, ferr)
	}
	res, err := r.run(context.Background(), a)
	if err != nil {
		t.Fatalf("%s %s: %v", name, args, err)
	}
	r.st = res.State
	return res
}

// TestFixtureReplay replays the actions of the fixture trajectory
// swe-agent__test-repo-i1 against a local sandbox holding its file: the
// outputs have the fixture's shape and the submission is its patch, byte
// for byte. (The fixture's edit used the old line-range syntax; the same
// change is made with the search/replace edit.)
func TestFixtureReplay(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, "swe-agent__test-repo-i1.traj"))
	if err != nil {
		t.Skipf("fixture absent: %v", err)
	}
	var fx struct {
		Trajectory []struct{ Observation string }
		Info       struct{ Submission string }
	}
	if err := json.Unmarshal(data, &fx); err != nil {
		t.Fatal(err)
	}
	sb, root := newSandbox(t, fstest.MapFS{"tests/missing_colon.py": {Data: []byte(missingColon), Mode: 0o755}}, nil)
	r := &toolRun{sb: sb, w: agent.DefaultWindow, timeout: 30 * time.Second, st: agent.ViewerState{Cwd: root, Root: root}}
	fixed := func(s string) string {
		return strings.TrimSpace(strings.ReplaceAll(s, "/klieret__swe-agent-test-repo", root))
	}
	if got := r.act(t, "find_file", `{"file_name":"missing_colon.py"}`).Output; got != fixed(fx.Trajectory[0].Observation) {
		t.Errorf("find_file:\n%s\nwant\n%s", got, fixed(fx.Trajectory[0].Observation))
	}
	if got := r.act(t, "open", `{"path":"tests/missing_colon.py"}`).Output; got != fixed(fx.Trajectory[1].Observation) {
		t.Errorf("open:\n%s\nwant\n%s", got, fixed(fx.Trajectory[1].Observation))
	}
	if r.st.OpenFile != root+"/tests/missing_colon.py" {
		t.Errorf("open file %q", r.st.OpenFile)
	}
	out := r.act(t, "edit", `{"search":") -> float\n","replace":") -> float:\n"}`).Output
	window := strings.Split(fx.Trajectory[2].Observation, "\nFile updated.")[0]
	if !strings.HasPrefix(out, "Text replaced. Please review") || !strings.HasSuffix(out, "\n\n"+fixed(window)) {
		t.Errorf("edit:\n%s\nwant the window\n%s", out, fixed(window))
	}
	if got := r.act(t, "bash", `{"command":"python3 tests/missing_colon.py"}`).Output; got != "8.2\n" {
		t.Errorf("run: %q", got)
	}
	patch, err := sandbox.Diff(context.Background(), sb)
	if err != nil || patch != strings.TrimPrefix(fx.Info.Submission, "\n") {
		t.Errorf("submission (%v):\n%s\nwant\n%s", err, patch, fx.Info.Submission)
	}
}

// TestPydicomWindowShape checks `open <file> 293` on a 372-line file
// against the fixture pydicom__pydicom-1458, whose window starts at line
// 273 and ends on the last line.
func TestPydicomWindowShape(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 372; i++ {
		b.WriteString("line\n")
	}
	sb, root := newSandbox(t, fstest.MapFS{"pydicom/numpy_handler.py": {Data: []byte(b.String())}}, nil)
	r := &toolRun{sb: sb, w: agent.DefaultWindow, timeout: 30 * time.Second, st: agent.ViewerState{Cwd: root, Root: root}}
	out := strings.Split(r.act(t, "open", `{"path":"pydicom/numpy_handler.py","line_number":293}`).Output, "\n")
	if out[0] != "[File: "+root+"/pydicom/numpy_handler.py (372 lines total)]" || out[1] != "(272 more lines above)" ||
		out[2] != "273:line" || out[len(out)-1] != "372:line" || len(out) != 102 {
		t.Errorf("window: %q ... %q (%d lines)", out[:3], out[len(out)-1], len(out))
	}
	if got := r.act(t, "create", `{"filename":"reproduce_bug.py"}`).Output; got != "[File: "+root+"/reproduce_bug.py (1 lines total)]\n1:" {
		t.Errorf("create: %q", got)
	}
}
