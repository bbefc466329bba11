package evaluate

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Status is a test outcome as a harness log parser reports it. The five
// constants are the harness's TestStatus values, but a parser may file
// any first word of a line as a status (v4.1 parse_log_pytest files
// "PASSEDx y" under y with status "PASSEDx"); such a status is neither
// passed nor failed when graded.
type Status string

// The five statuses of the harness's TestStatus.
const (
	StatusPassed  Status = "PASSED"
	StatusFailed  Status = "FAILED"
	StatusSkipped Status = "SKIPPED"
	StatusError   Status = "ERROR"
	StatusXFail   Status = "XFAIL"
)

// statusWords are the TestStatus values in the enum's order.
var statusWords = []string{"FAILED", "PASSED", "SKIPPED", "ERROR", "XFAIL"}

// StatusMap maps a test id, in the repository's own naming, to its status.
type StatusMap map[string]Status

// parsed is what a parser produces: the status map with its keys in first
// insertion order (a Python dict's order, which v5's prefix matching
// depends on), and notes on the lines where the official parser raises.
type parsed struct {
	m     StatusMap
	order []string
	notes []string
}

func newParsed() *parsed { return &parsed{m: StatusMap{}} }

func (p *parsed) set(id string, st Status) {
	if _, ok := p.m[id]; !ok {
		p.order = append(p.order, id)
	}
	p.m[id] = st
}

// raises notes that the official parser raises IndexError on line n (1-based
// within the text it was given); the harness then has no verdict for the
// log. Ours skips the line and goes on.
func (p *parsed) raises(parser string, n int, line string) {
	p.notes = append(p.notes, fmt.Sprintf("%s: the official parser raises IndexError on line %d of its input (%s) and the harness reports no verdict for this log; this line was skipped",
		parser, n, strconv.Quote(clip(line, 80))))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// parserFunc reads a log (already in text mode) into out.
type parserFunc func(log string, out *parsed)

// LogParser is one of the harness's log parsers, under both harness
// versions.
type LogParser struct {
	Name string
	v41  parserFunc
	v5   parserFunc
}

// Parse reads a log (or the test section of one) with the rules of
// harness h. notes say where the official parser would raise.
func (p LogParser) Parse(h Harness, log string) (m StatusMap, notes []string) {
	r := p.run(h, log)
	return r.m, r.notes
}

// Parser is a log parser as a plain function (see LogParser.Func).
type Parser func(log string) StatusMap

// Func is p under harness h as a plain function.
func (p LogParser) Func(h Harness) Parser {
	return func(log string) StatusMap { return p.run(h, log).m }
}

// The seven parsers with the v4.1 rules, as plain functions.
var (
	ParsePytest        = parserPytest.Func(HarnessV41)
	ParsePytestOptions = parserPytestOptions.Func(HarnessV41)
	ParsePytestV2      = parserPytestV2.Func(HarnessV41)
	ParseDjango        = parserDjango.Func(HarnessV41)
	ParseSympy         = parserSympy.Func(HarnessV41)
	ParseSeaborn       = parserSeaborn.Func(HarnessV41)
	ParseMatplotlib    = parserMatplotlib.Func(HarnessV41)
)

func (p LogParser) run(h Harness, log string) *parsed {
	out := newParsed()
	if h.Or() == HarnessV5 {
		p.v5(log, out)
	} else {
		p.v41(log, out)
	}
	return out
}

// The seven parser functions in use for SWE-bench's Python repositories.
var (
	parserPytest        = LogParser{"parse_log_pytest", parsePytest41, parsePytest5}
	parserPytestOptions = LogParser{"parse_log_pytest_options", parsePytestOptions41, parsePytestOptions5}
	parserPytestV2      = LogParser{"parse_log_pytest_v2", parsePytestV241, parsePytestV25}
	parserDjango        = LogParser{"parse_log_django", parseDjango, parseDjango}
	parserSympy         = LogParser{"parse_log_sympy", parseSympy, parseSympy}
	parserSeaborn       = LogParser{"parse_log_seaborn", parseSeaborn, parseSeaborn}
	parserMatplotlib    = LogParser{"parse_log_matplotlib", parseMatplotlib, parseMatplotlib}
)

// parsers is the registry of log parsers by harness name, with the
// harness's per-repository aliases (parse_log_flask = parse_log_pytest,
// ...), which is what a v5 dataset row's log_parser may name.
var parsers = map[string]LogParser{
	"parse_log_pytest":         parserPytest,
	"parse_log_pytest_options": parserPytestOptions,
	"parse_log_pytest_v2":      parserPytestV2,
	"parse_log_django":         parserDjango,
	"parse_log_sympy":          parserSympy,
	"parse_log_seaborn":        parserSeaborn,
	"parse_log_matplotlib":     parserMatplotlib,

	"parse_log_astroid":     parserPytest,
	"parse_log_flask":       parserPytest,
	"parse_log_marshmallow": parserPytest,
	"parse_log_pvlib":       parserPytest,
	"parse_log_pyvista":     parserPytest,
	"parse_log_sqlfluff":    parserPytest,
	"parse_log_xarray":      parserPytest,
	"parse_log_pydicom":     parserPytestOptions,
	"parse_log_requests":    parserPytestOptions,
	"parse_log_pylint":      parserPytestOptions,
	"parse_log_astropy":     parserPytestV2,
	"parse_log_scikit":      parserPytestV2,
	"parse_log_sphinx":      parserPytestV2,
	// Our extension, for repositories outside SWE-bench: Python's
	// `unittest -v` prints Django's runner lines.
	"parse_log_unittest": {"parse_log_unittest", parseUnittest, parseUnittest},
}

// repoParsers is the harness's MAP_REPO_TO_PARSER for the 12 repositories
// of SWE-bench Verified, the ones whose spec tables we carry.
var repoParsers = map[string]string{
	"astropy/astropy":           "parse_log_pytest_v2",
	"django/django":             "parse_log_django",
	"matplotlib/matplotlib":     "parse_log_matplotlib",
	"mwaskom/seaborn":           "parse_log_seaborn",
	"pallets/flask":             "parse_log_pytest",
	"psf/requests":              "parse_log_pytest_options",
	"pydata/xarray":             "parse_log_pytest",
	"pylint-dev/pylint":         "parse_log_pytest_options",
	"pytest-dev/pytest":         "parse_log_pytest",
	"scikit-learn/scikit-learn": "parse_log_pytest_v2",
	"sphinx-doc/sphinx":         "parse_log_pytest_v2",
	"sympy/sympy":               "parse_log_sympy",
}

// ParserNames lists the registered parser names, sorted.
func ParserNames() []string {
	out := make([]string, 0, len(parsers))
	for n := range parsers {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// LogParserByName returns the parser a dataset row's log_parser names.
// Both "parse_log_pytest" and the short "pytest" are accepted.
func LogParserByName(name string) (LogParser, error) {
	key := strings.TrimSpace(name)
	if !strings.HasPrefix(key, "parse_log_") {
		key = "parse_log_" + key
	}
	if p, ok := parsers[key]; ok {
		return p, nil
	}
	return LogParser{}, fmt.Errorf("evaluate: unknown log parser %q (known: %s)", name, strings.Join(ParserNames(), ", "))
}

// ParserByName is LogParserByName with the v4.1 rules, as a function.
func ParserByName(name string) (Parser, error) {
	p, err := LogParserByName(name)
	if err != nil {
		return nil, err
	}
	return p.Func(HarnessV41), nil
}

// ParserNameForRepo is the harness parser name for a repository.
func ParserNameForRepo(repo string) (string, bool) {
	n, ok := repoParsers[repo]
	return n, ok
}

// LogParserFor picks the parser for spec: spec.LogParser if set (a v5
// row's log_parser), else the repository's. Without LogParser, v4.1 also
// needs (repo, version) in its spec table, as the harness looks the test
// command up there before it grades; an unknown pair is an error naming
// both.
func LogParserFor(spec Spec) (LogParser, error) {
	if spec.LogParser != "" {
		return LogParserByName(spec.LogParser)
	}
	name, ok := repoParsers[spec.Repo]
	if !ok {
		return LogParser{}, fmt.Errorf("evaluate: no log parser for repository %q (instance %s); set the row's log_parser", spec.Repo, spec.InstanceID)
	}
	if spec.Harness.Or() == HarnessV41 {
		if err := checkVersion(spec); err != nil {
			return LogParser{}, err
		}
	}
	return parsers[name], nil
}

// ParserFor is LogParserFor under spec.Harness, as a function.
func ParserFor(spec Spec) (Parser, error) {
	p, err := LogParserFor(spec)
	if err != nil {
		return nil, err
	}
	return p.Func(spec.Harness), nil
}

func hasStatusPrefix(s string) bool {
	for _, w := range statusWords {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

func hasStatusSuffix(s string) bool {
	for _, w := range statusWords {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}
