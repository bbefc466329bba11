package agent

import (
	"fmt"
	"strconv"
	"strings"
)

// LintSelect is the seed's flake8 selection for edits of .py files:
// undefined names, syntax and indentation errors.
const LintSelect = "F821,F822,F831,E111,E112,E113,E999,E902"

// LintIssue is one line of flake8 output: "<file>:<line>:<col>: <problem>".
type LintIssue struct {
	Line, Col int
	Problem   string
}

// ParseLint reads flake8 output; lines that are not issues are ignored.
func ParseLint(out string) []LintIssue {
	var issues []LintIssue
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimSpace(l)
		prefix, problem, ok := strings.Cut(l, ": ")
		if !ok {
			continue
		}
		parts := strings.Split(prefix, ":")
		if len(parts) < 3 {
			continue
		}
		line, err1 := strconv.Atoi(parts[len(parts)-2])
		col, err2 := strconv.Atoi(parts[len(parts)-1])
		if err1 != nil || err2 != nil {
			continue
		}
		issues = append(issues, LintIssue{Line: line, Col: col, Problem: problem})
	}
	return issues
}

// NewLintIssues returns the issues of after that the change r introduced:
// issues of before outside the changed lines are moved by the change's
// line delta and discounted; issues inside the changed lines always count.
// For a replace-all edit, line numbers cannot be followed, so issues are
// compared by their text alone (the seed reports every issue after a
// replace-all, so a file with any old issue could never be edited that way).
func NewLintIssues(before, after []LintIssue, r EditResult) []LintIssue {
	old := map[LintIssue]int{}
	delta := r.Lines - (r.To - r.From + 1)
	for _, e := range before {
		switch {
		case r.All:
			e.Line, e.Col = 0, 0
		case e.Line < r.From:
		case e.Line <= r.To:
			continue
		default:
			e.Line += delta
		}
		old[e]++
	}
	var out []LintIssue
	for _, e := range after {
		k := e
		if r.All {
			k.Line, k.Col = 0, 0
		}
		if old[k] > 0 {
			old[k]--
			continue
		}
		out = append(out, e)
	}
	return out
}

// LintFailure is the editor's message when an edit introduced lint errors
// and was reverted: the errors, the window as it would have been, and the
// window as it is.
func LintFailure(issues []LintIssue, applied, original string) string {
	var errs []string
	for _, e := range issues {
		errs = append(errs, "- "+e.Problem)
	}
	rule := strings.Repeat("-", 48)
	return fmt.Sprintf("Your proposed edit has introduced new syntax error(s). Read the errors below carefully, then retry your edit.\n\n"+
		"ERRORS:\n\n%s\n\nThis is how your edit would have looked if applied\n%s\n%s\n%s\n\n"+
		"This is the original code before your edit\n%s\n%s\n%s\n\n"+
		"Your changes have NOT been applied. Fix your edit command and try again.\nDo not run the same failed edit command again: it will fail the same way.",
		strings.Join(errs, "\n"), rule, applied, rule, rule, original, rule)
}
