package metrics

import (
	"strings"
	"unicode"
)

// Exit categories (seed-system §7.7); `exit/<category>` counts them.
const (
	CatUnknown     = "unknown"
	CatSubmitted   = "submitted"
	CatCost        = "exit_cost"
	CatContext     = "exit_context"
	CatTimeout     = "exit_timeout"
	CatFormat      = "exit_format"
	CatForfeit     = "exit_forfeit"
	CatAPI         = "exit_api"
	CatEnvironment = "exit_environment"
	CatCommand     = "exit_command"
	CatError       = "exit_error"
	CatOther       = "other"
)

// categoryTests are the seed's substring tests, first match wins.
var categoryTests = []struct {
	subs []string
	cat  string
}{
	{[]string{"cost"}, CatCost},
	{[]string{"context"}, CatContext},
	{[]string{"timeout", "execution_time"}, CatTimeout},
	{[]string{"format"}, CatFormat},
	{[]string{"forfeit"}, CatForfeit},
	{[]string{"api"}, CatAPI},
	{[]string{"environment"}, CatEnvironment},
	{[]string{"command"}, CatCommand},
	{[]string{"error"}, CatError},
}

// ExitCategory maps an exit status to its category exactly as the seed's
// _categorize_exit_status (case-insensitive):
//   - "" → unknown;
//   - a status starting with "submitted" that contains both "(" and ")" is
//     categorized by its reason: the text after the first "(", cut at the
//     next "(" or ")", whitespace-stripped ("submitted (exit_cost)" →
//     exit_cost, "submitted ()" → unknown); without both → submitted;
//   - otherwise the first substring test that matches: cost, context,
//     timeout|execution_time, format, forfeit, api, environment, command,
//     error; else other.
func ExitCategory(status string) string {
	if status == "" {
		return CatUnknown
	}
	s := pyLower(status)
	if strings.HasPrefix(s, "submitted") {
		if strings.Contains(s, "(") && strings.Contains(s, ")") {
			reason := strings.Split(s, "(")[1]
			reason = strings.Split(reason, ")")[0]
			return ExitCategory(pyStrip(reason))
		}
		return CatSubmitted
	}
	for _, t := range categoryTests {
		for _, sub := range t.subs {
			if strings.Contains(s, sub) {
				return t.cat
			}
		}
	}
	return CatOther
}

// IsSubmitted is the seed's `submitted`: the status starts with "submitted"
// (case-sensitive), so autosubmissions and empty patches count.
func IsSubmitted(status string) bool { return strings.HasPrefix(status, "submitted") }

// Repo is the seed's `repo`: the part of the id before the first "__", or,
// without "__", before the first "-"; "unknown" when that is empty. It is
// the GitHub owner ("django__django-1" → "django", "psf__requests-2" → "psf").
func Repo(id string) string {
	r := id
	if i := strings.Index(id, "__"); i >= 0 {
		r = id[:i]
	} else if i := strings.Index(id, "-"); i >= 0 {
		r = id[:i]
	}
	if r == "" {
		return CatUnknown
	}
	return r
}

// CountPatchLines is the seed's patch_lines: the number of lines of the
// submission (Python str.splitlines) that are not blank (str.strip).
func CountPatchLines(patch string) int {
	n := 0
	for _, line := range strings.FieldsFunc(patch, isLineBreak) {
		if pyStrip(line) != "" {
			n++
		}
	}
	return n
}

// isLineBreak reports the separators of Python's str.splitlines.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// isPySpace is Python's str.isspace for one rune: Unicode White_Space plus
// the separators U+001C..U+001F.
func isPySpace(r rune) bool { return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f) }

// pyStrip is Python's str.strip().
func pyStrip(s string) string { return strings.TrimFunc(s, isPySpace) }

// pyLower approximates Python's str.lower(); the one mapping that matters
// for substring tests and differs in Go (İ → "i̇", two runes) is applied.
func pyLower(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}
