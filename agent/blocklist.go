package agent

import (
	"regexp"
	"strings"
)

// Blocklist are commands refused at the start of an action (editors,
// pagers, debuggers, never-ending or long-running programs), seed-system §4.4.
var Blocklist = []string{"vim", "vi", "emacs", "nano", "nohup", "gdb", "less", "tail -f", "python -m venv", "make"}

// BlocklistStandalone are commands refused when they are the whole action:
// they would start an interactive session (a REPL or a shell).
var BlocklistStandalone = []string{"python", "python3", "ipython", "bash", "sh", "/bin/bash", "/bin/sh", "nohup", "vi", "vim", "emacs", "nano", "su"}

// blockUnless are programs refused unless the action matches the pattern
// (radare2 only in batch mode, with -c).
var blockUnless = map[string]*regexp.Regexp{
	"radare2": regexp.MustCompile(`\bradare2\b.*\s+-c\s+.*`),
	"r2":      regexp.MustCompile(`\br2\b.*\s+-c\s+.*`),
}

// Blocked reports whether an action is refused before it runs.
//
// Fix (seed bug): the seed tests whether a blocklist entry starts with the
// action (reversed), so `vim foo.py` runs while a bare `make`, `tail`, `m`
// or `g` is refused. Here an action is refused when it starts with an
// entry followed by the end of the action or whitespace, so `vim foo.py`
// and `make test` are refused and `makemigrations.py` or `vim_config`
// are not.
func Blocked(action string) bool {
	return blocked(action, Blocklist, BlocklistStandalone, blockUnless)
}

// blocked applies the three lists to an action (see Blocked).
func blocked(action string, prefix, standalone []string, unless map[string]*regexp.Regexp) bool {
	a := strings.TrimSpace(action)
	if a == "" {
		return false
	}
	for _, s := range standalone {
		if a == s {
			return true
		}
	}
	for _, b := range prefix {
		if b != "" && (a == b || strings.HasPrefix(a, b) && strings.ContainsRune(" \t\n", rune(a[len(b)]))) {
			return true
		}
	}
	first := strings.Fields(a)[0]
	if re, ok := unless[first]; ok && !re.MatchString(a) {
		return true
	}
	return false
}

// BlockedMessage is the seed's refusal (the requery message of a blocked
// action).
func BlockedMessage(action string) string {
	return "Operation '" + action + "' is not supported by this environment."
}
