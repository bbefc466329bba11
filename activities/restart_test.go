package activities_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// TestViewerStateSurvivesRestart runs turns through the activities, then
// replaces the worker (new Activities, new sandbox under another path) as
// the workflow does after a worker dies: Restore replays the file changes
// from the states they ran in, and the open file, its window and the
// working directory carry on, moved to the new sandbox.
func TestViewerStateSurvivesRestart(t *testing.T) {
	var src strings.Builder
	for i := 1; i <= 150; i++ {
		fmt.Fprintf(&src, "line %d\n", i)
	}
	repo := fstest.MapFS{"src/app.py": {Data: []byte(src.String())}}
	l := newLoop(t,
		bash("mkdir -p build && cd build && echo hi > x.txt"),
		tool("create", `{"filename":"notes.txt"}`),
		tool("open", `{"path":"../src/app.py","line_number":120}`),
		tool("edit", `{"search":"line 121\n","replace":"LINE 121\n"}`),
		bash("pwd"),
		tool("scroll_down", `{}`),
	)
	deps := l.acts.Deps
	deps.Tasks = oneTask{repo: repo}
	ctx := context.Background()
	r := ref(agent.DefaultLimits())
	step := func(a *activities.Activities, sandboxID string, turn int) {
		t.Helper()
		if res, err := a.ModelCall(ctx, wf.ModelCallInput{Ref: r, Turn: turn}); err != nil || !res.Valid {
			t.Fatalf("turn %d: %+v %v", turn, res, err)
		}
		if _, err := a.Execute(ctx, wf.ExecuteInput{Ref: r, SandboxID: sandboxID, Turn: turn}); err != nil {
			t.Fatalf("turn %d: %v", turn, err)
		}
	}
	first := activities.New(deps)
	defer first.Close(ctx)
	s1, err := first.Setup(ctx, wf.SetupInput{Ref: r})
	if err != nil {
		t.Fatal(err)
	}
	for turn := 1; turn <= 4; turn++ {
		step(first, s1.SandboxID, turn)
	}
	obs := l.observation(t, 4)
	root1 := obs.State.Root
	if obs.State.OpenFile != root1+"/src/app.py" || obs.State.Cwd != root1+"/build" || obs.State.FirstLine != 50 ||
		!strings.HasSuffix(obs.Content, "(Open file: "+root1+"/src/app.py)\n(Current directory: "+root1+"/build)\nbash-$") {
		t.Fatalf("state after turn 4: %+v\n%s", obs.State, obs.Content[max(0, len(obs.Content)-200):])
	}

	second := activities.New(deps) // the replacement worker: same store, no sandboxes
	defer second.Close(ctx)
	if _, err := second.Execute(ctx, wf.ExecuteInput{Ref: r, SandboxID: s1.SandboxID, Turn: 5}); err == nil || !strings.Contains(err.Error(), "not on this worker") {
		t.Fatalf("a lost sandbox was not reported: %v", err)
	}
	s2, err := second.Setup(ctx, wf.SetupInput{Ref: r})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Restore(ctx, wf.RestoreInput{Ref: r, SandboxID: s2.SandboxID, Turns: 4}); err != nil {
		t.Fatal(err)
	}
	step(second, s2.SandboxID, 5)
	root2 := strings.TrimSuffix(strings.TrimSpace(l.observation(t, 5).Output), "/build")
	if root2 == root1 || l.observation(t, 5).State.Cwd != root2+"/build" {
		t.Fatalf("pwd after the restart: %q (old root %s)", l.observation(t, 5).Output, root1)
	}
	for file, want := range map[string]string{"build/x.txt": "hi\n", "build/notes.txt": "\n"} {
		if data, err := os.ReadFile(filepath.Join(root2, file)); err != nil || string(data) != want {
			t.Errorf("%s after restore: %q %v", file, data, err)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(root2, "src/app.py")); !strings.Contains(string(data), "\nLINE 121\nline 122\n") {
		t.Errorf("the edit was not replayed")
	}
	step(second, s2.SandboxID, 6)
	out := l.observation(t, 6)
	if !strings.HasPrefix(out.Output, "[File: "+root2+"/src/app.py (150 lines total)]\n(50 more lines above)\n51:line 51") || out.State.OpenFile != root2+"/src/app.py" {
		t.Errorf("scroll_down after the restart:\n%.120s\nstate %+v", out.Output, out.State)
	}
}
