package evaluate

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sharedFixtures holds real SWE-bench rows (copied from the shared fixtures).
const sharedFixtures = "testdata/instances"

// checkGolden compares got with testdata/<name>, or rewrites it with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./evaluate -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from golden:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixtureRow is the part of a dataset row these tests read.
type fixtureRow struct {
	InstanceID string          `json:"instance_id"`
	Repo       string          `json:"repo"`
	Version    string          `json:"version"`
	BaseCommit string          `json:"base_commit"`
	TestPatch  string          `json:"test_patch"`
	FailToPass json.RawMessage `json:"FAIL_TO_PASS"`
	PassToPass json.RawMessage `json:"PASS_TO_PASS"`
}

// sharedSpecs decodes a shared fixture file into Specs, keyed by id (the
// real rows go through Spec.UnmarshalJSON too, as a check of it).
func sharedSpecs(t *testing.T, file string) map[string]Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sharedFixtures, file))
	if os.IsNotExist(err) {
		t.Fatalf("fixture %s missing", file)
	}
	if err != nil {
		t.Fatal(err)
	}
	var rows []fixtureRow
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	var specs []Spec
	if err := json.Unmarshal(data, &specs); err != nil {
		t.Fatal(err)
	}
	out := map[string]Spec{}
	for i, s := range specs {
		if s.InstanceID != rows[i].InstanceID || s.TestPatch != rows[i].TestPatch || len(s.FailToPass) == 0 {
			t.Fatalf("row %d (%s) decoded badly", i, rows[i].InstanceID)
		}
		out[s.InstanceID] = s
	}
	return out
}

// redactPatch replaces the test patch inside a script with a placeholder,
// so that goldens hold only our own text, not the upstream test code.
func redactPatch(t *testing.T, script string, spec Spec) string {
	t.Helper()
	body := ensureNewline(spec.TestPatch)
	if strings.Count(script, body) != 1 {
		t.Fatalf("%s: script does not hold the test patch exactly once", spec.InstanceID)
	}
	return strings.Replace(script, body, "<<test_patch of "+spec.InstanceID+">>\n", 1)
}
