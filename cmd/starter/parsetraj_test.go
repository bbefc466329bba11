package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runParseTraj(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := parseTrajCmd(&globals{})
	cmd.SilenceUsage, cmd.SilenceErrors = true, true // as under the root command
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

// TestParseTrajectoryFixtures: both fixture layouts (a .traj at the top and
// one in a run directory) parse, and the figures are the files' own.
func TestParseTrajectoryFixtures(t *testing.T) {
	dir := "/work/shared/fixtures/trajectories"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("fixtures absent: %v", err)
	}
	out, err := runParseTraj(t, "--json", dir)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]any{"n_instances": 2.0, "n_submitted": 2.0, "submission_rate": 1.0, "total_cost": 0.53839 + 1.26719,
		"total_turns": 17.0, "avg_turns": 8.5, "total_api_calls": 17.0, "total_raw_input_tokens": 52861.0 + 122612,
		"total_output_tokens": 326.0 + 1369, "total_cached_input_tokens": 0.0, "cache_hit_rate": 0.0, "total_summary_cost": 0.0}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if _, ok := got["instances"]; ok {
		t.Error("--json lists the instances")
	}
	out, err = runParseTraj(t, dir)
	if err != nil || !strings.Contains(out, "pydicom__pydicom-1458") || !strings.Contains(out, "swe-agent__test-repo-i1") ||
		!strings.Contains(out, "Submitted:       2 (100.0%") || !strings.Contains(out, "$1.8056") {
		t.Errorf("table (%v):\n%s", err, out)
	}
}

func TestParseTrajectoryEmptyAndBad(t *testing.T) {
	dir := t.TempDir()
	out, err := runParseTraj(t, "--json", dir)
	var ex exitError
	if !errors.As(err, &ex) || strings.TrimSpace(out) != `{"error": "No trajectory files found", "n_instances": 0}` {
		t.Errorf("empty directory: %v %q", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "x.traj"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Only broken files: each is named with its reason, and nothing is
	// summarised (exit 1).
	if out, err := runParseTraj(t, dir); !errors.As(err, &ex) || !strings.Contains(out, "skipped") || !strings.Contains(out, "x.traj") ||
		!strings.Contains(out, "No readable trajectory files") {
		t.Errorf("a broken file: %v\n%s", err, out)
	}
}
