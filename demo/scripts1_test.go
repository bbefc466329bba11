package demo

// Scripted turns for the small tasks. Observations are not written here:
// TestRecord runs these commands and records what they really print.

const listFiles = `find . -type f -not -path './.git/*' | sort`

func init() {
	scripts["demo__pager-1"] = []step{
		{"I'll start by getting an overview of the repository layout.", listFiles},
		{"The pagination logic lives in pager/pagination.py. Let me read it.", "cat pager/pagination.py"},
		{"page_count() uses floor division (total // per_page), which drops a trailing partial page. Before changing anything, let me reproduce the reported behaviour.",
			`python3 -c 'from pager import paginate, page_count; print(page_count(45, 20)); print(paginate(range(45), page=3, per_page=20).items)'`},
		{"Confirmed: page_count(45, 20) returns 2, so page 3 is rejected as out of range. The count has to round up. I'll use integer ceiling division, which avoids floats, and check that the line changed.",
			`sed -i 's|    return total // per_page|    return -(-total // per_page)|' pager/pagination.py && grep -n "return -(-total" pager/pagination.py`},
		{"Now let me re-run the examples from the issue, plus an exact multiple and a result set smaller than one page.",
			`python3 -c 'from pager import paginate, page_count; print(page_count(45, 20), page_count(40, 20), page_count(3, 20)); print(paginate(range(45), page=3, per_page=20).items); print(paginate(range(45), page=2, per_page=20).has_next); print(paginate("abc", per_page=20))'`},
		{"All cases behave as expected. Let me run the whole test suite to make sure nothing else broke.", "python3 -m unittest -v"},
		{"All tests pass. The fix is a one-line change to page_count, so I'll submit.", submitCommand},
	}

	scripts["demo__semver-2"] = []step{
		{"Let me look at what the repository contains.", listFiles},
		{"The parser is in semverlite/version.py. Let me read it.", "cat semverlite/version.py"},
		{"Let me reproduce the problem with a simple and a dotted pre-release.",
			`python3 -c 'import semverlite; print(semverlite.parse("2.0.0-beta")); print(semverlite.parse("1.0.0-rc.1"))'`},
		{"The single-word pre-release parses but 1.0.0-rc.1 is rejected. Let me look at how the pattern is assembled.",
			`grep -n "_IDENT\|VERSION_RE" semverlite/version.py`},
		{"The build part allows dot-separated identifiers ({_IDENT}(?:\\.{_IDENT})*), but the pre-release part only allows a single {_IDENT}. Let me run two of the related tests to see the current failures.",
			"python3 -m unittest tests.test_version.ParseTests.test_dotted_prerelease tests.test_version.OrderingTests.test_sorting_spec_example"},
		{"Both fail with the same ValueError. I'll change the pre-release group to accept dot-separated identifiers, the same way the build group does.",
			`python3 - <<'EOF'
from pathlib import Path

path = Path("semverlite/version.py")
src = path.read_text()
old = 'rf"(?:-(?P<prerelease>{_IDENT}))?"'
new = r'rf"(?:-(?P<prerelease>{_IDENT}(?:\.{_IDENT})*))?"'
assert src.count(old) == 1, "pattern not found"
path.write_text(src.replace(old, new))
print("patched")
EOF`},
		{"Let me check the edited pattern.", "sed -n '9,14p' semverlite/version.py"},
		{"The pattern looks right. _split() already splits on dots and _prerelease_key() compares numeric identifiers numerically, so parsing and ordering should now work. Let me verify.",
			`python3 -c 'from semverlite import parse; v = parse("1.0.0-rc.1"); print(repr(v), v.prerelease); print(parse("1.0.0-alpha.2") < parse("1.0.0-alpha.10") < parse("1.0.0")); print(parse("3.1.0-alpha.beta.7+exp.sha.5114f85").build)'`},
		{"That works. I also want to make sure malformed pre-releases (empty identifiers) are still rejected.",
			`python3 -c 'from semverlite import parse
for text in ["1.0.0-", "1.0.0-rc..1", "1.0.0-rc.", "1.0.0-.rc"]:
    try:
        parse(text)
        print(text, "ACCEPTED")
    except ValueError as exc:
        print(text, "->", exc)'`},
		{"Empty identifiers are still rejected. Now the full test suite.", "python3 -m unittest -v"},
		{"All 16 tests pass. Submitting the fix.", submitCommand},
	}

	scripts["demo__csvout-3"] = []step{
		{"Let me see what is in the repository.", "ls && ls tablekit tests"},
		{"The writer is tablekit/csvout.py. Let me read it.", "cat tablekit/csvout.py"},
		{"quote_field() escapes embedded quotes as \\\" instead of doubling them, which is what RFC 4180 and the csv module expect. I'll write a small reproduction script that round-trips rows through csv.reader.",
			`cat > reproduce.py <<'EOF'
import csv
import io

from tablekit import dumps

rows = [["1", 'He said "ship it", then left'], ["2", 'C:\\temp\\"x"']]
text = dumps(rows)
print(text)
parsed = list(csv.reader(io.StringIO(text)))
print(parsed)
print("roundtrip ok" if parsed == rows else "roundtrip BROKEN")
EOF`},
		{"Now let me run it.", "python3 reproduce.py"},
		{"Reproduced: the first row is split into three fields and backslashes leak into the values. Let me find the escaping code.",
			"grep -n 'replace' tablekit/csvout.py"},
		{"Line 33 is the only place. I'll rewrite that line so embedded quotes are doubled; backslashes then stay literal.",
			`python3 - <<'EOF'
from pathlib import Path

path = Path("tablekit/csvout.py")
lines = path.read_text().splitlines(keepends=True)
for i, line in enumerate(lines):
    if "text.replace(" in line:
        print("old:", line.rstrip())
        lines[i] = """    return '"' + text.replace('"', '""') + '"'\n"""
        print("new:", lines[i].rstrip())
path.write_text("".join(lines))
EOF`},
		{"Let me re-run the reproduction script.", "python3 reproduce.py"},
		{"Both rows now round-trip. Let me run the module's tests.", "python3 -m unittest tests.test_csvout -v"},
		{"All tests pass, so I'll submit. I'm keeping reproduce.py as a quick manual check of the round trip.", submitCommand},
	}
}
