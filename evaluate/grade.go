package evaluate

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// Resolution is the harness's ResolvedStatus.
type Resolution string

// The three resolution states; only ResolvedFull means resolved=true.
const (
	ResolvedFull    Resolution = "RESOLVED_FULL"
	ResolvedPartial Resolution = "RESOLVED_PARTIAL"
	ResolvedNo      Resolution = "RESOLVED_NO"
)

// SuccessFailure splits a group of test ids by outcome. Both lists are
// always non-nil so they encode as [] rather than null.
type SuccessFailure struct {
	Success []string `json:"success"`
	Failure []string `json:"failure"`
}

// TestsStatus is a report's tests_status. FAIL_TO_FAIL and PASS_TO_FAIL
// are always empty, as in the harness (calculate_to_fail is off).
type TestsStatus struct {
	FailToPass SuccessFailure `json:"FAIL_TO_PASS"`
	PassToPass SuccessFailure `json:"PASS_TO_PASS"`
	FailToFail SuccessFailure `json:"FAIL_TO_FAIL"`
	PassToFail SuccessFailure `json:"PASS_TO_FAIL"`
}

// InstanceReport is one instance's report.json entry (anchors §1.7); JSON
// gives the file's exact shape. Fields tagged "-" are extra diagnostics.
type InstanceReport struct {
	InstanceID               string       `json:"-"`
	PatchIsNone              bool         `json:"patch_is_None"`
	PatchExists              bool         `json:"patch_exists"`
	PatchSuccessfullyApplied bool         `json:"patch_successfully_applied"`
	Resolved                 bool         `json:"resolved"`
	TestsStatus              *TestsStatus `json:"tests_status,omitempty"`

	Resolution Resolution `json:"-"` // RESOLVED_NO when not applied
	Log        LogResult  `json:"-"` // parse details: Problem, ExitCode, WholeLog, Notes
	Harness    Harness    `json:"-"` // the rules that produced it
}

// JSON encodes the report as the harness writes report.json:
// {"<instance_id>": {...}} indented by 4 spaces (no HTML escaping, so ids
// with "<" or "&" stay readable).
func (r InstanceReport) JSON() ([]byte, error) {
	return encodeJSON(map[string]InstanceReport{r.InstanceID: r})
}

// encodeJSON is indented JSON without HTML escaping, ending in a newline.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// TestPassed is the v4.1 rule: the test is in the map as PASSED or XFAIL.
func TestPassed(id string, m StatusMap) bool {
	st, ok := m[id]
	return ok && passing(st)
}

func passing(st Status) bool { return st == StatusPassed || st == StatusXFail }

// TestFailed is the v4.1 rule: the test is missing, FAILED or ERROR. A
// test with any other status (SKIPPED, or a word a parser took for a
// status) is neither passed nor failed and so lands in neither list of
// its group, and out of that group's ratio.
func TestFailed(id string, m StatusMap) bool {
	st, ok := m[id]
	return !ok || st == StatusFailed || st == StatusError
}

// GradeTests sorts the FAIL_TO_PASS and PASS_TO_PASS ids by the status
// map with the v4.1 rules, keeping their order (harness
// get_eval_tests_report, PASS_AND_FAIL).
func GradeTests(failToPass, passToPass []string, m StatusMap) TestsStatus {
	return gradeTests(HarnessV41, failToPass, passToPass, LogResult{Status: m})
}

func gradeTests(h Harness, failToPass, passToPass []string, res LogResult) TestsStatus {
	ts := TestsStatus{
		FailToFail: SuccessFailure{Success: []string{}, Failure: []string{}},
		PassToFail: SuccessFailure{Success: []string{}, Failure: []string{}},
	}
	if h.Or() == HarnessV5 {
		ts.FailToPass = splitV5(failToPass, res, false)
		ts.PassToPass = splitV5(passToPass, res, true)
	} else {
		ts.FailToPass = split(failToPass, res.Status)
		ts.PassToPass = split(passToPass, res.Status)
	}
	return ts
}

func split(ids []string, m StatusMap) SuccessFailure {
	sf := SuccessFailure{Success: []string{}, Failure: []string{}}
	for _, id := range ids {
		switch {
		case TestPassed(id, m):
			sf.Success = append(sf.Success, id)
		case TestFailed(id, m):
			sf.Failure = append(sf.Failure, id)
		}
	}
	return sf
}

// splitV5 is v5's grading of one group: a test resolves through
// resolveV5; it succeeds when PASSED or XFAIL (or, for PASS_TO_PASS,
// SKIPPED: maintained) and fails when missing, FAILED, ERROR or SKIPPED.
func splitV5(ids []string, res LogResult, maintain bool) SuccessFailure {
	sf := SuccessFailure{Success: []string{}, Failure: []string{}}
	for _, id := range ids {
		st, ok := resolveV5(id, res)
		switch {
		case ok && (passing(st) || (maintain && st == StatusSkipped)):
			sf.Success = append(sf.Success, id)
		case !ok || st == StatusFailed || st == StatusError || st == StatusSkipped:
			sf.Failure = append(sf.Failure, id)
		}
	}
	return sf
}

// resolveV5 looks a dataset id up as v5 does: exactly, or, for an id
// truncated mid-parameter (more "[" than "]"), through the parsed ids it
// is a prefix of, when they all agree on passed-or-not; the first of them
// (in parse order) gives the status.
func resolveV5(id string, res LogResult) (Status, bool) {
	if st, ok := res.Status[id]; ok {
		return st, true
	}
	if strings.Count(id, "[") <= strings.Count(id, "]") {
		return "", false
	}
	order := res.Order
	if len(order) != len(res.Status) { // a map built by hand: sorted keys
		order = make([]string, 0, len(res.Status))
		for k := range res.Status {
			order = append(order, k)
		}
		sort.Strings(order)
	}
	var first Status
	found := false
	for _, k := range order {
		if !strings.HasPrefix(k, id) {
			continue
		}
		st := res.Status[k]
		if !found {
			first, found = st, true
		} else if passing(st) != passing(first) {
			return "", false
		}
	}
	return first, found
}

// ratio is success / (success + failure), 1 for an empty group.
func (sf SuccessFailure) ratio() float64 {
	total := len(sf.Success) + len(sf.Failure)
	if total == 0 {
		return 1
	}
	return float64(len(sf.Success)) / float64(total)
}

// FailToPassRatio is the F2P success ratio (1 when there are none).
func (ts TestsStatus) FailToPassRatio() float64 { return ts.FailToPass.ratio() }

// PassToPassRatio is the P2P success ratio (1 when there are none).
func (ts TestsStatus) PassToPassRatio() float64 { return ts.PassToPass.ratio() }

// Resolution applies the v4.1 rule: both ratios 1 → RESOLVED_FULL;
// 0 < F2P < 1 with P2P 1 → RESOLVED_PARTIAL; otherwise RESOLVED_NO.
func (ts TestsStatus) Resolution() Resolution {
	f2p, p2p := ts.FailToPassRatio(), ts.PassToPassRatio()
	switch {
	case f2p == 1 && p2p == 1:
		return ResolvedFull
	case f2p > 0 && f2p < 1 && p2p == 1:
		return ResolvedPartial
	}
	return ResolvedNo
}

// Grade turns the log of an instance whose model patch was applied and
// whose eval script ran into its report, by the rules of spec.Harness
// (v4.1 unless set): the log is parsed (ParseLog); if it is not applied
// the report says so and has no tests_status; otherwise the F2P/P2P lists
// are graded and resolved is set only for RESOLVED_FULL. The error is for
// a spec without a parser, or (v4.1) whose (repo, version) is not in the
// harness's spec table.
func Grade(spec Spec, log string) (InstanceReport, error) {
	res, err := ParseLog(spec, log)
	if err != nil {
		return InstanceReport{}, err
	}
	return GradeResult(spec, res), nil
}

// GradeResult is Grade for an already parsed log.
func GradeResult(spec Spec, res LogResult) InstanceReport {
	rep := InstanceReport{
		InstanceID:  spec.InstanceID,
		PatchExists: true,
		Resolution:  ResolvedNo,
		Log:         res,
		Harness:     spec.Harness.Or(),
	}
	if !res.Applied {
		return rep
	}
	rep.PatchSuccessfullyApplied = true
	ts := gradeTests(spec.Harness, spec.FailToPass, spec.PassToPass, res)
	rep.TestsStatus = &ts
	rep.Resolution = ts.Resolution()
	rep.Resolved = rep.Resolution == ResolvedFull
	if len(res.Notes) > 0 && rep.Resolved {
		// The official harness errors on this log: no verdict, so it
		// never counts it resolved. Ours keeps the graded tests but
		// agrees on that.
		rep.Resolved, rep.Resolution = false, ResolvedNo
		rep.Log.Notes = append(rep.Log.Notes, "all tests graded as passing, but not counted resolved: the official harness has no verdict for this log")
	}
	return rep
}
