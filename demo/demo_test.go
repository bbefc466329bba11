package demo

import (
	"context"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/sandbox"
)

func TestTasksAPI(t *testing.T) {
	tasks, err := Tasks()
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) < 5 {
		t.Fatalf("only %d tasks", len(tasks))
	}
	idRe := regexp.MustCompile(`^demo__[a-z]+-[0-9]+$`)
	ids := IDs()
	if !sort.StringsAreSorted(ids) || len(ids) != len(tasks) {
		t.Fatalf("ids %v", ids)
	}
	longest := 0
	for i, task := range tasks {
		if task.InstanceID != ids[i] || !idRe.MatchString(task.InstanceID) {
			t.Errorf("bad id %q", task.InstanceID)
		}
		if task.Repo == "" || len(task.ProblemStatement) < 200 || len(task.FailToPass) == 0 || len(task.PassToPass) == 0 {
			t.Errorf("%s: incomplete task %+v", task.InstanceID, task)
		}
		got, err := Get(task.InstanceID)
		if err != nil || got.ProblemStatement != task.ProblemStatement {
			t.Errorf("Get(%s) = %v", task.InstanceID, err)
		}
		repo, err := RepoFS(task.InstanceID)
		if err != nil {
			t.Fatal(err)
		}
		fs.WalkDir(repo, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(p, "__pycache__") || strings.HasSuffix(p, ".pyc") {
				t.Errorf("%s: stray bytecode %s embedded", task.InstanceID, p)
			}
			if strings.HasSuffix(p, ".py") {
				data, _ := fs.ReadFile(repo, p)
				longest = max(longest, strings.Count(string(data), "\n"))
			}
			return nil
		})
		if _, err := fs.Stat(repo, ".gitignore"); err != nil {
			t.Errorf("%s: .gitignore not embedded: %v", task.InstanceID, err)
		}
	}
	if longest < 200 {
		t.Errorf("no task has a long source file (longest %d lines)", longest)
	}
	// Callers cannot corrupt the shared task list.
	tasks[0].FailToPass[0] = "mutated"
	if again, _ := Tasks(); again[0].FailToPass[0] == "mutated" {
		t.Error("Tasks returns shared slices")
	}

	_, err = Get("demo__nope-9")
	if err == nil || !strings.Contains(err.Error(), strings.Join(ids, ", ")) {
		t.Errorf("Get(unknown) error %v does not list the valid ids", err)
	}
	if _, err := RepoFS("../tasks"); err == nil {
		t.Error("RepoFS accepted a bad id")
	}
	if _, err := Replay("nope"); err == nil {
		t.Error("Replay accepted a bad id")
	}
}

// TestBaseline checks every task's premise on the unpatched repository:
// FAIL_TO_PASS tests fail and PASS_TO_PASS tests pass.
func TestBaseline(t *testing.T) {
	tasks, err := Tasks()
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		t.Run(task.InstanceID, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			repo, _ := RepoFS(task.InstanceID)
			sb, err := sandbox.NewLocal(ctx, repo, sandbox.LocalOptions{Root: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer sb.Close(ctx)
			f2p, err := RunTests(ctx, sb, task.FailToPass, DefaultTestTimeout)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range f2p {
				if r.Passed {
					t.Errorf("FAIL_TO_PASS %s passes before the fix", r.Name)
				} else if !strings.Contains(r.Output, "FAILED") {
					t.Errorf("FAIL_TO_PASS %s did not run as a test:\n%s", r.Name, r.Output)
				}
			}
			p2p, err := RunTests(ctx, sb, task.PassToPass, DefaultTestTimeout)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range p2p {
				if !r.Passed || !strings.Contains(r.Output, "Ran 1 test") {
					t.Errorf("PASS_TO_PASS %s does not pass on the base repo:\n%s", r.Name, r.Output)
				}
			}
		})
	}
}

func TestEvaluateRejects(t *testing.T) {
	ctx := context.Background()
	task, err := Get("demo__pager-1")
	if err != nil {
		t.Fatal(err)
	}
	opts := sandbox.LocalOptions{Root: t.TempDir()}
	for name, patch := range map[string]string{"empty": "", "blank": " \n\n", "garbage": "this is not a patch\n"} {
		rep, err := Evaluate(ctx, task, patch, opts)
		if err != nil || rep.PatchApplied || rep.Resolved || rep.Error == "" {
			t.Errorf("%s patch: report %+v, err %v", name, rep, err)
		}
	}

	// A patch that applies but fixes nothing, and one that only rewrites the
	// tests so that they pass: neither resolves the task.
	repo, _ := RepoFS(task.InstanceID)
	sb, err := sandbox.NewLocal(ctx, repo, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close(ctx)
	if err := sb.WriteFile(ctx, "NOTES.md", []byte("nothing to see\n")); err != nil {
		t.Fatal(err)
	}
	unrelated, err := sandbox.Diff(ctx, sb)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sb.Exec(ctx, `python3 - <<'EOF'
import re
from pathlib import Path

path = Path("tests/test_pagination.py")
out = ["import unittest\n"]
for line in path.read_text().splitlines():
    if m := re.match(r"class (\w+)", line):
        out.append(f"\n\nclass {m[1]}(unittest.TestCase):\n")
    elif m := re.match(r"    def (test_\w+)", line):
        out.append(f"    def {m[1]}(self):\n        pass\n")
path.write_text("".join(out))
EOF
python3 -m unittest 2>&1 | tail -n 1`, 0)
	if err != nil || res.Output != "OK\n" {
		t.Fatalf("neutering the tests: %q, %v", res.Output, err)
	}
	cheat, err := sandbox.Diff(ctx, sb)
	if err != nil {
		t.Fatal(err)
	}
	for name, patch := range map[string]string{"unrelated": unrelated, "test-only": cheat} {
		rep, err := Evaluate(ctx, task, patch, opts)
		if err != nil || !rep.PatchApplied || rep.Resolved {
			t.Errorf("%s patch: report %+v, err %v", name, rep, err)
		}
		if len(rep.FailToPass) != len(task.FailToPass) || len(rep.PassToPass) != len(task.PassToPass) || rep.FailToPass[0].Passed {
			t.Errorf("%s patch: unexpected test results %+v", name, rep)
		}
	}
}
