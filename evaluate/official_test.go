package evaluate

import (
	"maps"
	"strings"
	"testing"
)

// officialCase is one log snippet and the status map the official
// harness v4.1.0 parser returns for it, worked out by hand from the
// parser's code (swebench/harness/log_parsers/python.py at 726c546), or
// raises: the official parser raises IndexError on it.
type officialCase struct {
	name   string
	log    string
	want   StatusMap
	raises bool
}

// officialTable holds at least ten snippets per parser. It covers every
// point of issue 15: ids cut at whitespace, "[<digits>m" removed inside
// ids, Django's "ok"-prefix and hard-coded migration line, colour codes
// left alone where the parser does not strip them, Python's whitespace
// (U+001C..U+001F, U+00A0, ...), and the lines the official parsers raise on.
var officialTable = map[string][]officialCase{
	"parse_log_pytest": {
		{"summary lines", "PASSED tests/a.py::t1\nFAILED tests/a.py::t2 - AssertionError: x\nERROR tests/a.py::t3\nXFAIL tests/a.py::t4 - reason\n",
			StatusMap{"tests/a.py::t1": "PASSED", "tests/a.py::t2": "FAILED", "tests/a.py::t3": "ERROR", "tests/a.py::t4": "XFAIL"}, false},
		{"skip count line filed under [N]", "SKIPPED [1] tests/a.py:5: no network\n", StatusMap{"[1]": "SKIPPED"}, false},
		{"id cut at its first space", "PASSED tests/a.py::t[a b]\n", StatusMap{"tests/a.py::t[a": "PASSED"}, false},
		{"FAILED: every ' - ' removed first", "FAILED - tests/a.py::t - boom\n", StatusMap{"tests/a.py::t": "FAILED"}, false},
		{"colour codes are not stripped", "\x1b[32mPASSED\x1b[0m tests/a.py::t\nPASSED\x1b[0m tests/a.py::u\n", StatusMap{"tests/a.py::u": "PASSED\x1b[0m"}, false},
		{"indented and verbose lines are not read", "  PASSED tests/a.py::t\ntests/a.py::u PASSED [ 50%]\n", StatusMap{}, false},
		{"first word is the status", "PASSEDx tests/a.py::t\nERROR: file not found: x\n", StatusMap{"tests/a.py::t": "PASSEDx", "file": "ERROR:"}, false},
		{"a lone status word is skipped", "PASSED\nFAILED   \nXFAIL\n", StatusMap{}, false},
		{"Python whitespace includes U+001C..U+001F and NBSP", "PASSED\x1ctests/a.py::t\nFAILED\u00a0tests/a.py::u\nPASSED\u200btests/a.py::v\n",
			StatusMap{"tests/a.py::t": "PASSED", "tests/a.py::u": "FAILED", "[1]": ""}, false},
		{"a carriage return inside a line is whitespace to split()", "PASSED tests/a.py::t\rFAILED tests/a.py::u\n", StatusMap{"tests/a.py::t": "PASSED"}, false},
		{"the last line for an id wins", "FAILED tests/a.py::t\nPASSED tests/a.py::t\n", StatusMap{"tests/a.py::t": "PASSED"}, false},
	},
	"parse_log_pytest_options": {
		{"absolute path option cut to its last component", "PASSED tests/t.py::test[/tmp/pytest-0/x/input.py]\n", StatusMap{"tests/t.py::test[/input.py]": "PASSED"}, false},
		{"double slash kept", "PASSED tests/t.py::test[//server/share/o.txt]\n", StatusMap{"tests/t.py::test[//server/share/o.txt]": "PASSED"}, false},
		{"a star keeps the path", "PASSED tests/t.py::test[/a/*.py]\n", StatusMap{"tests/t.py::test[/a/*.py]": "PASSED"}, false},
		{"no option", "FAILED tests/t.py::test - boom\n", StatusMap{"tests/t.py::test": "FAILED"}, false},
		{"text after the last ] is dropped", "PASSED t[a]b]c\n", StatusMap{"t[a]b]": "PASSED"}, false},
		{"] before [ is no option", "PASSED t]x[y\n", StatusMap{"t]x[y": "PASSED"}, false},
		{"FAILED with path and message", "FAILED tests/t.py::test[/a/b.py] - assert 1\n", StatusMap{"tests/t.py::test[/b.py]": "FAILED"}, false},
		{"a space cuts the id before the ]", "PASSED t[/a/b c]\n", StatusMap{"t[/a/b": "PASSED"}, false},
		{"relative path kept", "PASSED t[a/b.py]\n", StatusMap{"t[a/b.py]": "PASSED"}, false},
		{"trailing slash leaves /", "PASSED t[/a/b/]\nPASSED u[/]\n", StatusMap{"t[/]": "PASSED", "u[/]": "PASSED"}, false},
		{"nested brackets: option from the first [", "PASSED t[x[/a/b]]\nSKIPPED [3] t.py:1: r\n", StatusMap{"t[x[/a/b]]": "PASSED", "[3]": "SKIPPED"}, false},
	},
	"parse_log_pytest_v2": {
		{"id cut at its first space", "PASSED tests/t.py::test[a b]\n", StatusMap{"tests/t.py::test[a": "PASSED"}, false},
		{"the dataset's truncated sphinx id", "PASSED tests/test_markup.py::test_inline[verify-:kbd:`Alt+^`-<p><kbd class=\"kbd\">Alt</kbd>]\n",
			StatusMap{"tests/test_markup.py::test_inline[verify-:kbd:`Alt+^`-<p><kbd": "PASSED"}, false},
		{"[<digits>m removed inside ids", "PASSED sklearn/t.py::test_x[1m]\nPASSED sklearn/t.py::test_n[1min]\n",
			StatusMap{"sklearn/t.py::test_x]": "PASSED", "sklearn/t.py::test_nin]": "PASSED"}, false},
		{"colour codes and ESC removed", "\x1b[32mPASSED\x1b[0m tests/a.py::t\n", StatusMap{"tests/a.py::t": "PASSED"}, false},
		{"a code with ; survives and hides the status", "\x1b[1;31mFAILED\x1b[0m tests/a.py::t\n", StatusMap{}, false},
		{"old form: second field is the status", "tests/a.py::t PASSED\ntests/a.py::u[a b] PASSED\n",
			StatusMap{"tests/a.py::t": "PASSED", "tests/a.py::u[a": "b]"}, false},
		{"tab deleted, not split on", "PASSED\ttests/a.py::t\ntests/a.py::u\tPASSED\n", StatusMap{}, false},
		{"FAILED: ' - ' removed inside the id too", "FAILED tests/a.py::t[a - b] - boom\n", StatusMap{"tests/a.py::t[a": "FAILED"}, false},
		{"U+001C deleted, not split on", "PASSED\x1ctests/a.py::t\nPASSED tests/a.py::u\n", StatusMap{"tests/a.py::u": "PASSED"}, false},
		{"percent suffix: neither form", "tests/a.py::t PASSED [ 50%]\n", StatusMap{}, false},
		{"any decimal digit makes a code", "PASSED t[\u0663m]\n", StatusMap{"t]": "PASSED"}, false},
		{"start form wins over end form", "PASSED x PASSED\nXFAIL tests/a.py::t - reason\n", StatusMap{"x": "PASSED", "tests/a.py::t": "XFAIL"}, false},
		{"carriage return deleted inside a line", "PASSED a\rb\n", StatusMap{"ab": "PASSED"}, false},
	},
	"parse_log_django": {
		{"verdict lines", "test_a (m.C) ... ok\ntest_b (m.C) ... FAIL\ntest_c (m.C) ... ERROR\ntest_d (m.C) ... skipped 'x'\n",
			StatusMap{"test_a (m.C)": "PASSED", "test_b (m.C)": "FAILED", "test_c (m.C)": "ERROR", "test_d (m.C)": "SKIPPED"}, false},
		{"docstring names", "A docstring line. ... ok\nAnother one ...  OK\n", StatusMap{"A docstring line.": "PASSED", "Another one": "PASSED"}, false},
		{"a later ok passes the pending test", "test_e (m.C) ... Creating table x\nok\n", StatusMap{"test_e (m.C)": "PASSED"}, false},
		{"'... ' stripped away is no pending test", "test_a (m.C) ... ok\ntest_f (m.C) ... \nok\n", StatusMap{"test_a (m.C)": "PASSED"}, false},
		{"any line starting with ok counts", "test_g (m.C) ... Running\n   okay then\n", StatusMap{"test_g (m.C)": "PASSED"}, false},
		{"the one hard-coded migration line", "Applying sites.0002_alter_domain_unique...test_no_migrations (m.T) ... ok\n",
			StatusMap{"test_no_migrations (m.T)": "PASSED"}, false},
		{"other migration output stays glued", "Applying auth.0001_initial...test_x (m.C) ... ok\n",
			StatusMap{"Applying auth.0001_initial...test_x (m.C)": "PASSED"}, false},
		{"FAIL: and ERROR: headers file the bare name", "FAIL: test_b (m.C)\nERROR: test_c (m.C)\n", StatusMap{"test_b": "FAILED", "test_c": "ERROR"}, false},
		{"bare FAIL: raises", "test_b (m.C) ... FAIL\nFAIL:\n", StatusMap{"test_b (m.C)": "FAILED"}, true},
		{"bare ERROR: raises", "ERROR:x\n", StatusMap{}, true},
		{"multi-line pattern keeps the name unstripped", "  test_h (m.C) ... System check identified no issues (0 silenced)\nok\n",
			StatusMap{"test_h (m.C)": "PASSED", "  test_h (m.C)": "PASSED"}, false},
		{"pattern \\s is Python's (vertical tab)", "test_j (m.C)\x0b...\x0bSystem check identified no issues (0 silenced)\nok\n",
			StatusMap{"test_j (m.C)": "PASSED"}, false},
		{"Testing against Django spans lines", "test_i (m.C) ... Testing against Django installed in '/x'\nwith 8 processes\nSystem check identified no issues (0 silenced).\nok\n",
			StatusMap{"test_i (m.C)": "PASSED"}, false},
		{"--version and skipped anywhere", "--version is equivalent to version\ntest_k (m.C) ... skipped 'a ... skipped'\nx ... FAIL ... FAIL\n",
			StatusMap{"--version is equivalent to version": "PASSED", "test_k (m.C)": "SKIPPED", "x": "FAILED"}, false},
		{"no aliasing of Python 3.11 names; Python whitespace stripped", "test_a (m.C.test_a) ... ok\n\x1ctest_l (m.C) ... ok\x1f\n",
			StatusMap{"test_a (m.C.test_a)": "PASSED", "test_l (m.C)": "PASSED"}, false},
	},
	"parse_log_seaborn": {
		{"FAILED line", "FAILED tests/t.py::a - boom\n", StatusMap{"tests/t.py::a": "FAILED"}, false},
		{"verbose PASSED", "tests/t.py::b PASSED [ 10%]\n", StatusMap{"tests/t.py::b": "PASSED"}, false},
		{"summary PASSED", "PASSED tests/t.py::c\n", StatusMap{"tests/t.py::c": "PASSED"}, false},
		{"other statuses are not read", "SKIPPED [1] x\nXFAIL tests/t.py::d\nERROR tests/t.py::e\ntests/t.py::f PASSED\n", StatusMap{}, false},
		{"bare FAILED raises", "PASSED tests/t.py::c\nFAILED\n", StatusMap{"tests/t.py::c": "PASSED"}, true},
		{"a line whose only field is PASSED raises", "  PASSED  \n", StatusMap{}, true},
		{"second field must be PASSED", "x y PASSED z\n", StatusMap{}, false},
		{"indented verbose line", "  tests/t.py::g PASSED  \n", StatusMap{"tests/t.py::g": "PASSED"}, false},
		{"FAILED prefix of a longer word", "FAILEDx tests/t.py::h\n", StatusMap{"tests/t.py::h": "FAILED"}, false},
		{"tab after PASSED", "PASSED\ttests/t.py::i\n", StatusMap{"tests/t.py::i": "PASSED"}, false},
		{"colour codes are not stripped", "\x1b[32mPASSED\x1b[0m tests/t.py::j\n", StatusMap{}, false},
	},
	"parse_log_sympy": {
		{"verdict lines", "test_a ok\ntest_b F\ntest_c E\ntest_d f\ntest_e s\n", StatusMap{"test_a": "PASSED", "test_b": "FAILED", "test_c": "ERROR"}, false},
		{"failure header", "________ sympy/core/tests/test_x.py:test_b ________\n", StatusMap{"sympy/core/tests/test_x.py:test_b": "FAILED"}, false},
		{"header without underscores", "see sympy/a.py:test_q now\n", StatusMap{"sympy/a.py:test_q": "FAILED"}, false},
		{"header regex is greedy on both sides", "__ a.py:b c.py:d e __\n", StatusMap{"a.py:b c.py:d e": "FAILED"}, false},
		{"stripped lines", "   test_f ok   \n", StatusMap{"test_f": "PASSED"}, false},
		{"spaces before the verdict", "test_g   ok\n", StatusMap{"test_g": "PASSED"}, false},
		{"only the end counts", "test_h ok F\n", StatusMap{"test_h": "FAILED"}, false},
		{"tab before the verdict", "test_i\tok\n", StatusMap{}, false},
		{"lines not starting with test_", "  sympy/x.py[3] test_j ok\ntests finished: 3 passed\n", StatusMap{}, false},
		{"header and verdict both filed", "test_k F\n___ sympy/b.py:test_k ___\n", StatusMap{"test_k": "FAILED", "sympy/b.py:test_k": "FAILED"}, false},
		{"Python whitespace stripped", "\x1etest_l ok\u3000\n", StatusMap{"test_l": "PASSED"}, false},
	},
	"parse_log_matplotlib": {
		{"MouseButton.LEFT is 1", "PASSED lib/t.py::test_x[MouseButton.LEFT-True]\n", StatusMap{"lib/t.py::test_x[1-True]": "PASSED"}, false},
		{"MouseButton.RIGHT is 3", "FAILED lib/t.py::test_x[MouseButton.RIGHT] - boom\n", StatusMap{"lib/t.py::test_x[3]": "FAILED"}, false},
		{"both", "PASSED lib/t.py::test_x[MouseButton.LEFTMouseButton.RIGHT]\n", StatusMap{"lib/t.py::test_x[13]": "PASSED"}, false},
		{"other buttons kept", "PASSED lib/t.py::test_x[MouseButton.MIDDLE]\n", StatusMap{"lib/t.py::test_x[MouseButton.MIDDLE]": "PASSED"}, false},
		{"skip count line", "SKIPPED [2] lib/t.py:3: reason\n", StatusMap{"[2]": "SKIPPED"}, false},
		{"id cut at space", "PASSED lib/t.py::test_y[a b]\n", StatusMap{"lib/t.py::test_y[a": "PASSED"}, false},
		{"colour codes not stripped", "\x1b[32mPASSED\x1b[0m lib/t.py::t\n", StatusMap{}, false},
		{"FAILED ' - ' replaced", "FAILED - lib/t.py::z\n", StatusMap{"lib/t.py::z": "FAILED"}, false},
		{"U+001F splits", "XFAIL\x1flib/t.py::w\n", StatusMap{"lib/t.py::w": "XFAIL"}, false},
		{"a lone status word is skipped", "ERROR\n", StatusMap{}, false},
	},
}

func TestOfficialParserTable(t *testing.T) {
	for name, cases := range officialTable {
		if len(cases) < 10 {
			t.Errorf("%s: %d snippets, want at least 10", name, len(cases))
		}
		p, err := LogParserByName(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			got, notes := p.Parse(HarnessV41, c.log)
			want := StatusMap{}
			for k, v := range c.want {
				if v != "" {
					want[k] = v
				}
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s / %s:\n got %q\nwant %q", name, c.name, got, want)
			}
			if raised := len(notes) > 0; raised != c.raises {
				t.Errorf("%s / %s: notes %q, official raises: %v", name, c.name, notes, c.raises)
			}
		}
	}
	if len(officialTable) != 7 {
		t.Errorf("%d parsers in the table, want the 7 in use", len(officialTable))
	}
}

// envelope wraps a test section the way the eval script's xtrace does.
func envelope(section string) string {
	return "+ git apply -v -\n+ : '" + MarkerStartTests + "'\n+ pytest -rA\n" + section + "+ : '" + MarkerEndTests + "'\n"
}

// TestOfficialEnvelope checks get_logs_eval's handling of the whole log.
func TestOfficialEnvelope(t *testing.T) {
	S, E := MarkerStartTests, MarkerEndTests
	cases := []struct {
		name    string
		log     string
		want    StatusMap
		applied bool
		whole   bool
	}{
		{"a lone \\r ends a line (text mode)", envelope("PASSED a\rPASSED b\r\nPASSED c\n"), StatusMap{"a": "PASSED", "b": "PASSED", "c": "PASSED"}, true, false},
		{"stops at the first end marker", "+ : '" + S + "'\nPASSED a\n+ : '" + E + "'\nPASSED b\n+ : '" + E + "'\n", StatusMap{"a": "PASSED"}, true, false},
		{"an end marker before the start marker counts", "+ : '" + E + "'\n+ : '" + S + "'\nPASSED a\n", StatusMap{"a": "PASSED"}, true, false},
		{"a second start marker ends the section", "+ : '" + S + "'\nPASSED a\n+ : '" + S + "'\nPASSED b\n+ : '" + E + "'\n", StatusMap{"a": "PASSED"}, true, false},
		{"markers mid-line cut mid-line", "PASSED x " + S + " PASSED y\n" + E, StatusMap{"x": "PASSED"}, true, true},
		{"empty section: the whole log", "PASSED before\n+ : '" + S + "'\n+ : '" + E + "'\nPASSED after\n", StatusMap{"before": "PASSED", "after": "PASSED"}, true, true},
		{"no results at all: applied, nothing passes", envelope("nothing\n"), StatusMap{}, true, false},
		{"failure marker anywhere", envelope("PASSED a\n") + ">>>>> Tests Timed Out\n", StatusMap{}, false, false},
		{"missing end marker", "+ : '" + S + "'\nPASSED a\n", StatusMap{}, false, false},
	}
	for _, c := range cases {
		r := ParseLogRules(parserPytest, HarnessV41, c.log)
		if !maps.Equal(r.Status, c.want) || r.Applied != c.applied || r.WholeLog != c.whole {
			t.Errorf("%s: got %q applied=%v whole=%v; want %q %v %v", c.name, r.Status, r.Applied, r.WholeLog, c.want, c.applied, c.whole)
		}
	}
}

// TestOfficialVerdicts grades whole logs and checks `resolved` against
// the verdict the official v4.1.0 harness gives (and v5's where it differs).
func TestOfficialVerdicts(t *testing.T) {
	sphinxID := "tests/test_markup.py::test_inline[verify-:kbd:`Alt+^`-<p><kbd"
	cases := []struct {
		name           string
		spec           Spec
		section        string
		want41, wantV5 bool
	}{
		{"sphinx-8621: the dataset's truncated id resolves with the gold log",
			Spec{Repo: "sphinx-doc/sphinx", Version: "3.5", FailToPass: []string{sphinxID}},
			"PASSED tests/test_markup.py::test_inline[verify-:kbd:`Alt+^`-<p><kbd class=\"kbd\">Alt</kbd>+<kbd>^</kbd></p>-\\\\sphinxkeyboard]\n", true, true},
		{"sklearn: the dataset's [1m-mangled id",
			Spec{Repo: "scikit-learn/scikit-learn", Version: "1.3", FailToPass: []string{"sklearn/t.py::test_x]"}},
			"PASSED sklearn/t.py::test_x[1m]\n", true, true},
		{"django: okay passes the pending test",
			Spec{Repo: "django/django", Version: "4.2", FailToPass: []string{"test_g (m.C)"}},
			"test_g (m.C) ... Running\nokay\n", true, true},
		{"django: 3.11 names do not match dataset names",
			Spec{Repo: "django/django", Version: "5.0", FailToPass: []string{"test_g (m.C)"}},
			"test_g (m.C.test_g) ... ok\n", false, false},
		{"pytest: a colour-wrapped status is neither pass nor fail",
			Spec{Repo: "pytest-dev/pytest", Version: "8.0", FailToPass: []string{"t.py::a"}, PassToPass: []string{"t.py::b"}},
			"PASSED\x1b[0m t.py::a\nPASSED t.py::b\n", true, false},
		{"v5: a SKIPPED PASS_TO_PASS test is maintained",
			Spec{Repo: "pallets/flask", Version: "2.3", FailToPass: []string{"t.py::a"}, PassToPass: []string{"t.py::b"}},
			"PASSED t.py::a\nSKIPPED t.py::b\n", true, true},
		{"v5: a SKIPPED FAIL_TO_PASS test fails",
			Spec{Repo: "pallets/flask", Version: "2.3", FailToPass: []string{"t.py::a", "t.py::b"}},
			"PASSED t.py::a\nSKIPPED t.py::b\n", true, false},
		{"v5: truncated id, candidates disagree",
			Spec{Repo: "astropy/astropy", Version: "5.0", FailToPass: []string{"t.py::u[a"}},
			"PASSED t.py::u[a b]\nFAILED t.py::u[a c]\n", false, false},
		{"a log the official parser raises on is never resolved",
			Spec{Repo: "django/django", Version: "4.2", FailToPass: []string{"test_g (m.C)"}},
			"test_g (m.C) ... ok\nFAIL:\n", false, false},
		{"v5: a non-zero exit code with nothing failed is rejected",
			Spec{Repo: "pallets/flask", Version: "2.3", FailToPass: []string{"t.py::a"}},
			"PASSED t.py::a\n+ : '" + MarkerEndTests + "'\n>>>>> Test Exit Code: 1\n", true, false},
	}
	for _, c := range cases {
		for _, h := range Harnesses {
			spec := c.spec
			spec.InstanceID, spec.Harness = "x__y-1", h
			rep, err := Grade(spec, "+ : '"+MarkerStartTests+"'\n"+c.section+"+ : '"+MarkerEndTests+"'\n")
			if err != nil {
				t.Fatal(err)
			}
			want := c.want41
			if h == HarnessV5 {
				want = c.wantV5
			}
			if rep.Resolved != want || rep.Harness != h {
				t.Errorf("%s under %s: resolved %v, want %v (%+v, %s)", c.name, h, rep.Resolved, want, rep.TestsStatus, rep.Log.Problem)
			}
		}
	}
}

// TestUnknownVersion: v4.1 raises on a (repo, version) missing from its
// spec table; ours names both.
func TestUnknownVersion(t *testing.T) {
	spec := Spec{InstanceID: "astropy__astropy-1", Repo: "astropy/astropy", Version: "5.3", BaseCommit: "abc"}
	for _, err := range []error{
		func() error { _, err := MakeEvalScript(spec); return err }(),
		func() error { _, err := Grade(spec, envelope("PASSED a\n")); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), `"astropy/astropy"`) || !strings.Contains(err.Error(), `"5.3"`) || !strings.Contains(err.Error(), "v5.3") {
			t.Errorf("unknown version error = %v", err)
		}
	}
	spec.Version = "v5.3"
	if _, err := MakeEvalScript(spec); err != nil {
		t.Errorf("v5.3: %v", err)
	}
	n := 0
	for _, vs := range specVersions {
		n += len(vs)
	}
	if n != 193 {
		t.Errorf("%d (repo, version) pairs, want v4.1.0's 193", n)
	}
	// A row with its own parser is graded without the table.
	spec.Version, spec.LogParser = "9.9", "pytest_v2"
	if _, err := Grade(spec, envelope("PASSED a\n")); err != nil {
		t.Errorf("row with log_parser: %v", err)
	}
}
