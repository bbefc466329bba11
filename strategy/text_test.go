package strategy

import "testing"

func TestLineCount(t *testing.T) {
	cases := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"a", 1},
		{"a\n", 1},
		{"\n", 1},
		{"\n\n", 2},
		{"a\nb", 2},
		{"a\n\nb", 3},
		{"a\r\nb", 2},
		{"a\r\n", 1},
		{"a\rb", 2},
		{"\r\r\n", 2},
		{"\n\r", 2},
		{"a\r\n\r\nb", 3},
		{"a\vb\fc", 3},
		{"\x1c\x1d\x1e", 3},
		{"a\u0085b", 2},
		{"a\u2028b\u2029", 2},
		{"tab\tand space ", 1},
		{"out\n(Open file: n/a)\n(Current directory: /testbed)\nbash-$", 4},
		{"ünïcödé\nzeile", 2},
	}
	for _, c := range cases {
		if got := LineCount(c.in); got != c.want {
			t.Errorf("LineCount(%q) = %d, want %d", c.in, got, c.want)
		}
	}
	if got := MaskedContent("x\ny\n"); got != "Old environment output: (2 lines omitted)" {
		t.Errorf("MaskedContent = %q", got)
	}
	if got := MaskedContent(""); got != "Old environment output: (0 lines omitted)" {
		t.Errorf("MaskedContent(\"\") = %q", got)
	}
}

func TestTruncateWords(t *testing.T) {
	cases := []struct {
		in        string
		limit     int
		want      string
		truncated bool
	}{
		{"a b c", -1, "a b c", false},
		{"a b c", 3, "a b c", false},
		{"a b c", 2, "a b...", true},
		{"a  b", 2, "a ...", true}, // split(" ") keeps the empty field
		{"", 1, "", false},
		{"one\ntwo three", 1, "one\ntwo...", true},
	}
	for _, c := range cases {
		got, tr := truncateWords(c.in, c.limit)
		if got != c.want || tr != c.truncated {
			t.Errorf("truncateWords(%q, %d) = %q, %v; want %q, %v", c.in, c.limit, got, tr, c.want, c.truncated)
		}
	}
	if got := keptAction("ls -la", 0); got != "" {
		t.Errorf("keptAction limit 0 = %q", got)
	}
}
