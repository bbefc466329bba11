package evaluate

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// eachLine calls f with every line of log as Python's log.split("\n")
// gives them (1-based numbers).
func eachLine(log string, f func(n int, line string)) {
	n := 0
	for {
		n++
		line, rest, found := strings.Cut(log, "\n")
		f(n, line)
		if !found {
			return
		}
		log = rest
	}
}

// parsePytest41 is v4.1 parse_log_pytest (flask, pytest, xarray): a line
// that starts with one of the five status words, unstripped and with no
// colour codes removed, files its second whitespace-separated field under
// its first. On FAILED lines every " - " becomes " " first, so the failure
// message's first word cannot be taken for the id. Ids are cut at their
// first whitespace, as the dataset's id lists for these repositories are.
func parsePytest41(log string, out *parsed) {
	eachLine(log, func(_ int, line string) {
		if id, st, ok := pytestLine41(line); ok {
			out.set(id, st)
		}
	})
}

func pytestLine41(line string) (string, Status, bool) {
	if !hasStatusPrefix(line) {
		return "", "", false
	}
	if strings.HasPrefix(line, "FAILED") {
		line = strings.ReplaceAll(line, " - ", " ")
	}
	f := pySplit(line)
	if len(f) <= 1 {
		return "", "", false
	}
	return f[1], Status(f[0]), true
}

// parsePytestOptions41 is v4.1 parse_log_pytest_options (requests, pylint):
// parsePytest41, then the id goes through shortenPathOption.
func parsePytestOptions41(log string, out *parsed) {
	eachLine(log, func(_ int, line string) {
		if id, st, ok := pytestLine41(line); ok {
			out.set(shortenPathOption(id), st)
		}
	})
}

// shortenPathOption is the harness's `(.*?)\[(.*)\]` rewrite: the part
// before the first "[" and the option up to the last "]" (anything after
// that "]" is dropped); an option that starts with one "/" and has no "*"
// is cut to "/" plus its last path component.
func shortenPathOption(id string) string {
	i := strings.IndexByte(id, '[')
	if i < 0 {
		return id
	}
	j := strings.LastIndexByte(id, ']')
	if j < i {
		return id
	}
	main, opt := id[:i], id[i+1:j]
	if strings.HasPrefix(opt, "/") && !strings.HasPrefix(opt, "//") && !strings.Contains(opt, "*") {
		opt = "/" + opt[strings.LastIndexByte(opt, '/')+1:]
	}
	return main + "[" + opt + "]"
}

// parseMatplotlib is parse_log_matplotlib (the same in v4.1 and v5):
// MouseButton.LEFT / MouseButton.RIGHT are written 1 / 3 on each line,
// then the line is read as parsePytest41 reads it.
func parseMatplotlib(log string, out *parsed) {
	eachLine(log, func(_ int, line string) {
		line = strings.ReplaceAll(line, "MouseButton.LEFT", "1")
		line = strings.ReplaceAll(line, "MouseButton.RIGHT", "3")
		if id, st, ok := pytestLine41(line); ok {
			out.set(id, st)
		}
	})
}

// cleanV2 is what parse_log_pytest_v2 does to each line first: every
// "[<digits>m" goes (a colour code whose ESC byte is removed next, but
// also "[1m" inside a test id: "test_x[1m]" becomes "test_x]"), then every
// character U+0001..U+001F (ESC, tab, carriage return, ...).
func cleanV2(line string) string {
	line = stripDigitsM(line)
	if strings.IndexFunc(line, func(r rune) bool { return r >= 1 && r < 32 }) < 0 {
		return line
	}
	b := make([]byte, 0, len(line))
	for i := 0; i < len(line); i++ {
		if c := line[i]; c == 0 || c >= 32 {
			b = append(b, c)
		}
	}
	return string(b)
}

// stripDigitsM removes every non-overlapping `\[(\d+)m` match in one left
// to right pass, as re.sub does; \d is any Unicode decimal digit.
func stripDigitsM(s string) string {
	if !strings.Contains(s, "[") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '[' {
			j := i + 1
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsDigit(r) || (r == utf8.RuneError && size == 1) {
					break
				}
				j += size
			}
			if j > i+1 && j < len(s) && s[j] == 'm' {
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// parsePytestV241 is v4.1 parse_log_pytest_v2 (astropy, scikit-learn,
// sphinx). After cleanV2, a line that starts with a status word files its
// second field under its first (on FAILED lines " - " becomes " " first);
// otherwise a line that ends with a status word (the old "<id> STATUS"
// form) files its second field under its first. Either way the id is cut
// at its first whitespace, and in the old form the "status" is the second
// field even when the id had a space ("t[a b] PASSED" gives t[a → b]).
func parsePytestV241(log string, out *parsed) {
	eachLine(log, func(_ int, line string) {
		line = cleanV2(line)
		switch {
		case hasStatusPrefix(line):
			if strings.HasPrefix(line, "FAILED") {
				line = strings.ReplaceAll(line, " - ", " ")
			}
			if f := pySplit(line); len(f) >= 2 {
				out.set(f[1], Status(f[0]))
			}
		case hasStatusSuffix(line):
			if f := pySplit(line); len(f) >= 2 {
				out.set(f[0], Status(f[1]))
			}
		}
	})
}

// pytestLine5 is v5's _parse_pytest_result_line: "STATUS <id>" (the id is
// the first non-space run after the status and whitespace; on FAILED lines
// the second field after " - " → " "; a "SKIPPED [N] ..." count line is
// no test), or "<id> STATUS" followed by whitespace or the end.
func pytestLine5(line string, out *parsed, parser string, n int) (string, Status, bool) {
	for _, w := range statusWords {
		rest, ok := strings.CutPrefix(line, w)
		if !ok {
			continue
		}
		trimmed := strings.TrimLeftFunc(rest, pyIsSpace)
		if len(trimmed) == len(rest) || trimmed == "" {
			break // no whitespace, or nothing after it
		}
		id := trimmed
		if k := strings.IndexFunc(id, pyIsSpace); k >= 0 {
			id = id[:k]
		}
		if w == "FAILED" {
			f, ok := pyField(strings.ReplaceAll(line, " - ", " "), 1)
			if !ok {
				out.raises(parser, n, line)
				return "", "", false
			}
			id = f
		}
		if w == "SKIPPED" && skipCountPrefix(id) {
			return "", "", false
		}
		return id, Status(w), true
	}
	if line == "" || pyIsSpace(firstRune(line)) {
		return "", "", false
	}
	k := strings.IndexFunc(line, pyIsSpace)
	if k < 0 {
		return "", "", false
	}
	id := line[:k]
	rest := strings.TrimLeftFunc(line[k:], pyIsSpace)
	for _, w := range statusWords {
		if after, ok := strings.CutPrefix(rest, w); ok && (after == "" || pyIsSpace(firstRune(after))) {
			return id, Status(w), true
		}
	}
	return "", "", false
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// skipCountPrefix is re.match(r"\[\d+\]", s): s starts with "[", decimal
// digits and "]".
func skipCountPrefix(s string) bool {
	rest, ok := strings.CutPrefix(s, "[")
	if !ok {
		return false
	}
	digits := strings.TrimLeftFunc(rest, unicode.IsDigit)
	return len(digits) < len(rest) && strings.HasPrefix(digits, "]")
}

// parsePytest5 is v5 parse_log_pytest: every line read by pytestLine5.
func parsePytest5(log string, out *parsed) {
	eachLine(log, func(n int, line string) {
		if id, st, ok := pytestLine5(line, out, "parse_log_pytest", n); ok {
			out.set(id, st)
		}
	})
}

// parsePytestOptions5 is v5 parse_log_pytest_options.
func parsePytestOptions5(log string, out *parsed) {
	eachLine(log, func(n int, line string) {
		if id, st, ok := pytestLine5(line, out, "parse_log_pytest_options", n); ok {
			out.set(shortenPathOption(id), st)
		}
	})
}

// parsePytestV25 is v5 parse_log_pytest_v2: cleanV2, then pytestLine5.
func parsePytestV25(log string, out *parsed) {
	eachLine(log, func(n int, line string) {
		if id, st, ok := pytestLine5(cleanV2(line), out, "parse_log_pytest_v2", n); ok {
			out.set(id, st)
		}
	})
}
