package agent

import "strings"

// SplitLines splits s like Python's str.splitlines(): on \n, \r\n, \r, \v,
// \f, \x1c-\x1e, \x85, U+2028 and U+2029, with no trailing empty element.
// The seed counts a file's lines this way (seed-system §14).
func SplitLines(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch rs[i] {
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
			out = append(out, string(rs[start:i]))
			start = i + 1
		case '\r':
			out = append(out, string(rs[start:i]))
			if i+1 < len(rs) && rs[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// CountLines is len(SplitLines(s)) without building the lines.
func CountLines(s string) int {
	n := 0
	pending := false // characters since the last line break
	prevCR := false
	for _, r := range s {
		switch r {
		case '\n':
			if !prevCR {
				n++
			}
			pending, prevCR = false, false
		case '\r', '\v', '\f', '\x1c', '\x1d', '\x1e', '\u0085', '\u2028', '\u2029':
			n++
			pending, prevCR = false, r == '\r'
		default:
			pending, prevCR = true, false
		}
	}
	if pending {
		n++
	}
	return n
}

// PyQuote quotes s as one shell word with Python's shlex.quote rules: s
// unchanged when it is non-empty and only has [A-Za-z0-9_@%+=:,./-], else
// wrapped in single quotes with each ' written as '"'"'.
func PyQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
