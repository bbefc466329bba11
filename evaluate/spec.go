package evaluate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Spec is what evaluation needs to know about one SWE-bench instance. Its
// JSON tags are the dataset column names, so a dataset row (HF JSON, or a
// v5 row with eval_script/log_parser) decodes straight into it.
type Spec struct {
	InstanceID string   `json:"instance_id"`
	Repo       string   `json:"repo"`    // "owner/name"
	Version    string   `json:"version"` // picks the test command, e.g. "4.2"
	BaseCommit string   `json:"base_commit"`
	TestPatch  string   `json:"test_patch"`
	FailToPass []string `json:"FAIL_TO_PASS"`
	PassToPass []string `json:"PASS_TO_PASS"`

	// EvalScript, when set (v5 rows), is used verbatim instead of the
	// generated script.
	EvalScript string `json:"eval_script,omitempty"`
	// LogParser, when set, names the parser ("parse_log_django", or just
	// "django"); otherwise the repository's parser is used.
	LogParser string `json:"log_parser,omitempty"`
	// TestCmd, when set, replaces the table's test command for this
	// instance; the test directives are still appended.
	TestCmd string `json:"test_cmd,omitempty"`

	// Harness picks the official harness whose rules are followed (eval
	// script, log parsing, grading); "" is DefaultHarness (v4.1). It is a
	// run setting, not a dataset column.
	Harness Harness `json:"-"`
}

// UnmarshalJSON accepts FAIL_TO_PASS / PASS_TO_PASS either as JSON lists or
// as strings holding a JSON-encoded list (how the HF parquet stores them).
func (s *Spec) UnmarshalJSON(b []byte) error {
	type plain Spec
	var raw struct {
		plain
		FailToPass json.RawMessage `json:"FAIL_TO_PASS"`
		PassToPass json.RawMessage `json:"PASS_TO_PASS"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*s = Spec(raw.plain)
	var err error
	if s.FailToPass, err = decodeTestList(raw.FailToPass); err != nil {
		return fmt.Errorf("FAIL_TO_PASS of %s: %w", s.InstanceID, err)
	}
	if s.PassToPass, err = decodeTestList(raw.PassToPass); err != nil {
		return fmt.Errorf("PASS_TO_PASS of %s: %w", s.InstanceID, err)
	}
	return nil
}

// decodeTestList decodes a list of test ids given as a JSON list, a string
// holding a JSON list, null, or an empty string.
func decodeTestList(b json.RawMessage) ([]string, error) {
	if len(b) == 0 || string(b) == "null" {
		return []string{}, nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		return list, nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("want a list of strings or a JSON-encoded list, got %.40s", b)
	}
	if strings.TrimSpace(s) == "" {
		return []string{}, nil
	}
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return nil, fmt.Errorf("string is not a JSON-encoded list: %w", err)
	}
	return list, nil
}

// Prediction is one line of a predictions file (anchors §1.6). ModelPatch
// is nil when the file has null (the report's patch_is_None).
type Prediction struct {
	InstanceID      string  `json:"instance_id"`
	ModelNameOrPath string  `json:"model_name_or_path"`
	ModelPatch      *string `json:"model_patch"`
}

// IsEmptyPatch reports whether a model patch counts as empty: nil, "" or
// only whitespace. Such predictions are the run report's empty_patch
// instances and are never run.
func IsEmptyPatch(patch *string) bool {
	return patch == nil || strings.TrimSpace(*patch) == ""
}
