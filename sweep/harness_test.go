package sweep

import (
	"strings"
	"testing"
)

// The harness key (our extension) names the SWE-bench grading rules; the
// value is checked by the caller, its shape here.
func TestHarnessKey(t *testing.T) {
	src := "method: grid\nharness: v5\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n"
	s, err := Parse("h.yaml", []byte(src))
	if err != nil || s.Harness != "v5" {
		t.Fatalf("harness %q, err %v", s.Harness, err)
	}
	s, err = Parse("h.yaml", []byte(strings.Replace(src, "harness: v5\n", "", 1)))
	if err != nil || s.Harness != "" {
		t.Fatalf("no key: harness %q, err %v", s.Harness, err)
	}
	if _, err := Parse("h.yaml", []byte(strings.Replace(src, "v5", "[v5]", 1))); err == nil || !strings.Contains(err.Error(), "harness") {
		t.Errorf("a list value: err %v", err)
	}
}
