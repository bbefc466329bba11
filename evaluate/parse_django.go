package evaluate

import (
	"regexp"
	"strings"
)

// djangoPassSuffixes end a passing verbose line.
var djangoPassSuffixes = []string{" ... ok", " ... OK", " ...  OK"}

// djangoMultiline are the three cases the harness hard-codes where a long
// print splits "<test> ... " from its "ok" on a later line.
var djangoMultiline = []*regexp.Regexp{
	regexp.MustCompile(`(?m)^(.*?)\s\.\.\.\sTesting against Django installed in (?s:.*?) silenced\)\.\nok$`),
	regexp.MustCompile(`(?m)^(.*?)\s\.\.\.\sInternal Server Error: /(.*)/\nok$`),
	regexp.MustCompile(`(?m)^(.*?)\s\.\.\.\sSystem check identified no issues \(0 silenced\)\nok$`),
}

// ParseDjango is parse_log_django, also registered as parse_log_unittest
// because Python's `unittest -v` prints the same lines. It reads
//   - "<test> ... ok|OK|skipped|FAIL|ERROR" verbose lines, where <test> is
//     "name (module.Class)" or, for tests with a docstring, the docstring's
//     first line (that is how the dataset names them);
//   - "FAIL: name ..." / "ERROR: name ..." headers (filed under the bare
//     name, as the harness does);
//   - a lone "ok" line, which passes the last "<test> ... " seen (output
//     printed between the dots and the verdict);
//   - the harness's three hard-coded multi-line patterns, and the
//     "--version is equivalent to version" special case.
//
// Python ≥ 3.11 names tests "name (module.Class.name)". Every key of
// either form is also stored under the other form, so a dataset id
// written as "test_x (mod.Class)" matches a 3.11 log and vice versa.
//
// Deviations from v4.1: only a line that is exactly "ok" counts as a lone
// verdict (the harness accepts any line starting with "ok"), and the
// django-7188 migration-output fix is applied to any "Applying x...<test>"
// line rather than to that one migration name.
func ParseDjango(log string) StatusMap {
	m := StatusMap{}
	prevTest := ""
	for _, line := range logLines(log) {
		line = strings.TrimSpace(line)
		if strings.Contains(line, "--version is equivalent to version") {
			m["--version is equivalent to version"] = StatusPassed
		}
		if before, _, ok := strings.Cut(line, " ... "); ok {
			prevTest = before
		}
		for _, suffix := range djangoPassSuffixes {
			if strings.HasSuffix(line, suffix) {
				m[stripMigrationOutput(strings.TrimSuffix(line, suffix))] = StatusPassed
				break
			}
		}
		if before, _, ok := strings.Cut(line, " ... skipped"); ok {
			m[before] = StatusSkipped
		}
		if strings.HasSuffix(line, " ... FAIL") {
			before, _, _ := strings.Cut(line, " ... FAIL")
			m[before] = StatusFailed
		}
		if strings.HasSuffix(line, " ... ERROR") {
			before, _, _ := strings.Cut(line, " ... ERROR")
			m[before] = StatusError
		}
		if f := strings.Fields(line); len(f) > 1 {
			switch f[0] {
			case "FAIL:":
				m[f[1]] = StatusFailed
			case "ERROR:":
				m[f[1]] = StatusError
			}
		}
		if line == "ok" && prevTest != "" {
			m[prevTest] = StatusPassed
		}
	}
	clean := strings.ReplaceAll(ansiCSI.ReplaceAllString(log, ""), "\r\n", "\n")
	for _, re := range djangoMultiline {
		for _, sm := range re.FindAllStringSubmatch(clean, -1) {
			m[strings.TrimSpace(sm[1])] = StatusPassed
		}
	}
	addUnittestAliases(m)
	return m
}

// stripMigrationOutput drops migration progress glued before a test name:
// "Applying sites.0002_alter_domain_unique...test_x (m.C)" → "test_x (m.C)".
func stripMigrationOutput(test string) string {
	if strings.HasPrefix(test, "Applying ") {
		if _, after, ok := strings.Cut(test, "..."); ok && strings.TrimSpace(after) != "" {
			return strings.TrimSpace(after)
		}
	}
	return test
}

// unittestID matches "name (dotted.path)" test descriptions.
var unittestID = regexp.MustCompile(`^([A-Za-z_]\w*) \(([A-Za-z_][\w.]*)\)$`)

// addUnittestAliases stores "name (mod.Class)" keys also as
// "name (mod.Class.name)" and the other way round, without overwriting a
// status the log gave under that key itself.
func addUnittestAliases(m StatusMap) {
	aliases := map[string]Status{}
	for k, st := range m {
		sm := unittestID.FindStringSubmatch(k)
		if sm == nil {
			continue
		}
		name, inner := sm[1], sm[2]
		var alias string
		if owner, ok := strings.CutSuffix(inner, "."+name); ok && strings.Contains(owner, ".") {
			alias = name + " (" + owner + ")"
		} else {
			alias = name + " (" + inner + "." + name + ")"
		}
		if _, exists := m[alias]; !exists {
			aliases[alias] = st
		}
	}
	for k, st := range aliases {
		m[k] = st
	}
}
