package evaluate

import (
	"fmt"
	"strings"
)

// nonTestExts are the file endings the harness drops from test directives
// (NON_TEST_EXTS; "csv" really has no dot there).
var nonTestExts = []string{".json", ".png", "csv", ".txt", ".md", ".jpg", ".jpeg", ".pkl", ".yml", ".yaml", ".toml"}

// heredocBase is the stem of the delimiter around the test patch.
const heredocBase = "EOF_CTXSWEEP_TEST_PATCH"

// testExitVar holds the test command's exit status in the eval script.
const testExitVar = "ctxsweep_test_exit"

// MakeEvalScript returns the bash eval script for spec in the v4.1.0 shape
// (anchors §1.4), plus the v5 exit-code line:
//
//	#!/bin/bash / set -uxo pipefail / conda activate (only if
//	/opt/miniconda3 exists) / cd /testbed / the repo's eval_commands /
//	safe.directory / git status, show, diff <base> / install re-run /
//	reset test files / git apply -v - <<heredoc / start marker /
//	test command + directives / save $? / end marker /
//	echo ">>>>> Test Exit Code: N" / reset test files
//
// The test files are reset as spec.Harness does it. v4.1 (the default):
// `git checkout <base> <files>` over the files test_patch modifies (its
// "--- a/<path>" sides), nothing for the files it creates, and the
// command is written even when that list is empty (a bare checkout of the
// base commit, as v4.1 does for a test patch that only adds files). v5:
// the checkout only when there are modified files, then `rm -f` of the
// created ones. A row-provided spec.EvalScript is returned unchanged
// (with a final newline).
func MakeEvalScript(spec Spec) (string, error) {
	if spec.EvalScript != "" {
		return ensureNewline(spec.EvalScript), nil
	}
	testCmd, err := TestCommand(spec)
	if err != nil {
		return "", err
	}
	if spec.BaseCommit == "" {
		return "", fmt.Errorf("evaluate: instance %s has no base_commit", spec.InstanceID)
	}
	v := parseVersion(spec.Version)
	rs, known := repoSpecs[spec.Repo]

	lines := []string{"#!/bin/bash", "set -uxo pipefail", condaActivateIfExists, "cd " + defaultRepoDir}
	if known && rs.evalCommands != nil {
		lines = append(lines, rs.evalCommands(v)...)
	}
	lines = append(lines,
		"git config --global --add safe.directory "+defaultRepoDir,
		"cd "+defaultRepoDir,
		"git status",
		"git show",
		"git -c core.fileMode=false diff "+spec.BaseCommit,
		condaActivateIfExists,
	)
	if known && rs.install != nil {
		lines = append(lines, rs.install(v))
	}
	reset := resetCommands(spec.Harness, spec.BaseCommit, spec.TestPatch)
	lines = append(lines, reset...)
	if strings.TrimSpace(spec.TestPatch) != "" {
		delim := HeredocDelimiter(spec.TestPatch)
		lines = append(lines, fmt.Sprintf("git apply -v - <<'%s'\n%s%s", delim, ensureNewline(spec.TestPatch), delim))
	}
	cmd := testCmd
	for _, d := range TestDirectives(spec) {
		cmd += " " + shellQuote(d)
	}
	lines = append(lines,
		": '"+MarkerStartTests+"'",
		cmd,
		testExitVar+"=$?",
		": '"+MarkerEndTests+"'",
		fmt.Sprintf(`echo "%s $%s"`, MarkerTestExitCode, testExitVar),
	)
	lines = append(lines, reset...)
	return strings.Join(lines, "\n") + "\n", nil
}

// HeredocDelimiter returns a heredoc delimiter that does not occur anywhere
// in patch (so no line of the patch can end the heredoc early).
func HeredocDelimiter(patch string) string {
	d := heredocBase
	for i := 1; strings.Contains(patch, d); i++ {
		d = fmt.Sprintf("%s_%d", heredocBase, i)
	}
	return d
}

// TestDirectives are the arguments appended to the test command: the paths
// of the files in spec.TestPatch (`diff --git a/... b/<path>` headers, in
// order) minus non-test extensions. For django/django each path becomes a
// dotted module label: ".py" dropped, a leading "tests/" dropped, "/"
// replaced by "." (v4.1.0 applies no further Django filter).
func TestDirectives(spec Spec) []string {
	var out []string
	for _, f := range patchFiles(spec.TestPatch) {
		if hasNonTestExt(f.path) {
			continue
		}
		d := f.path
		if spec.Repo == "django/django" {
			d = DjangoLabel(d)
		}
		out = append(out, d)
	}
	return out
}

// DjangoLabel turns a test file path into a runtests.py module label:
// "tests/sitemaps_tests/test_http.py" → "sitemaps_tests.test_http".
func DjangoLabel(path string) string {
	path = strings.TrimSuffix(path, ".py")
	path = strings.TrimPrefix(path, "tests/")
	return strings.ReplaceAll(path, "/", ".")
}

func hasNonTestExt(path string) bool {
	for _, ext := range nonTestExts {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return false
}

// resetCommands restore the files a test patch touches to their base
// state, as harness h writes it (see MakeEvalScript).
func resetCommands(h Harness, base, patch string) []string {
	if h.Or() == HarnessV41 {
		var files []string
		for _, f := range sourceFiles(patch) {
			files = append(files, shellQuote(f))
		}
		return []string{fmt.Sprintf("git checkout %s %s", base, strings.Join(files, " "))}
	}
	var existing, created []string
	for _, f := range patchFiles(patch) {
		if f.created {
			created = append(created, shellQuote(f.path))
		} else {
			existing = append(existing, shellQuote(f.path))
		}
		if f.renamedFrom != "" {
			existing = append(existing, shellQuote(f.renamedFrom))
		}
	}
	var cmds []string
	if len(existing) > 0 {
		cmds = append(cmds, "git checkout "+base+" "+strings.Join(existing, " "))
	}
	if len(created) > 0 {
		cmds = append(cmds, "rm -f "+strings.Join(created, " "))
	}
	return cmds
}

// sourceFiles is v4.1's get_modified_files: for each file of the diff (in
// order) its source side, from the "--- " line or else the git header,
// "/dev/null" for a new file; kept when it starts with "a/", minus that.
func sourceFiles(patch string) []string {
	var out []string
	source, open := "", false
	flush := func() {
		if open && source != "/dev/null" && strings.HasPrefix(source, "a/") {
			out = append(out, source[2:])
		}
		open = false
	}
	inHeader := false
	for _, line := range strings.Split(patch, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if rest, ok := strings.CutPrefix(line, "diff --git "); ok {
			flush()
			source, open, inHeader = "a/"+aSidePath(rest), true, true
			continue
		}
		if !inHeader {
			continue
		}
		switch {
		case strings.HasPrefix(line, "@@"):
			inHeader = false
		case strings.HasPrefix(line, "new file mode"):
			source = "/dev/null"
		case strings.HasPrefix(line, "--- "):
			source, _, _ = strings.Cut(strings.TrimPrefix(line, "--- "), "\t")
		}
	}
	flush()
	return out
}

// aSidePath is the <path> of "a/<path> b/<path>" (the counterpart of
// bSidePath).
func aSidePath(rest string) string {
	rest = strings.TrimSpace(rest)
	if n := len(rest); n%2 == 1 {
		h := n / 2
		a, b := rest[:h], rest[h+1:]
		if rest[h] == ' ' && strings.HasPrefix(a, "a/") && strings.HasPrefix(b, "b/") && a[2:] == b[2:] {
			return a[2:]
		}
	}
	if i := strings.Index(rest, " b/"); i >= 0 {
		return strings.TrimPrefix(rest[:i], "a/")
	}
	return strings.TrimPrefix(rest, "a/")
}

// patchFile is one file section of a unified git diff.
type patchFile struct {
	path        string // the b/ side
	created     bool   // absent at base (new file, or rename target)
	renamedFrom string
}

// patchFiles lists the files of a git diff from its `diff --git` headers
// (only at line starts, so diff text inside hunks is not mistaken for one).
func patchFiles(patch string) []patchFile {
	var files []patchFile
	inHeader := false
	for _, line := range strings.Split(patch, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if rest, ok := strings.CutPrefix(line, "diff --git "); ok {
			files = append(files, patchFile{path: bSidePath(rest)})
			inHeader = true
			continue
		}
		if !inHeader || len(files) == 0 {
			continue
		}
		f := &files[len(files)-1]
		switch {
		case strings.HasPrefix(line, "@@"):
			inHeader = false
		case strings.HasPrefix(line, "new file mode"), line == "--- /dev/null":
			f.created = true
		case strings.HasPrefix(line, "rename from "):
			f.renamedFrom = strings.TrimPrefix(line, "rename from ")
			f.created = true
		}
	}
	return files
}

// bSidePath extracts <path> from "a/<path> b/<path>". Equal halves are
// preferred so paths containing " b/" work; otherwise the text after the
// last " b/" is used (the harness regex's greedy behaviour).
func bSidePath(rest string) string {
	rest = strings.TrimSpace(rest)
	if n := len(rest); n%2 == 1 {
		h := n / 2
		a, b := rest[:h], rest[h+1:]
		if rest[h] == ' ' && strings.HasPrefix(a, "a/") && strings.HasPrefix(b, "b/") && a[2:] == b[2:] {
			return b[2:]
		}
	}
	if i := strings.LastIndex(rest, " b/"); i >= 0 {
		return rest[i+3:]
	}
	return rest
}

func ensureNewline(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
