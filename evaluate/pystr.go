package evaluate

import "strings"

// The official parsers are Python; these helpers give Go strings Python's
// str semantics where the parsers depend on them.

// pyIsSpace is Python's str.isspace for one character: the whitespace that
// str.split(), str.strip() and the regex class \s use. Unlike Go's
// unicode.IsSpace it includes the separators U+001C..U+001F.
func pyIsSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ', 0x85, 0xa0,
		0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// pySpaceClass is pyIsSpace as a regexp character class (Python's \s on
// str patterns).
const pySpaceClass = `[\t\n\v\f\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]`

// pySplit is str.split() without arguments: runs of whitespace separate,
// and there are no empty fields.
func pySplit(s string) []string { return strings.FieldsFunc(s, pyIsSpace) }

// pyStrip is str.strip() without arguments.
func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// pyLStrip is str.lstrip() without arguments.
func pyLStrip(s string) string { return strings.TrimLeftFunc(s, pyIsSpace) }

// pyField is str.split()[n], and whether the field exists (Python raises
// IndexError where it does not).
func pyField(s string, n int) (string, bool) {
	f := pySplit(s)
	if n < len(f) {
		return f[n], true
	}
	return "", false
}

// textMode is what Python's open(path).read() makes of a log: universal
// newlines, so "\r\n" and a lone "\r" both become "\n". The harness reads
// test_output.txt that way before it parses anything.
func textMode(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
