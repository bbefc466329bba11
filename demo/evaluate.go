package demo

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/sandbox"
)

// DefaultTestTimeout bounds one test run when the options set no timeout.
const DefaultTestTimeout = 60 * time.Second

// TestResult is the outcome of one unittest id.
type TestResult struct {
	Name   string
	Passed bool
	Output string
}

// Report is the evaluation of one patch against one task.
type Report struct {
	InstanceID   string
	PatchApplied bool
	Resolved     bool
	FailToPass   []TestResult
	PassToPass   []TestResult
	Error        string // why the patch was not applied, if it was not
}

const evalPatchFile = ".git/ctxsweep-eval.patch"

// Evaluate applies patch to a fresh copy of the task's repository and runs
// the FAIL_TO_PASS and PASS_TO_PASS tests, each as its own
// `python3 -m unittest <id>` process. Like SWE-bench's test patch, the test
// modules named by the ids are reset to their original content after the
// patch is applied, so a patch cannot pass by editing the tests. A patch
// that is empty or does not apply gives PatchApplied=false and
// Resolved=false, not an error; errors are reserved for infrastructure
// failures. opts.DefaultTimeout (default 60s) bounds each test.
func Evaluate(ctx context.Context, t Task, patch string, opts sandbox.LocalOptions) (Report, error) {
	rep := Report{InstanceID: t.InstanceID}
	repo, err := RepoFS(t.InstanceID)
	if err != nil {
		return rep, err
	}
	if strings.TrimSpace(patch) == "" {
		rep.Error = "empty patch"
		return rep, nil
	}
	sb, err := sandbox.NewLocal(ctx, repo, opts)
	if err != nil {
		return rep, err
	}
	defer sb.Close(context.WithoutCancel(ctx))

	if !strings.HasSuffix(patch, "\n") {
		patch += "\n"
	}
	if err := sb.WriteFile(ctx, evalPatchFile, []byte(patch)); err != nil {
		return rep, err
	}
	res, err := sb.Exec(ctx, "git apply --verbose "+evalPatchFile+
		" || patch --batch --fuzz=5 -p1 -i "+evalPatchFile, 2*time.Minute)
	if err != nil {
		return rep, err
	}
	if res.ExitCode != 0 || res.TimedOut {
		rep.Error = "patch did not apply: " + strings.TrimSpace(res.Output)
		return rep, nil
	}
	rep.PatchApplied = true

	if files := testFiles(repo, append(append([]string(nil), t.FailToPass...), t.PassToPass...)); len(files) > 0 {
		cmd := "git checkout HEAD --"
		for _, f := range files {
			cmd += " " + sandbox.ShellQuote(f)
		}
		if res, err := sb.Exec(ctx, cmd, time.Minute); err != nil {
			return rep, err
		} else if res.ExitCode != 0 {
			return rep, fmt.Errorf("demo: restoring test files: %s", strings.TrimSpace(res.Output))
		}
	}

	timeout := opts.DefaultTimeout
	if timeout <= 0 {
		timeout = DefaultTestTimeout
	}
	if rep.FailToPass, err = RunTests(ctx, sb, t.FailToPass, timeout); err != nil {
		return rep, err
	}
	if rep.PassToPass, err = RunTests(ctx, sb, t.PassToPass, timeout); err != nil {
		return rep, err
	}
	rep.Resolved = allPassed(rep.FailToPass) && allPassed(rep.PassToPass)
	return rep, nil
}

var testIDRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// RunTests runs each unittest id in sb with `python3 -m unittest <id>` from
// the repository root. A test passes when the process exits 0 in time.
func RunTests(ctx context.Context, sb sandbox.Sandbox, ids []string, timeout time.Duration) ([]TestResult, error) {
	results := make([]TestResult, 0, len(ids))
	for _, id := range ids {
		if !testIDRe.MatchString(id) {
			results = append(results, TestResult{Name: id, Output: "invalid test id"})
			continue
		}
		res, err := sb.Exec(ctx, "python3 -m unittest "+id, timeout)
		if err != nil {
			return results, err
		}
		out := res.Output
		if res.TimedOut {
			out += fmt.Sprintf("\n[test timed out after %s]", timeout)
		}
		results = append(results, TestResult{Name: id, Passed: res.ExitCode == 0 && !res.TimedOut, Output: out})
	}
	return results, nil
}

func allPassed(rs []TestResult) bool {
	for _, r := range rs {
		if !r.Passed {
			return false
		}
	}
	return true
}

// testFiles maps unittest ids to the module files of the base repository
// that define them (tests.test_x.Class.method -> tests/test_x.py).
func testFiles(repo fs.FS, ids []string) []string {
	seen := map[string]bool{}
	var files []string
	for _, id := range ids {
		parts := strings.Split(id, ".")
		for n := len(parts); n > 0; n-- {
			name := strings.Join(parts[:n], "/") + ".py"
			if _, err := fs.Stat(repo, name); err == nil {
				if !seen[name] {
					seen[name] = true
					files = append(files, name)
				}
				break
			}
		}
	}
	return files
}
