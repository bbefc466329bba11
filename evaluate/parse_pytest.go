package evaluate

import (
	"regexp"
	"strings"
)

// summaryLine splits a pytest `-rA` short-summary line ("STATUS rest") that
// starts, unindented, with one of the five status words. SKIPPED lines of
// the form "SKIPPED [N] path:line: reason" name no test and are dropped
// (as v5 does; v4.1 files them under the id "[N]").
func summaryLine(line string) (Status, []string, bool) {
	fields := strings.Fields(line)
	if len(fields) < 2 || !strings.HasPrefix(line, fields[0]) {
		return "", nil, false
	}
	st, ok := isStatus(fields[0])
	if !ok || (st == StatusSkipped && skipCount.MatchString(fields[1])) {
		return "", nil, false
	}
	return st, fields, true
}

var skipCount = regexp.MustCompile(`^\[\d+\]$`)

// ParsePytest is parse_log_pytest: every `-rA` summary line
// "STATUS <id> [- message]" gives <id> = the second whitespace token. Ids
// with spaces are therefore cut at the first space, exactly as the harness
// (and the dataset's id lists for these repos) have them.
func ParsePytest(log string) StatusMap {
	m := StatusMap{}
	for _, line := range logLines(log) {
		if st, f, ok := summaryLine(line); ok {
			m[f[1]] = st
		}
	}
	return m
}

// ParsePytestOptions is parse_log_pytest_options (requests, pylint): like
// ParsePytest, but a parametrized id whose parameter is an absolute path
// keeps only "/<last component>" inside the brackets, so ids do not depend
// on pytest's temporary directories:
// "t.py::test[/tmp/pytest-0/x/input.py]" → "t.py::test[/input.py]".
func ParsePytestOptions(log string) StatusMap {
	m := StatusMap{}
	for _, line := range logLines(log) {
		if st, f, ok := summaryLine(line); ok {
			m[shortenPathOption(f[1])] = st
		}
	}
	return m
}

// shortenPathOption applies the harness's `(.*?)\[(.*)\]` rewrite: main
// part up to the first "[", option up to the last "]" (anything after it
// is dropped); an option starting with a single "/" and without "*" is cut
// to its last path component.
func shortenPathOption(id string) string {
	i, j := strings.Index(id, "["), strings.LastIndex(id, "]")
	if i < 0 || j < i {
		return id
	}
	main, opt := id[:i], id[i+1:j]
	if strings.HasPrefix(opt, "/") && !strings.HasPrefix(opt, "//") && !strings.Contains(opt, "*") {
		opt = "/" + opt[strings.LastIndex(opt, "/")+1:]
	}
	return main + "[" + opt + "]"
}

// ParseMatplotlib is parse_log_matplotlib: ParsePytest after writing
// MouseButton.LEFT / MouseButton.RIGHT as 1 / 3 (the ids in the dataset
// come from runs where the enum printed as its value).
func ParseMatplotlib(log string) StatusMap {
	return ParsePytest(mouseButtons.Replace(log))
}

var mouseButtons = strings.NewReplacer("MouseButton.LEFT", "1", "MouseButton.RIGHT", "3")

// ParsePytestV2 is parse_log_pytest_v2 (astropy, scikit-learn, sphinx). It
// removes colour codes and control characters, then reads
//   - summary lines "STATUS <id>": the id is the whole rest of the line, so
//     parametrized ids with spaces survive; for non-PASSED lines a trailing
//     " - message" (outside brackets) is cut off first;
//   - the older verbose form "<id> STATUS" (status last on the line).
//
// Deviation from v4.1, which only removes " - " on FAILED lines: an
// "XFAIL <id> - reason" line is filed under <id> (a pass) as well as under
// the harness's key "<id> - reason". FAILED/ERROR lines differ only in
// their (failing either way) keys.
func ParsePytestV2(log string) StatusMap {
	m := StatusMap{}
	for _, line := range logLines(log) {
		line = stripControl(stripBareColour(line))
		if st, f, ok := summaryLine(line); ok {
			if st == StatusPassed {
				m[strings.Join(f[1:], " ")] = st
				continue
			}
			rest := strings.TrimSpace(strings.TrimPrefix(line, f[0]))
			m[strings.Join(strings.Fields(cutMessage(rest)), " ")] = st
			if st == StatusXFail {
				m[strings.Join(f[1:], " ")] = st
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) >= 2 {
			if st, ok := isStatus(f[len(f)-1]); ok {
				m[strings.Join(f[:len(f)-1], " ")] = st
			}
		}
	}
	return m
}

// cutMessage drops a " - message" suffix that is not inside brackets.
func cutMessage(s string) string {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case ' ':
			if depth == 0 && strings.HasPrefix(s[i:], " - ") {
				return s[:i]
			}
		}
	}
	return s
}

var bareColour = regexp.MustCompile(`\[[0-9;]*m`)

// stripBareColour removes colour codes whose ESC byte was already lost
// ("[32mPASSED[0m"), as the harness's `\[(\d+)m` rule does, but only where
// they touch a line edge, a space or a status word: "test_x[1min]" keeps
// its parameter, which the harness would mangle.
func stripBareColour(line string) string {
	if !strings.Contains(line, "m") {
		return line
	}
	var b strings.Builder
	last := 0
	for _, loc := range bareColour.FindAllStringIndex(line, -1) {
		s, e := loc[0], loc[1]
		before, after := line[:s], line[e:]
		if s == 0 || strings.HasSuffix(before, " ") || endsWithStatus(before) || e == len(line) ||
			strings.HasPrefix(after, " ") || startsWithStatus(after) || bareColour.MatchString(prefixCode(after)) {
			b.WriteString(line[last:s])
			last = e
		}
	}
	b.WriteString(line[last:])
	return b.String()
}

// prefixCode returns a colour code at the very start of s, or "".
func prefixCode(s string) string {
	if loc := bareColour.FindStringIndex(s); loc != nil && loc[0] == 0 {
		return s[:loc[1]]
	}
	return ""
}

func endsWithStatus(s string) bool {
	for _, st := range allStatuses {
		if strings.HasSuffix(s, string(st)) {
			return true
		}
	}
	return false
}

func startsWithStatus(s string) bool {
	for _, st := range allStatuses {
		if strings.HasPrefix(s, string(st)) {
			return true
		}
	}
	return false
}

// stripControl deletes control characters (as the harness does), turning
// tabs into spaces first so that tab-separated words stay apart.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r > 0 && r < 32:
			return -1
		}
		return r
	}, s)
}
