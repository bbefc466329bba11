package demo

import "strings"

const confkitRepro = `python3 - <<'EOF'
import confkit

samples = [
    '[site]\ntitle = "Tips # and tricks"\n',
    '[db]\npassword = "s3cr3t ;not a comment" ; rotated 2024-05\n',
    '[a]\nname = "x"  # note\n',
]
for text in samples:
    try:
        cfg = confkit.loads(text)
        section = cfg.sections()[0]
        print("OK   ", dict(cfg.items(section)))
    except confkit.ConfigError as exc:
        print("ERROR", exc)
EOF`

// The docstring keeps the file's “...“ markup; Go raw strings cannot hold
// backticks, so ~~ stands in for them.
var confkitQuoteAwareFix = strings.ReplaceAll(`python3 - <<'EOF'
from pathlib import Path

path = Path("confkit/parser.py")
src = path.read_text()
start = src.index("def _strip_inline_comment(value):")
end = src.index("def _unquote(")
new = r'''def _strip_inline_comment(value):
    """Remove a trailing ~~# ...~~ or ~~; ...~~ comment from a raw value.

    A marker only starts a comment when whitespace precedes it and it is
    not inside a double-quoted string, so values such as ~~#fff~~, ~~a;b~~
    or ~~"x # y"~~ are kept intact. Escaped quotes do not end a string.
    """
    in_quotes = False
    escaped = False
    for i, ch in enumerate(value):
        if in_quotes:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_quotes = False
        elif ch == '"':
            in_quotes = True
        elif ch in "#;" and i > 0 and value[i - 1] in " \t":
            return value[:i].rstrip()
    return value.rstrip()


'''
path.write_text(src[:start] + new + src[end:])
print("replaced", src[start:end].count("\n"), "lines")
EOF`, "~~", "``")

func init() {
	scripts["demo__confkit-6"] = []step{
		{"Let me start with an overview of the repository.", listFiles},
		{"The README should describe the supported syntax, including quoting.", "cat README.md"},
		{"Let me check how big the modules are before reading them.", "wc -l confkit/*.py tests/*.py"},
		{"parser.py is about 280 lines and holds all the parsing logic. Let me read it in full.", "cat confkit/parser.py"},
		{"Inline comments are removed by _strip_inline_comment() before _unquote() sees the value, and the stripping does not know about quotes. Let me see where it is called.",
			`grep -n "_strip_inline_comment" confkit/parser.py`},
		{"It is used for the first line of an option and for continuation lines. Let me reproduce the issue with the two examples from the report plus a quoted value followed by a real comment.",
			confkitRepro},
		{"Reproduced: the first two fail with 'unterminated quoted string' while a comment after a closing quote works. Let me run the related tests.",
			"python3 -m unittest tests.test_parser.SyntaxTests.test_hash_inside_quotes_kept tests.test_parser.SyntaxTests.test_semicolon_inside_quotes_kept"},
		{"Let me look at the function once more.", "sed -n '36,46p' confkit/parser.py"},
		{"The simplest change is to leave quoted values alone, since _unquote() parses them anyway. I'll try that first.",
			`python3 - <<'EOF'
from pathlib import Path

path = Path("confkit/parser.py")
src = path.read_text()
anchor = '    for i, ch in enumerate(value):\n        if ch in "#;"'
assert src.count(anchor) == 1
guard = "    if value.startswith('\"'):\n        return value.rstrip()\n"
path.write_text(src.replace(anchor, guard + anchor))
EOF`},
		{"Let me re-run the reproduction script.", confkitRepro},
		{"The first case is fixed, but the other two now fail with 'unexpected text after closing quote': a comment after a quoted value is no longer stripped. Let me run the whole suite to see the full impact.",
			"python3 -m unittest"},
		{"As expected, the shortcut breaks comments after quoted values (a previously passing test) and does not handle the password case. The scan has to track whether it is inside quotes, including escaped quotes. Let me look at the current state of the function.",
			"sed -n '36,48p' confkit/parser.py"},
		{"I'll replace the whole function with a quote-aware scan: inside quotes, a backslash escapes the next character and an unescaped quote closes the string; outside quotes, the existing whitespace-before-marker rule applies. This also removes the shortcut I added.",
			confkitQuoteAwareFix},
		{"Let me re-run the reproduction script.", confkitRepro},
		{"All three samples parse correctly now. Let me run the full test suite.", "python3 -m unittest"},
		{"All tests pass. Let me check a few edge cases: escaped quotes followed by markers inside the string, a URL fragment, and an unterminated string, which must still be rejected.",
			`python3 - <<'EOF'
import confkit

cfg = confkit.loads('[a]\nquip = "say \\"hi # there\\" ; ok" # trailing\nurl = http://x/#frag ; comment\n')
print(cfg.get("a", "quip"))
print(cfg.get("a", "url"))
try:
    confkit.loads('[a]\nx = "open # not closed\n')
except confkit.ParseError as exc:
    print("still rejected:", exc)
EOF`},
		{"The edge cases behave correctly. Let me review the final diff.", "git diff"},
		{"The change is confined to _strip_inline_comment and fixes the issue without breaking existing behaviour. Submitting.", submitCommand},
	}
}
