package evaluate

import (
	"fmt"
	"strings"
)

// Log markers shared with the harness (constants/__init__.py). The eval
// script writes the Start/End markers as `: '<marker>'` no-ops that reach
// the log through `set -x`; the other lines are written by whoever runs the
// scripts (the executor appends TestsTimedOut or TestsErrored itself).
const (
	MarkerStartTests      = ">>>>> Start Test Output"
	MarkerEndTests        = ">>>>> End Test Output"
	MarkerTestExitCode    = ">>>>> Test Exit Code:" // v5: followed by " N"
	MarkerAppliedPatch    = ">>>>> Applied Patch"
	MarkerPatchApplyFail  = ">>>>> Patch Apply Failed"
	MarkerResetFailed     = ">>>>> Reset Failed"
	MarkerTestsErrored    = ">>>>> Tests Errored"
	MarkerTestsTimedOut   = ">>>>> Tests Timed Out"
	DefaultPatchPath      = "/tmp/patch.diff"
	defaultRepoDir        = "/testbed"
	condaActivateIfExists = "if [ -d /opt/miniconda3 ]; then source /opt/miniconda3/bin/activate && conda activate testbed; fi"
)

// applyAttempts are the harness's ways to apply a model patch, tried in
// order until one exits 0 (v4.1.0 run_evaluation; v5 adds --3way and
// --forward variants, which are not used here).
var applyAttempts = []string{
	"git apply --verbose",
	"git apply --verbose --reject",
	"patch --batch --fuzz=5 -p1 -i",
}

// ApplyPatchCommand is a bash script that applies the patch file at path in
// /testbed with the harness fallbacks (git apply --verbose, then with
// --reject, then patch --batch --fuzz=5 -p1 -i). It prints
// ">>>>> Applied Patch" and exits 0 on the first success, or prints
// ">>>>> Patch Apply Failed" and exits 1 when all fail. Like the harness, a
// failed --reject attempt may leave hunks applied before patch(1) runs.
// Run it with `bash -c`; stdout and stderr together are the apply log.
func ApplyPatchCommand(path string) string {
	p := shellQuote(path)
	var b strings.Builder
	fmt.Fprintf(&b, "cd %s || { echo '%s'; exit 1; }\n", defaultRepoDir, MarkerPatchApplyFail)
	for i, cmd := range applyAttempts {
		kw := "elif"
		if i == 0 {
			kw = "if"
		}
		fmt.Fprintf(&b, "%s %s %s; then\n", kw, cmd, p)
		fmt.Fprintf(&b, "  echo 'applied with: %s'\n  echo '%s'\n", cmd, MarkerAppliedPatch)
	}
	fmt.Fprintf(&b, "else\n  echo '%s'\n  exit 1\nfi\n", MarkerPatchApplyFail)
	return b.String()
}

// PatchApplied reports whether the output of ApplyPatchCommand shows a
// successful application.
func PatchApplied(applyLog string) bool {
	return strings.Contains(applyLog, MarkerAppliedPatch) && !strings.Contains(applyLog, MarkerPatchApplyFail)
}

// shellQuote quotes s for bash unless it is made only of characters that
// need no quoting (so ordinary paths stay readable in scripts).
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
