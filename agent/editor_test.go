package agent

import (
	"strings"
	"testing"
)

func TestEdit(t *testing.T) {
	text := "a\nb\nc\nd\ne\nf\ng\nb\n" // "b" on lines 2 and 8
	for _, tc := range []struct {
		name            string
		text            string
		first           int
		search, replace string
		all             bool
		wantText        string
		wantFirst       int
		wantMsg         string // prefix
		failed          bool
	}{
		{"in window", text, 0, "b", "B", false, "a\nB\nc\nd\ne\nf\ng\nb\n", 0, "Text replaced.", false},
		{"second window", text, 3, "b", "B", false, "a\nb\nc\nd\ne\nf\ng\nB\n", 3, "Text replaced.", false},
		{"multi-line grows", text, 0, "c\nd", "c1\nc2\nd", false, "a\nb\nc1\nc2\nd\ne\nf\ng\nb\n", 1, "Text replaced.", false},
		{"deletion", text, 0, "c\n", "", false, "a\nb\nd\ne\nf\ng\nb\n", 1, "Text replaced.", false},
		{"keeps final newline", "a\nb\n", 0, "b", "B", false, "a\nB\n", 0, "Text replaced.", false},
		{"replace-all covers the file", text, 0, "b", "B", true, "a\nB\nc\nd\ne\nf\ng\nB\n", 0, "Replaced 2 occurrence(s).", false},
		{"replace-all not found", text, 0, "zz", "y", true, text, 0, "Your edit was not applied (file not modified): Text 'zz' not found in the displayed lines (or anywhere in the file).", true},
		{"same strings", text, 0, "b", "b", false, text, 0, "Your search and replace strings are the same.", true},
		{"empty search", text, 0, "", "x", false, text, 0, "Your edit was not applied (file not modified): the search string is empty.", true},
		{"nowhere", text, 0, "zz", "y", false, text, 0, "Your edit was not applied (file not modified): Text 'zz' not found in the displayed lines (or anywhere", true},
		{"outside the window", text, 0, "g", "G", false, text, 0, "Your edit was not applied (file not modified): Text 'g' not found in the displayed lines.\n\nIt occurs elsewhere in the file:\n\n- line 7\n", true},
		{"twice in the window", "x\nx\n", 0, "x", "y", false, "x\nx\n", 0, "Your edit was not applied (file not modified): Found more than one occurrence of 'x'", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w5.Edit(Doc{Path: "/r/f", Text: tc.text, First: tc.first}, tc.search, tc.replace, tc.all)
			if r.Failed != tc.failed || r.Doc.Text != tc.wantText || r.Doc.First != tc.wantFirst || !strings.HasPrefix(r.Message, tc.wantMsg) {
				t.Errorf("failed=%v first=%d text=%q\nmsg=%q", r.Failed, r.Doc.First, r.Doc.Text, r.Message)
			}
		})
	}
	r := w5.Edit(Doc{Text: text}, "c\nd", "X", false)
	if r.From != 3 || r.To != 4 || r.Lines != 1 || r.All {
		t.Errorf("changed lines %d-%d -> %d", r.From, r.To, r.Lines)
	}
}

func TestParseBoolFixesReplaceAll(t *testing.T) {
	// The seed's bool("False") is True; ours is not.
	for in, want := range map[string]bool{"True": true, "true": true, "1": true, "False": false, "false": false, "": false, "0": false} {
		if ParseBool(in) != want {
			t.Errorf("ParseBool(%q) != %v", in, want)
		}
	}
}

func TestInsert(t *testing.T) {
	text := "a\nb\nc\n"
	for _, tc := range []struct {
		name, text, ins, line, want string
		from, lines                 int
		failed                      bool
	}{
		{"append", text, "X", "", "a\nb\nc\nX\n", 4, 1, false},
		{"append without final newline", "a\nb", "X", "", "a\nb\nX", 3, 1, false},
		{"append to empty file", "", "X\n", "", "X", 1, 1, false},
		{"after line 1 (fix: the seed inserts before it)", text, "X\n", "1", "a\nX\nb\nc\n", 2, 1, false},
		{"after line 0 is the top", text, "X", "0", "X\na\nb\nc\n", 1, 1, false},
		{"after the last line", text, "X", "3", "a\nb\nc\nX\n", 4, 1, false},
		{"past the end", text, "X", "99", "a\nb\nc\nX\n", 4, 1, false},
		{"negative", text, "X", "-2", "X\na\nb\nc\n", 1, 1, false},
		{"several lines", text, "X\nY", "1", "a\nX\nY\nb\nc\n", 2, 2, false},
		{"into empty file at a line", "", "X", "1", "X", 1, 1, false},
		{"nothing to insert", text, "", "1", text, 0, 0, false},
		{"bad line", text, "X", "two", text, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w5.Insert(Doc{Text: tc.text}, tc.ins, tc.line)
			if r.Doc.Text != tc.want || r.Failed != tc.failed || r.From != tc.from || r.Lines != tc.lines {
				t.Errorf("got %q failed=%v from=%d lines=%d (%s)", r.Doc.Text, r.Failed, r.From, r.Lines, r.Message)
			}
		})
	}
}

func TestLintFiltering(t *testing.T) {
	issues := ParseLint("/r/f.py:3:1: E999 SyntaxError: invalid syntax\nC:\\x\\f.py:10:5: F821 undefined name 'x'\nnoise\n")
	if len(issues) != 2 || issues[0] != (LintIssue{3, 1, "E999 SyntaxError: invalid syntax"}) || issues[1].Line != 10 || issues[1].Col != 5 {
		t.Fatalf("ParseLint = %+v", issues)
	}
	old := []LintIssue{{10, 5, "F821 undefined name 'x'"}, {2, 1, "E111 indentation"}}
	// Line 2 became three lines: the old error after it moved down by 2; the
	// one inside the changed lines counts as new.
	after := []LintIssue{{12, 5, "F821 undefined name 'x'"}, {2, 1, "E111 indentation"}, {3, 1, "E999 SyntaxError"}}
	got := NewLintIssues(old, after, EditResult{From: 2, To: 2, Lines: 3})
	if len(got) != 2 || got[0].Problem != "E111 indentation" || got[1].Problem != "E999 SyntaxError" {
		t.Errorf("NewLintIssues = %+v", got)
	}
	got = NewLintIssues([]LintIssue{{5, 1, "F821 undefined name 'x'"}}, []LintIssue{{9, 1, "F821 undefined name 'x'"}}, EditResult{All: true})
	if len(got) != 0 {
		t.Errorf("replace-all: an old issue that moved counted as new: %+v", got)
	}
	msg := LintFailure([]LintIssue{{3, 1, "E999 SyntaxError: invalid syntax"}}, "[File: a]", "[File: b]")
	for _, want := range []string{"ERRORS:\n\n- E999 SyntaxError: invalid syntax\n", "applied\n---", "[File: a]", "[File: b]", "NOT been applied"} {
		if !strings.Contains(msg, want) {
			t.Errorf("LintFailure lacks %q:\n%s", want, msg)
		}
	}
}
