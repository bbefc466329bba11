package evaluate

import (
	"regexp"
	"strings"
)

// sympyFailHeader matches "____ sympy/x/tests/test_y.py:test_z ____".
var sympyFailHeader = regexp.MustCompile(`(?m)^_+ (\S+\.py):(\S+) _+\s*$`)

// ParseSympy is parse_log_sympy, for `bin/test -C --verbose` output:
// "test_name ok|F|E" lines (PASSED, FAILED, ERROR) and failure headers
// "___ path.py:test_name ___", filed as FAILED under "path.py:test_name".
// Other verdicts (s skipped, f expected failure, X) are not read, as in
// the harness, so such tests count as missing.
func ParseSympy(log string) StatusMap {
	m := StatusMap{}
	clean := strings.ReplaceAll(ansiCSI.ReplaceAllString(log, ""), "\r\n", "\n")
	for _, sm := range sympyFailHeader.FindAllStringSubmatch(clean, -1) {
		m[sm[1]+":"+sm[2]] = StatusFailed
	}
	for _, line := range logLines(log) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "test_") {
			continue
		}
		name := strings.Fields(line)[0]
		switch {
		case strings.HasSuffix(line, " E"):
			m[name] = StatusError
		case strings.HasSuffix(line, " F"):
			m[name] = StatusFailed
		case strings.HasSuffix(line, " ok"):
			m[name] = StatusPassed
		}
	}
	return m
}

// ParseSeaborn is parse_log_seaborn: "FAILED <id> ..." lines, verbose
// "<id> PASSED ..." lines and "PASSED <id>" summary lines. Other statuses
// are not read (a skipped or xfailed test counts as missing).
func ParseSeaborn(log string) StatusMap {
	m := StatusMap{}
	for _, line := range logLines(log) {
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "FAILED"):
			if len(f) > 1 {
				m[f[1]] = StatusFailed
			}
		case strings.Contains(line, " PASSED "):
			if len(f) > 1 && f[1] == "PASSED" {
				m[f[0]] = StatusPassed
			}
		case strings.HasPrefix(line, "PASSED"):
			if len(f) > 1 {
				m[f[1]] = StatusPassed
			}
		}
	}
	return m
}
