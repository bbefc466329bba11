package agent

import (
	"strconv"
	"strings"
	"testing"
)

func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString("l" + strconv.Itoa(i) + "\n")
	}
	return b.String()
}

func TestSplitLinesLikePython(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"\n", []string{""}},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"a\n\n", []string{"a", ""}},
		{"a\r\nb\rc\vd\fe\x1cf\u2028g", []string{"a", "b", "c", "d", "e", "f", "g"}},
		{"a\r\r\n", []string{"a", ""}},
	} {
		got := SplitLines(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("SplitLines(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if CountLines(tc.in) != len(tc.want) {
			t.Errorf("CountLines(%q) = %d, want %d", tc.in, CountLines(tc.in), len(tc.want))
		}
	}
}

func TestPyQuote(t *testing.T) {
	for in, want := range map[string]string{
		"":              "''",
		"src/a.py":      "src/a.py",
		"a-b_c@%+=:,./": "a-b_c@%+=:,./",
		"my file.py":    "'my file.py'",
		"it's":          `'it'"'"'s'`,
		"*.py":          "'*.py'",
		"a\nb":          "'a\nb'",
	} {
		if got := PyQuote(in); got != want {
			t.Errorf("PyQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

var w5 = Window{Size: 5, Overlap: 1}

func TestWindowGeometry(t *testing.T) {
	for _, tc := range []struct{ first, n, want int }{
		{10, 12, 7}, {-3, 12, 0}, {3, 2, 0}, {7, 12, 7}, {0, 0, 0},
	} {
		if got := w5.Clamp(tc.first, tc.n); got != tc.want {
			t.Errorf("Clamp(%d, %d) = %d, want %d", tc.first, tc.n, got, tc.want)
		}
	}
	// int((N-1) - WINDOW/6), truncated toward zero.
	for _, tc := range []struct{ w, line, want int }{{5, 6, 5}, {5, 0, 0}, {100, 292, 275}, {100, 5, -11}, {100, 17, 0}, {100, 116, 99}} {
		if got := (Window{Size: tc.w}).GotoFirst(tc.line); got != tc.want {
			t.Errorf("GotoFirst(W=%d, %d) = %d, want %d", tc.w, tc.line, got, tc.want)
		}
	}
	if got := WindowFromEnv(map[string]string{"WINDOW": "50", "OVERLAP": "5"}); got != (Window{50, 5}) {
		t.Errorf("WindowFromEnv = %+v", got)
	}
	if got := WindowFromEnv(nil); got != DefaultWindow {
		t.Errorf("WindowFromEnv(nil) = %+v", got)
	}
}

func TestShow(t *testing.T) {
	d := Doc{Path: "/r/f.py", Text: numbered(12)}
	for _, tc := range []struct {
		first int
		want  string
	}{
		{0, "[File: /r/f.py (12 lines total)]\n1:l1\n2:l2\n3:l3\n4:l4\n5:l5\n(7 more lines below)"},
		{3, "[File: /r/f.py (12 lines total)]\n(3 more lines above)\n4:l4\n5:l5\n6:l6\n7:l7\n8:l8\n(4 more lines below)"},
		// The last window ends on the last line (clamp fix; the seed stops at line 11).
		{99, "[File: /r/f.py (12 lines total)]\n(7 more lines above)\n8:l8\n9:l9\n10:l10\n11:l11\n12:l12"},
	} {
		d.First = tc.first
		if got := w5.Show(d); got != tc.want {
			t.Errorf("first %d:\n%s\nwant\n%s", tc.first, got, tc.want)
		}
	}
	if got := w5.Show(Doc{Path: "/r/e", Text: ""}); got != "[File: /r/e (0 lines total)]" {
		t.Errorf("empty file: %q", got)
	}
	// A new file from `create` holds one empty line (as in the fixtures).
	if got := w5.Show(Doc{Path: "/r/n.py", Text: "\n"}); got != "[File: /r/n.py (1 lines total)]\n1:" {
		t.Errorf("created file: %q", got)
	}
	if got := w5.Show(Doc{Path: "/r/s", Text: "a\nb"}); got != "[File: /r/s (2 lines total)]\n1:a\n2:b" {
		t.Errorf("no final newline: %q", got)
	}
}

func TestOpenGotoScroll(t *testing.T) {
	d := Doc{Path: "/r/f.py", Text: numbered(12), First: 4}
	first := func(out string) string { return strings.Split(out, "\n")[1] }
	for _, tc := range []struct {
		line      string
		same      bool
		ok        bool
		wantFirst int
		wantStart string
	}{
		{"", false, true, 0, "1:l1"},                // a newly opened file starts at the top (fix)
		{"", true, true, 4, "(4 more lines above)"}, // reopening keeps the window
		{"12", false, true, 7, "(7 more lines above)"},
		{"20", false, true, 7, "Warning: <line_number> (20) is greater than the number of lines in the file (12)"},
		{"0", false, true, 0, "Warning: <line_number> (0) is less than 1"},
		{" 3 ", false, true, 1, "(1 more lines above)"},
		{"x", false, false, 4, "Usage: open \"<file>\" [<line_number>]"},
	} {
		out, nd, ok := w5.Open(d, tc.line, tc.same)
		got := strings.Split(out, "\n")[0]
		if !strings.HasPrefix(got, "[File:") {
			got = strings.Split(out, "\n")[0]
		} else {
			got = first(out)
		}
		if ok != tc.ok || nd.First != tc.wantFirst || got != tc.wantStart {
			t.Errorf("open %q same=%v: ok=%v first=%d line %q; want %v %d %q\n%s", tc.line, tc.same, ok, nd.First, got, tc.ok, tc.wantFirst, tc.wantStart, out)
		}
	}
	out, _, _ := w5.Open(d, "20", false)
	if !strings.Contains(out, "Warning: Setting <line_number> to 12\n[File: /r/f.py (12 lines total)]") {
		t.Errorf("open past the end:\n%s", out)
	}
	if out, _, ok := w5.Goto(d, "13"); ok || out != "Error: <line> must be less than or equal to 12" {
		t.Errorf("goto 13: %v %q", ok, out)
	}
	if out, _, ok := w5.Goto(d, "five"); ok || out != "Usage: goto <line>\nError: <line> must be a number" {
		t.Errorf("goto five: %v %q", ok, out)
	}
	if _, nd, ok := w5.Goto(d, "6"); !ok || nd.First != 4 { // int(5 - 5/6)
		t.Errorf("goto 6: first %d", nd.First)
	}
	d.First = 0
	for i, want := range []int{4, 7, 7} { // WINDOW-OVERLAP = 4 lines a step, clamped
		_, d = w5.Scroll(d, true)
		if d.First != want {
			t.Errorf("scroll_down %d: first %d, want %d", i+1, d.First, want)
		}
	}
	for i, want := range []int{3, 0, 0} {
		_, d = w5.Scroll(d, false)
		if d.First != want {
			t.Errorf("scroll_up %d: first %d, want %d", i+1, d.First, want)
		}
	}
}

func TestViewerState(t *testing.T) {
	s := ViewerState{Cwd: "/old/repo/src", OpenFile: "/old/repo/a.py", Root: "/old/repo", FirstLine: 7}
	n := s.Rebase("/new/repo")
	if n.Cwd != "/new/repo/src" || n.OpenFile != "/new/repo/a.py" || n.Root != "/new/repo" || n.FirstLine != 7 {
		t.Errorf("Rebase = %+v", n)
	}
	if o := (ViewerState{Cwd: "/tmp", Root: "/old/repo"}).Rebase("/new/repo"); o.Cwd != "/tmp" {
		t.Errorf("a path outside the root moved: %+v", o)
	}
	if v := (ViewerState{Cwd: "/r"}).Vars(); v["open_file"] != "n/a" || v["working_dir"] != "/r" {
		t.Errorf("Vars = %v", v)
	}
	if p := (ViewerState{Cwd: "/r/src"}).Resolve("../a.py"); p != "/r/a.py" {
		t.Errorf("Resolve = %s", p)
	}
}
