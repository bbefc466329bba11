package evaluate

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEndToEndLocal runs the generated scripts for real on a small Python
// repository in a temporary directory (standing in for /testbed): apply a
// model patch, run the eval script with Python's unittest, parse, grade.
// Python ≥ 3.11 prints "test_x (mod.Class.test_x)", so this also checks
// that dataset-style ids "test_x (mod.Class)" match.
func TestEndToEndLocal(t *testing.T) {
	for _, h := range Harnesses {
		t.Run(string(h), func(t *testing.T) { endToEndLocal(t, h) })
	}
}

func endToEndLocal(t *testing.T, h Harness) {
	for _, tool := range []string{"bash", "git", "python3", "patch"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	home := t.TempDir()
	env := append(os.Environ(), "HOME="+home, "GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@x", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@x")
	run := func(dir, script string) (string, error) {
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir, cmd.Env = dir, env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	write := func(dir, name, body string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	must := func(dir, script string) string {
		out, err := run(dir, script)
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, out)
		}
		return out
	}

	// Base repository: mul is wrong.
	repo := t.TempDir()
	write(repo, "calc.py", "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a + b\n")
	write(repo, "tests/__init__.py", "")
	write(repo, "tests/test_calc.py", "import unittest\n\nimport calc\n\n\nclass CalcTests(unittest.TestCase):\n"+
		"    def test_add(self):\n        self.assertEqual(calc.add(2, 3), 5)\n")
	must(repo, "git init -q && git add -A && git commit -qm base")
	base := strings.TrimSpace(must(repo, "git rev-parse HEAD"))

	// Test patch: a new test in an existing file plus a new test file.
	write(repo, "tests/test_calc.py", readFile(t, repo, "tests/test_calc.py")+
		"\n    def test_mul(self):\n        self.assertEqual(calc.mul(2, 3), 6)\n")
	write(repo, "tests/test_new.py", "import unittest\n\n\nclass NewTests(unittest.TestCase):\n"+
		"    def test_new_thing(self):\n        self.assertTrue(True)\n")
	testPatch := must(repo, "git add -N tests/test_new.py && git diff")
	must(repo, "git reset -q && git checkout -q -- . && rm tests/test_new.py")

	spec := Spec{
		InstanceID: "example__calc-1", Repo: "example/calc", BaseCommit: base, TestPatch: testPatch,
		FailToPass: []string{"test_mul (tests.test_calc.CalcTests)"},
		PassToPass: []string{"test_add (tests.test_calc.CalcTests)", "test_new_thing (tests.test_new.NewTests)"},
		TestCmd:    "python3 -m unittest -v", LogParser: "unittest", Harness: h,
	}
	script, err := MakeEvalScript(spec)
	if err != nil {
		t.Fatal(err)
	}
	script = strings.ReplaceAll(script, defaultRepoDir, repo)

	// Without a fix the F2P test fails.
	log, _ := run(repo, script)
	rep, err := Grade(spec, log)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Resolved || !rep.PatchSuccessfullyApplied || len(rep.TestsStatus.FailToPass.Failure) != 1 || rep.Log.ExitCode != 1 {
		t.Fatalf("unfixed: %+v\n%s", rep, log)
	}
	st := strings.TrimSpace(must(repo, "git status --porcelain"))
	if h == HarnessV41 {
		// v4.1 does not delete the files the test patch created; a fresh
		// container would not have it, so remove it before the next run.
		if st != "?? tests/test_new.py" {
			t.Errorf("v4.1 leaves the new test file behind, and only it: %q", st)
		}
		must(repo, "rm tests/test_new.py")
	} else if st != "" {
		t.Errorf("test files not reset after the run: %q", st)
	}

	// The model patch fixes mul; apply it the harness way, then re-run.
	write(repo, "calc.py", strings.Replace(readFile(t, repo, "calc.py"), "def mul(a, b):\n    return a + b", "def mul(a, b):\n    return a * b", 1))
	write(home, "patch.diff", must(repo, "git diff"))
	must(repo, "git checkout -q -- .")
	applyLog := must(repo, strings.ReplaceAll(ApplyPatchCommand(filepath.Join(home, "patch.diff")), defaultRepoDir, repo))
	if !PatchApplied(applyLog) {
		t.Fatalf("apply log: %s", applyLog)
	}
	log, _ = run(repo, script)
	if rep, _ = Grade(spec, log); !rep.Resolved || rep.Log.ExitCode != 0 {
		t.Fatalf("fixed: %+v\n%s", rep.TestsStatus, log)
	}

	// A patch that does not apply falls through all three attempts.
	write(home, "bad.diff", "diff --git a/nope.py b/nope.py\n--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-x\n+y\n")
	out, err := run(repo, strings.ReplaceAll(ApplyPatchCommand(filepath.Join(home, "bad.diff")), defaultRepoDir, repo))
	if err == nil || PatchApplied(out) || !strings.Contains(out, MarkerPatchApplyFail) {
		t.Errorf("bad patch: err %v\n%s", err, out)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
