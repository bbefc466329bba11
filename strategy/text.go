package strategy

import "strings"

// LineCount returns len(s.splitlines()) with Python semantics: lines end at
// \n, \r\n, \r, \v, \f, \x1c, \x1d, \x1e, U+0085, U+2028 and U+2029; a final
// line without a terminator counts, a trailing terminator adds no empty line,
// and the empty string has 0 lines.
func LineCount(s string) int {
	n := 0
	open := false // characters seen since the last line boundary
	prevCR := false
	for _, r := range s {
		if r == '\n' && prevCR { // second half of \r\n
			prevCR = false
			continue
		}
		prevCR = r == '\r'
		if isLineBoundary(r) {
			n++
			open = false
		} else {
			open = true
		}
	}
	if open {
		n++
	}
	return n
}

func isLineBoundary(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// truncateWords applies the seed's word limit: the words are s split on single
// spaces (Python s.split(" "), which keeps empty fields). With limit < 0 or at
// most limit words s is returned unchanged; otherwise the first limit words
// joined by spaces followed by "...", and truncated is true.
func truncateWords(s string, limit int) (out string, truncated bool) {
	if limit < 0 {
		return s, false
	}
	words := strings.Split(s, " ")
	if len(words) <= limit {
		return s, false
	}
	return strings.Join(words[:limit], " ") + "...", true
}

// keptAction applies max_kept_action_length to one action: -1 keeps it,
// 0 empties it, k keeps the first k words.
func keptAction(action string, limit int) string {
	if limit == 0 {
		return ""
	}
	out, _ := truncateWords(action, limit)
	return out
}
