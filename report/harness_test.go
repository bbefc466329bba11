package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestHarnessNamed: every row says which SWE-bench grading rules produced
// its solve rate: ours from trial.json's tuning (v4.1 when unset), an
// imported report from its "harness" key, or that it was not recorded.
func TestHarnessNamed(t *testing.T) {
	data := t.TempDir()
	dir := writeTrial(t, data, "h", "replay__raw__demo", "replay", "raw", []rec{record("a", true, 0.1, 0, 1, "submitted")})
	writeJSON(t, filepath.Join(dir, "trial.json"), rec{"run_name": "replay__raw__demo",
		"config": rec{"model": "replay", "strategy": "raw"}, "tuning": rec{"harness": "v5"}})
	writeTrial(t, data, "h", "replay__obs_n=2__demo", "replay", "observation_masking", []rec{record("a", false, 0.1, 0, 1, "submitted")})
	ext := filepath.Join(t.TempDir(), "official.run1.json")
	writeJSON(t, ext, rec{"total_instances": 1, "resolved_instances": 1, "resolved_ids": []string{"a"}, "submitted_ids": []string{"a"}})
	s, err := Load(data, []string{filepath.Join(data, "runs", "h"), ext})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{Resamples: 10})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, row := range r.Rows {
		got[row.Experiment] = row.Harness
	}
	if h, ok := got["official.run1"]; !ok || h != "" || got["replay__raw__demo"] != "v5" || got["replay__obs_n=2__demo"] != "v4.1" || len(got) != 3 {
		t.Errorf("harness per row %q", got)
	}
	var table, md, csv bytes.Buffer
	_ = WriteTable(&table, r)
	_ = WriteMarkdown(&md, r)
	_ = WriteCSV(&csv, r)
	for _, out := range []string{table.String(), md.String()} {
		for _, want := range []string{"SWE-bench v5 rules", "SWE-bench v4.1.0 rules", "harness not recorded"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	}
	if !strings.Contains(strings.SplitN(csv.String(), "\n", 2)[0], ",harness") {
		t.Errorf("CSV header lacks harness: %s", csv.String())
	}
}
