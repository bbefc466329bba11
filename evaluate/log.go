package evaluate

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// LogResult is what an eval-script log says about one instance.
type LogResult struct {
	// Status maps test ids to statuses; empty when Applied is false.
	Status StatusMap
	// Order is Status's keys in the order the parser first filed them.
	Order []string `json:"-"`
	// Applied is the report's patch_successfully_applied: the log has both
	// test markers and none of the failure lines (and, under v5, passes
	// its validity checks).
	Applied bool
	// Problem says why Applied is false ("" when it is true).
	Problem string
	// WholeLog is true when the text between the markers gave no statuses
	// and the whole log was parsed instead.
	WholeLog bool
	// ExitCode is the test command's exit status from the first
	// ">>>>> Test Exit Code: N" line, or -1 when the log has none. Only v5
	// grading uses it.
	ExitCode int
	// Notes say where the official harness would not have graded this log
	// at all (its parser raises); ours went on. Empty for most logs.
	Notes []string `json:",omitempty"`
}

// failureMarkers make a log ungradeable (harness get_logs_eval).
var failureMarkers = []string{MarkerPatchApplyFail, MarkerResetFailed, MarkerTestsErrored, MarkerTestsTimedOut}

var exitCodeLine = regexp.MustCompile(regexp.QuoteMeta(MarkerTestExitCode) + pySpaceClass + `*(-?\d+)`)

// ParseLog parses an eval-script log with spec's parser (its LogParser,
// else its repository's) by the rules of spec.Harness.
func ParseLog(spec Spec, log string) (LogResult, error) {
	p, err := LogParserFor(spec)
	if err != nil {
		return LogResult{}, err
	}
	return ParseLogRules(p, spec.Harness, log), nil
}

// ParseLogWith is ParseLogRules for a plain parser function under the v4.1
// rules (no raise notes; Order is sorted).
func ParseLogWith(p Parser, log string) LogResult {
	lp := LogParser{Name: "parser", v41: func(log string, out *parsed) {
		m := p(log)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out.set(k, m[k])
		}
	}}
	return ParseLogRules(lp, HarnessV41, log)
}

// ParseLogRules applies the harness's log envelope around parser p
// (get_logs_eval):
//   - the log is read in text mode: "\r\n" and a lone "\r" end lines;
//   - a log containing ">>>>> Patch Apply Failed", ">>>>> Reset Failed",
//     ">>>>> Tests Errored" or ">>>>> Tests Timed Out" anywhere, or lacking
//     either test marker anywhere, is not applied and has no statuses;
//   - the text parsed is content.split(start)[1].split(end)[0]: from the
//     end of the first start marker up to the next start marker or the
//     first end marker after it, whichever comes first, mid-line (an end
//     marker only before the start marker still counts as present);
//   - if that gives no statuses, the whole log is parsed.
//
// Under v5 a log is also rejected when its results are empty, or when its
// recorded test exit code is non-zero but no test FAILED or ERRORed.
func ParseLogRules(p LogParser, h Harness, log string) LogResult {
	content := textMode(log)
	res := LogResult{Status: StatusMap{}, ExitCode: -1}
	if m := exitCodeLine.FindStringSubmatch(content); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			res.ExitCode = n
		}
	}
	for _, mk := range failureMarkers {
		if strings.Contains(content, mk) {
			res.Problem = "log contains " + strconv.Quote(mk)
			return res
		}
	}
	for _, mk := range []string{MarkerStartTests, MarkerEndTests} {
		if !strings.Contains(content, mk) {
			res.Problem = "log lacks " + strconv.Quote(mk)
			return res
		}
	}
	r := p.run(h, testSection(content))
	if len(r.m) == 0 {
		whole := p.run(h, content)
		whole.notes = append(r.notes, whole.notes...)
		r, res.WholeLog = whole, len(whole.m) > 0
	}
	res.Status, res.Order, res.Notes, res.Applied = r.m, r.order, r.notes, true
	if h.Or() == HarnessV5 {
		v5Checks(&res)
	}
	return res
}

// testSection is content.split(MarkerStartTests)[1].split(MarkerEndTests)[0]
// for a content that holds both markers.
func testSection(content string) string {
	_, rest, _ := strings.Cut(content, MarkerStartTests)
	rest, _, _ = strings.Cut(rest, MarkerStartTests)
	rest, _, _ = strings.Cut(rest, MarkerEndTests)
	return rest
}

// v5Checks are v5's validity checks on a parsed log: a log with no test
// results at all, or whose test command exited non-zero while no test
// FAILED or ERRORed (spoofed output), is not graded.
func v5Checks(res *LogResult) {
	if len(res.Status) == 0 {
		res.Applied, res.Problem = false, "v5: the log has no test results"
		return
	}
	if res.ExitCode > 0 {
		for _, st := range res.Status {
			if st == StatusFailed || st == StatusError {
				return
			}
		}
		res.Applied = false
		res.Problem = "v5: the test command exited " + strconv.Itoa(res.ExitCode) + " but no test failed (spoofed output)"
	}
}
