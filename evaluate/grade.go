package evaluate

import (
	"bytes"
	"encoding/json"
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
	Log        LogResult  `json:"-"` // parse details: Problem, ExitCode, WholeLog
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
	return ok && (st == StatusPassed || st == StatusXFail)
}

// TestFailed is the v4.1 rule: the test is missing, FAILED or ERROR. A
// SKIPPED test is neither passed nor failed and so lands in neither list
// of its group (and out of that group's ratio).
func TestFailed(id string, m StatusMap) bool {
	st, ok := m[id]
	return !ok || st == StatusFailed || st == StatusError
}

// GradeTests sorts the FAIL_TO_PASS and PASS_TO_PASS ids by the status
// map, keeping their order (harness get_eval_tests_report, PASS_AND_FAIL).
func GradeTests(failToPass, passToPass []string, m StatusMap) TestsStatus {
	return TestsStatus{
		FailToPass: split(failToPass, m),
		PassToPass: split(passToPass, m),
		FailToFail: SuccessFailure{Success: []string{}, Failure: []string{}},
		PassToFail: SuccessFailure{Success: []string{}, Failure: []string{}},
	}
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
// whose eval script ran into its report, by the v4.1 rules: the log is
// parsed (ParseLog); if it is not applied the report says so and has no
// tests_status; otherwise the F2P/P2P lists are graded and resolved is set
// only for RESOLVED_FULL. The error is only for a spec without a parser.
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
	}
	if !res.Applied {
		return rep
	}
	rep.PatchSuccessfullyApplied = true
	ts := GradeTests(spec.FailToPass, spec.PassToPass, res.Status)
	rep.TestsStatus = &ts
	rep.Resolution = ts.Resolution()
	rep.Resolved = rep.Resolution == ResolvedFull
	return rep
}
