package activities

import (
	"fmt"
	"unicode/utf8"
)

// MaxReplyBytes caps the text of a model reply kept in the history: a
// runaway reply (10 MB of repeated tokens) would otherwise be stored,
// sent back with every later turn and written into the .traj many times.
const MaxReplyBytes = 256 << 10

// capReply cuts a reply longer than MaxReplyBytes at a character boundary
// and notes the cut in the text (so the model and the trajectory show it);
// it returns the original size when it cut, else 0.
func capReply(s string) (string, int) {
	if len(s) <= MaxReplyBytes {
		return s, 0
	}
	cut := MaxReplyBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n\n[ctxsweep: the model's reply was %d bytes; only its first %d are kept]", len(s), cut), len(s)
}
