package evaluate

import (
	"fmt"
	"strings"
)

// Harness names the official SWE-bench harness whose rules a run follows:
// its log parsers, how it cuts the test output out of the log, and how it
// grades FAIL_TO_PASS / PASS_TO_PASS. Reports record it, because the two
// give different solve rates for the same patches.
type Harness string

const (
	// HarnessV41 is SWE-bench v4.1.0 (tag commit 726c546), the rules the
	// leaderboard and the paper used, quirks included. The default.
	HarnessV41 Harness = "v4.1"
	// HarnessV5 is SWE-bench v5.x: pytest result lines read by pattern,
	// truncated parametrized ids matched by prefix, a SKIPPED
	// PASS_TO_PASS test counted as maintained, and a log whose test exit
	// code contradicts its results rejected.
	HarnessV5 Harness = "v5"
)

// DefaultHarness is the harness used when none is chosen.
const DefaultHarness = HarnessV41

// Harnesses lists the accepted harness names.
var Harnesses = []Harness{HarnessV41, HarnessV5}

// ParseHarness reads a harness name: "v4.1" (also "4.1", "v4.1.0"), "v5"
// (also "5", "v5.0", "v5.x"), or "" for the default.
func ParseHarness(s string) (Harness, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return DefaultHarness, nil
	case "v4.1", "4.1", "v4.1.0", "4.1.0":
		return HarnessV41, nil
	case "v5", "5", "v5.0", "5.0", "v5.x", "5.x":
		return HarnessV5, nil
	}
	return "", fmt.Errorf("unknown SWE-bench harness %q (valid: v4.1, v5)", s)
}

// Or returns h, or the default when h is empty.
func (h Harness) Or() Harness {
	if h == "" {
		return DefaultHarness
	}
	return h
}

// Rules is a one-line description of the rules, for reports.
func (h Harness) Rules() string {
	switch h.Or() {
	case HarnessV5:
		return "SWE-bench harness v5.x rules (pattern-read pytest lines, prefix-matched truncated ids, SKIPPED PASS_TO_PASS maintained, exit-code check)"
	case HarnessV41:
		return "SWE-bench harness v4.1.0 rules (tag 726c546: its log parsers, log envelope and grading, quirks included)"
	}
	return "unknown SWE-bench harness " + string(h)
}
