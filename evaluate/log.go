package evaluate

import (
	"regexp"
	"strconv"
	"strings"
)

// LogResult is what an eval-script log says about one instance.
type LogResult struct {
	// Status maps test ids to statuses; empty when Applied is false.
	Status StatusMap
	// Applied is the report's patch_successfully_applied: the log has both
	// test markers and none of the failure lines.
	Applied bool
	// Problem says why Applied is false ("" when it is true).
	Problem string
	// WholeLog is true when the text between the markers gave no statuses
	// and the whole log was parsed instead (stdout/stderr interleaving).
	WholeLog bool
	// ExitCode is the test command's exit status from the v5
	// ">>>>> Test Exit Code: N" line, or -1 when the log has none. v4.1
	// grading does not use it.
	ExitCode int
}

// failureMarkers make a log ungradeable (harness get_logs_eval).
var failureMarkers = []string{MarkerPatchApplyFail, MarkerResetFailed, MarkerTestsErrored, MarkerTestsTimedOut}

var exitCodeLine = regexp.MustCompile(`(?m)^>>>>> Test Exit Code: (-?\d+)\s*$`)

// ParseLog parses an eval-script log with the parser for spec (its
// LogParser, else its repository's).
func ParseLog(spec Spec, log string) (LogResult, error) {
	p, err := ParserFor(spec)
	if err != nil {
		return LogResult{}, err
	}
	return ParseLogWith(p, log), nil
}

// ParseLogWith applies the harness's log rules around parser p:
//   - a log containing ">>>>> Patch Apply Failed", ">>>>> Reset Failed",
//     ">>>>> Tests Errored" or ">>>>> Tests Timed Out", or lacking the
//     start or end marker, is not applied and yields no statuses;
//   - otherwise only the lines between the start marker's line and the
//     (last) end marker's line are parsed, and if that gives nothing, the
//     whole log is parsed.
func ParseLogWith(p Parser, log string) LogResult {
	res := LogResult{Status: StatusMap{}, ExitCode: -1}
	if all := exitCodeLine.FindAllStringSubmatch(log, -1); len(all) > 0 {
		res.ExitCode, _ = strconv.Atoi(all[len(all)-1][1])
	}
	for _, mk := range failureMarkers {
		if strings.Contains(log, mk) {
			res.Problem = "log contains " + strconv.Quote(mk)
			return res
		}
	}
	section, problem := testSection(log)
	if problem != "" {
		res.Problem = problem
		return res
	}
	res.Applied = true
	res.Status = p(section)
	if len(res.Status) == 0 {
		res.Status = p(log)
		res.WholeLog = len(res.Status) > 0
	}
	return res
}

// testSection returns the text strictly between the line holding the
// first start marker and the line holding the last end marker.
func testSection(log string) (string, string) {
	start := strings.Index(log, MarkerStartTests)
	if start < 0 {
		return "", "log lacks " + strconv.Quote(MarkerStartTests)
	}
	end := strings.LastIndex(log, MarkerEndTests)
	if end < 0 {
		return "", "log lacks " + strconv.Quote(MarkerEndTests)
	}
	if end < start {
		return "", "end marker precedes start marker"
	}
	from := start + len(MarkerStartTests)
	if nl := strings.IndexByte(log[from:], '\n'); nl >= 0 {
		from += nl + 1
	} else {
		from = len(log)
	}
	to := strings.LastIndexByte(log[:end], '\n') + 1
	if to < from { // both markers on one line: nothing in between
		return "", ""
	}
	return log[from:to], ""
}
