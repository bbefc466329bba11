package evaluate

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Status is a test outcome as the harness log parsers report it.
type Status string

// The five statuses of the harness's TestStatus.
const (
	StatusPassed  Status = "PASSED"
	StatusFailed  Status = "FAILED"
	StatusSkipped Status = "SKIPPED"
	StatusError   Status = "ERROR"
	StatusXFail   Status = "XFAIL"
)

var allStatuses = []Status{StatusFailed, StatusPassed, StatusSkipped, StatusError, StatusXFail}

// StatusMap maps a test id, in the repository's own naming, to its status.
type StatusMap map[string]Status

// Parser turns (a section of) a test log into a StatusMap.
type Parser func(log string) StatusMap

// parsers is the registry of log parsers by harness name.
var parsers = map[string]Parser{
	"parse_log_pytest":         ParsePytest,
	"parse_log_pytest_options": ParsePytestOptions,
	"parse_log_pytest_v2":      ParsePytestV2,
	"parse_log_django":         ParseDjango,
	"parse_log_sympy":          ParseSympy,
	"parse_log_seaborn":        ParseSeaborn,
	"parse_log_matplotlib":     ParseMatplotlib,
	// Python's `unittest -v` prints Django's runner lines; see ParseDjango.
	"parse_log_unittest": ParseDjango,
}

// repoParsers is the harness's repo → parser map for Verified's 12 repos.
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

// ParserByName returns the parser a dataset row's log_parser names. Both
// "parse_log_pytest" and the short "pytest" are accepted.
func ParserByName(name string) (Parser, error) {
	key := strings.TrimSpace(name)
	if !strings.HasPrefix(key, "parse_log_") {
		key = "parse_log_" + key
	}
	if p, ok := parsers[key]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("evaluate: unknown log parser %q (known: %s)", name, strings.Join(ParserNames(), ", "))
}

// ParserNameForRepo is the harness parser name for a Verified repository.
func ParserNameForRepo(repo string) (string, bool) {
	n, ok := repoParsers[repo]
	return n, ok
}

// ParserFor picks the parser for spec: spec.LogParser if set, else the
// repository's. An unknown repository without LogParser is an error.
func ParserFor(spec Spec) (Parser, error) {
	if spec.LogParser != "" {
		return ParserByName(spec.LogParser)
	}
	name, ok := repoParsers[spec.Repo]
	if !ok {
		return nil, fmt.Errorf("evaluate: no log parser for repository %q (instance %s); set Spec.LogParser", spec.Repo, spec.InstanceID)
	}
	return parsers[name], nil
}

// ansiCSI matches terminal escape sequences (colours, cursor moves).
var ansiCSI = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// logLines splits a log into lines with escape sequences and a trailing
// carriage return removed. Every parser starts here: escape codes never
// belong to a test id.
func logLines(log string) []string {
	lines := strings.Split(log, "\n")
	for i, l := range lines {
		lines[i] = ansiCSI.ReplaceAllString(strings.TrimSuffix(l, "\r"), "")
	}
	return lines
}

// isStatus reports whether s is exactly one of the five status words.
func isStatus(s string) (Status, bool) {
	for _, st := range allStatuses {
		if s == string(st) {
			return st, true
		}
	}
	return "", false
}
