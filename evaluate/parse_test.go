package evaluate

import (
	"strings"
	"testing"
)

// parserGoldens pairs each testdata log with the parser that reads it.
var parserGoldens = []struct{ log, parser string }{
	{"pytest_flask", "parse_log_pytest"},
	{"pytest_options_pylint", "parse_log_pytest_options"},
	{"pytest_v2_sklearn_ansi", "parse_log_pytest_v2"},
	{"pytest_v2_astropy_classic", "parse_log_pytest_v2"},
	{"django_sitemaps", "parse_log_django"},
	{"unittest_py311", "unittest"},
	{"sympy_sparse", "parse_log_sympy"},
	{"seaborn", "parse_log_seaborn"},
	{"matplotlib", "parse_log_matplotlib"},
	{"edge_fallback_whole_log", "parse_log_pytest"},
	{"edge_missing_end_marker", "parse_log_pytest"},
	{"edge_test_patch_failed", "parse_log_pytest"},
	{"edge_timed_out", "parse_log_pytest"},
}

// TestParserGoldens parses every testdata log and compares the full
// LogResult with testdata/logs/<name>.golden.json.
func TestParserGoldens(t *testing.T) {
	for _, g := range parserGoldens {
		t.Run(g.log, func(t *testing.T) {
			p, err := ParserByName(g.parser)
			if err != nil {
				t.Fatal(err)
			}
			res := ParseLogWith(p, readTestdata(t, "logs/"+g.log+".log"))
			got, err := encodeJSON(res)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "logs/"+g.log+".golden.json", got)
		})
	}
}

// parse runs a named parser over a testdata log through ParseLogWith.
func parse(t *testing.T, parser, log string) LogResult {
	t.Helper()
	p, err := ParserByName(parser)
	if err != nil {
		t.Fatal(err)
	}
	return ParseLogWith(p, readTestdata(t, "logs/"+log+".log"))
}

// expectStatus checks selected entries of a status map ("" = absent).
func expectStatus(t *testing.T, m StatusMap, want map[string]Status) {
	t.Helper()
	for id, w := range want {
		if got, ok := m[id]; w == "" && ok {
			t.Errorf("%q present as %s, want absent", id, got)
		} else if w != "" && got != w {
			t.Errorf("%q = %q, want %s", id, got, w)
		}
	}
}

func TestPytestFamilies(t *testing.T) {
	flask := parse(t, "pytest", "pytest_flask")
	expectStatus(t, flask.Status, map[string]Status{
		"tests/test_json.py::test_html_escape[with":      StatusPassed, // cut at the space, as v4.1
		"tests/test_json.py::test_tojson_filter":         StatusXFail,
		"tests/test_json.py::test_json_customization":    StatusFailed,
		"tests/test_json.py::test_modified_url_encoding": StatusError,
		"[1]": StatusSkipped, // v4.1 files "SKIPPED [1] path:line: reason" under "[1]"
		"tests/test_json.py::test_html_escape[with spaces inside]":  "",
		`tests/test_json.py::test_json_as_unicode[True-"\u2603"]`:   StatusPassed,
		"tests/test_json.py::test_bad_request_debug_message[False]": StatusPassed,
	})
	if flask.ExitCode != 1 || flask.WholeLog || !flask.Applied {
		t.Errorf("flask result %+v", flask)
	}

	pylint := parse(t, "pytest_options", "pytest_options_pylint").Status
	expectStatus(t, pylint, map[string]Status{
		"tests/test_self.py::TestRunTC::test_do_not_import_files_from_local_directory[/main.py]":              StatusPassed,
		"tests/test_self.py::TestRunTC::test_ignore_recursive[/failing.py]":                                   StatusFailed,
		"tests/test_self.py::TestRunTC::test_ignore_pattern_recursive[.*ignored.*]":                           StatusPassed,
		"tests/test_self.py::TestRunTC::test_output_file_valid_path[//server/share/output.txt]":               StatusPassed,
		"tests/test_self.py::TestRunTC::test_recursive_globbing[/testbed/tests/regrtest_data/directory/*.py]": StatusPassed,
	})

	sk := parse(t, "pytest_v2", "pytest_v2_sklearn_ansi").Status
	expectStatus(t, sk, map[string]Status{
		"sklearn/utils/tests/test_pprint.py::test_basic": StatusPassed,
		// v4.1 cuts ids at the first space and removes "[1m" inside them.
		"sklearn/utils/tests/test_pprint.py::test_kwargs_in_init[param":              StatusPassed,
		"sklearn/utils/tests/test_pprint.py::test_kwargs_in_init[param with spaces]": "",
		"sklearn/utils/tests/test_pprint.py::test_n_max_elements_to_showin]":         StatusPassed,
		"sklearn/utils/tests/test_pprint.py::test_n_max_elements_to_show[1min]":      "",
		"sklearn/utils/tests/test_pprint.py::test_gridsearch_pipeline":               StatusPassed,
		"sklearn/utils/tests/test_pprint.py::test_bruteforce_ellipsis":               StatusXFail,
		"sklearn/utils/tests/test_pprint.py::test_changed_only":                      StatusFailed,
		"sklearn/utils/tests/test_pprint.py::test_pipeline[a":                        StatusFailed,
	})

	astropy := parse(t, "pytest_v2", "pytest_v2_astropy_classic")
	expectStatus(t, astropy.Status, map[string]Status{
		"astropy/utils/tests/test_misc.py::test_isiterable":                  StatusPassed,
		"astropy/utils/tests/test_misc.py::test_api_lookup":                  StatusSkipped,
		"astropy/utils/tests/test_misc.py::test_inherit_docstrings_property": StatusFailed,
	})
	if astropy.ExitCode != -1 {
		t.Errorf("v4.1 log without exit line: ExitCode = %d, want -1", astropy.ExitCode)
	}

	mpl := parse(t, "matplotlib", "matplotlib").Status
	expectStatus(t, mpl, map[string]Status{
		"lib/matplotlib/tests/test_widgets.py::test_span_selector_onselect[True-1]": StatusPassed,
		"lib/matplotlib/tests/test_widgets.py::test_span_selector_onselect[True-3]": StatusFailed,
		"lib/matplotlib/tests/test_widgets.py::test_lasso_selector[1-True]":         StatusPassed,
	})

	sea := parse(t, "seaborn", "seaborn").Status
	expectStatus(t, sea, map[string]Status{
		"tests/_core/test_plot.py::TestInit::test_empty":                        StatusPassed,
		"tests/_core/test_plot.py::TestInit::test_df_and_named_variables":       StatusPassed,
		"tests/_core/test_plot.py::TestScaling::test_inference_from_layer_data": StatusFailed,
		"tests/_core/test_plot.py::TestScaling::test_nominal_x_axis_tweaks":     "",
		"tests/_core/test_plot.py::TestPlotting::test_on_figure":                "",
	})
}

func TestDjangoAndUnittest(t *testing.T) {
	dj := parse(t, "parse_log_django", "django_sitemaps").Status
	expectStatus(t, dj, map[string]Status{
		"A cached sitemap index can be rendered (#2713).":                             StatusPassed,
		"test_empty_page (sitemaps_tests.test_http.HTTPSitemapTests)":                 StatusPassed,
		"test_empty_page (sitemaps_tests.test_http.HTTPSitemapTests.test_empty_page)": "", // no aliasing in the official parser
		"test_callable_sitemod_no_items (sitemaps_tests.test_http.HTTPSitemapTests)":  StatusFailed,
		"test_callable_sitemod_no_items":                                              StatusFailed, // FAIL: header
		"test_requestsite_sitemap (sitemaps_tests.test_http.HTTPSitemapTests)":        StatusSkipped,
		"The Last-Modified header should be support dates (without time).":            StatusError,
		"test_x_robots_sitemap (sitemaps_tests.test_http.HTTPSitemapTests)":           StatusPassed,
		"test_debug_output (sitemaps_tests.test_http.HTTPSitemapTests)":               StatusPassed,
		"test_check_command (sitemaps_tests.test_http.HTTPSitemapTests)":              StatusPassed,
		"--version is equivalent to version":                                          StatusPassed,
		"test_noisy_but_passing (sitemaps_tests.test_http.HTTPSitemapTests)":          StatusPassed,
		"test_no_migrations (sitemaps_tests.test_http.DeprecatedTests)":               StatusPassed,
		"test_deprecated_ping (sitemaps_tests.test_http.DeprecatedTests)":             StatusError,
	})

	u := parse(t, "unittest", "unittest_py311").Status
	expectStatus(t, u, map[string]Status{
		"test_add (tests.test_calc.CalcTests.test_add)":                       StatusPassed,
		"test_add (tests.test_calc.CalcTests)":                                StatusPassed,
		"test_divide_by_zero (tests.test_calc.CalcTests)":                     StatusFailed,
		"test_divide_by_zero (tests.test_calc.CalcTests.test_divide_by_zero)": StatusFailed,
		"Parsing accepts surrounding whitespace.":                             StatusPassed,
		"test_power (tests.test_calc.CalcTests)":                              StatusSkipped,
		"test_sub (tests.test_calc.CalcTests)":                                StatusError,
	})
}

func TestSympy(t *testing.T) {
	m := parse(t, "sympy", "sympy_sparse").Status
	expectStatus(t, m, map[string]Status{
		"test_sparse_matrix": StatusFailed,
		"test_transpose":     StatusPassed,
		"test_sparse_solve":  StatusError,
		"test_hermitian":     "", // "f" is not read, as in the harness
		"sympy/matrices/tests/test_sparse.py:test_sparse_solve":  StatusFailed,
		"sympy/matrices/tests/test_sparse.py:test_sparse_matrix": StatusFailed,
	})
}

func TestMarkerHandling(t *testing.T) {
	fb := parse(t, "pytest", "edge_fallback_whole_log")
	if !fb.Applied || !fb.WholeLog || fb.Status["tests/test_basic.py::test_url_mapping"] != StatusPassed || fb.ExitCode != 0 {
		t.Errorf("fallback: %+v", fb)
	}
	for _, name := range []string{"edge_missing_end_marker", "edge_test_patch_failed", "edge_timed_out"} {
		r := parse(t, "pytest", name)
		if r.Applied || len(r.Status) != 0 || r.Problem == "" {
			t.Errorf("%s: %+v, want not applied, no statuses, a problem", name, r)
		}
	}
	// Only the section between the markers is read when it has results.
	log := "PASSED before::x\n+ : '>>>>> Start Test Output'\nFAILED in::y - boom\n+ : '>>>>> End Test Output'\nPASSED after::z\n"
	r := ParseLogWith(ParsePytest, log)
	if len(r.Status) != 1 || r.Status["in::y"] != StatusFailed {
		t.Errorf("section parse: %+v", r.Status)
	}
}

func TestParserRegistry(t *testing.T) {
	for _, n := range []string{"parse_log_pytest", "pytest", "pytest_options", "pytest_v2", "django", "sympy", "seaborn", "matplotlib", "unittest", "parse_log_unittest"} {
		if _, err := ParserByName(n); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParserByName("parse_log_go"); err == nil || !strings.Contains(err.Error(), "parse_log_go") {
		t.Errorf("unknown parser error = %v", err)
	}
	for _, repo := range KnownRepos() {
		if _, ok := ParserNameForRepo(repo); !ok {
			t.Errorf("no parser for %s", repo)
		}
	}
	if p, err := ParserFor(Spec{Repo: "pydicom/pydicom", LogParser: "parse_log_pytest_options"}); err != nil || p == nil {
		t.Errorf("LogParser override: %v", err)
	}
}
