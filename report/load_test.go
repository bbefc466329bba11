package report

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

type rec = map[string]any

// record is an instance record as results.json holds it
// (workflows.InstanceRecord's JSON).
func record(id string, resolved bool, cost, sumCost float64, turns int, status string) rec {
	return rec{"instance_id": id, "exit_status": status, "submitted": strings.HasPrefix(status, "submitted"),
		"resolved": resolved, "turns": turns, "api_calls": turns, "cost": cost, "summary_cost": sumCost,
		"tokens":         rec{"input": 1000 * turns, "cached_input": 600 * turns, "output": 10},
		"summary_tokens": rec{"input": 0, "cached_input": 0}}
}

// writeTrial writes a trial directory of ours: trial.json (a
// workflows.TrialRef) and results.json.
func writeTrial(t *testing.T, dataDir, sweep, run, model, strategy string, recs []rec) string {
	t.Helper()
	dir := filepath.Join(dataDir, "runs", sweep, run+"__0123abcd")
	writeJSON(t, filepath.Join(dir, "trial.json"), rec{"sweep": sweep, "trial_id": "sweep/" + sweep + "/trial-x",
		"dir": "runs/" + sweep + "/" + run, "run_name": run,
		"config": rec{"model": model, "strategy": strategy, "instances_subset": "demo"}})
	writeJSON(t, filepath.Join(dir, "results.json"), recs)
	return dir
}

// writeSyntheticSweep writes two trials of one model over four instances.
func writeSyntheticSweep(t *testing.T, dataDir string) {
	writeTrial(t, dataDir, "syn", "replay__raw__demo", "replay", "raw", []rec{
		record("a", true, 0.10, 0, 10, "submitted"),
		record("b", false, 0.30, 0, 30, "exit_cost"),
		record("c", true, 0.20, 0, 20, "submitted"),
		record("d", false, 0.40, 0, 40, "submitted (exit_context)"),
	})
	writeTrial(t, dataDir, "syn", "replay__sum_replay__demo", "replay", "llm_summary", []rec{
		record("a", true, 0.05, 0.01, 10, "submitted"),
		record("b", true, 0.10, 0.02, 20, "submitted"),
		record("c", true, 0.05, 0.01, 10, "submitted"),
		record("d", false, 0.20, 0.04, 30, "exit_format"),
	})
}

func TestSyntheticTrials(t *testing.T) {
	dataDir := t.TempDir()
	writeSyntheticSweep(t, dataDir)
	s, err := Load(dataDir, []string{"syn"}) // a sweep name
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{Resamples: 2000})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 2 || r.Rows[0].Strategy != Raw || r.Rows[1].Strategy != LLMSummary {
		t.Fatalf("rows %+v", r.Rows)
	}
	raw, sum := r.Rows[0], r.Rows[1]
	checks := []struct {
		name      string
		got, want float64
	}{
		{"raw n", float64(raw.N), 4},
		{"raw solve", raw.SolveRate.Point, 0.5},
		{"raw mean cost", raw.MeanCost.Point, 0.25},
		{"raw turns", *raw.MeanTurns, 25},
		{"raw cache hit", *raw.CacheHitRate, 0.6},
		{"raw submitted", float64(raw.Submitted), 3},
		{"sum solve", sum.SolveRate.Point, 0.75},
		{"sum mean cost (agent + summary)", sum.MeanCost.Point, 0.12},
		{"sum mean summary cost", sum.MeanSummaryCost, 0.02},
		{"pair solve diff", r.Pairs[0].SolveRate.Diff, 0.25},
		{"pair cost diff", r.Pairs[0].MeanCost.Diff, -0.13},
		{"pair n", float64(r.Pairs[0].NCommon), 4},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	wantExits := map[string]int{"submitted": 2, "exit_cost": 1, "exit_context": 1}
	if len(raw.ExitStatuses) != 3 || raw.ExitStatuses["exit_context"] != 1 || raw.ExitStatuses["submitted"] != 2 {
		t.Errorf("raw exits %v, want %v", raw.ExitStatuses, wantExits)
	}
	if p := r.Pairs[0]; p.Experiment != "replay__sum_replay__demo" || p.Baseline != "replay__raw__demo" || p.MeanCost.P != 0 {
		t.Errorf("pair %+v", p)
	}
	// Every instance is cheaper under summary: the cost CI is below zero.
	if r.Pairs[0].MeanCost.Hi >= 0 {
		t.Errorf("cost diff CI %+v not below 0", r.Pairs[0].MeanCost)
	}
}

func TestExplicitPairsAndReportMatching(t *testing.T) {
	dataDir := t.TempDir()
	writeSyntheticSweep(t, dataDir)
	// A harness report named <run dir>.<run dir>.json overrides the records'
	// outcomes: under it nothing of the raw trial is resolved.
	rd := "replay__raw__demo__0123abcd"
	rp := filepath.Join(t.TempDir(), rd+"."+rd+".json")
	writeJSON(t, rp, rec{"total_instances": 4, "submitted_instances": 4, "resolved_instances": 0,
		"resolved_ids": []string{}, "submitted_ids": []string{"a", "b", "c", "d"}, "schema_version": 2})
	s, err := Load(dataDir, []string{rp, filepath.Join(dataDir, "runs", "syn")})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Experiments()) != 2 {
		t.Fatalf("the report made its own experiment: %d experiments", len(s.Experiments()))
	}
	r, err := Analyze(s, Options{Resamples: 500, Pairs: []Pair{{"replay__raw__demo", "replay__sum_replay__demo"}}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows[0].Resolved != 0 || len(r.Pairs) != 1 || r.Pairs[0].SolveRate.Diff != -0.75 {
		t.Errorf("raw resolved %d, pairs %+v", r.Rows[0].Resolved, r.Pairs)
	}
	if _, err := Analyze(s, Options{Pairs: []Pair{{"replay__raw__demo", "nope"}}}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown baseline: %v", err)
	}
	for _, bad := range []string{"a", "=b", "a="} {
		if _, err := ParsePair(bad); err == nil {
			t.Errorf("ParsePair(%q) accepted", bad)
		}
	}
}

func TestTrajectoryDirImport(t *testing.T) {
	dir := "/work/shared/fixtures/trajectories/pydicom-1458-gpt4"
	s, err := Load(t.TempDir(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	e := s.Lookup("pydicom-1458-gpt4")
	if e == nil || len(e.Instances()) != 1 {
		t.Fatalf("experiments %v", s.Experiments())
	}
	in := e.Instances()[0]
	if in.ID != "pydicom__pydicom-1458" || in.Cost != 1.26719 || !in.Submitted || in.ExitStatus != "submitted" || in.Turns == 0 {
		t.Errorf("instance %+v", in)
	}
	// The predictions' model_name_or_path names the run in harness reports.
	alias := "gpt4__swe-bench-dev-easy_first_only__default__t-0.00__p-0.95__c-3.00__install-1"
	if s.Lookup(alias) != e {
		t.Errorf("alias %s not found", alias)
	}
	r, err := Analyze(s, Options{Resamples: 100})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows[0].SolveRate != nil || r.Rows[0].MeanCost.Point != 1.26719 {
		t.Errorf("row %+v: no report given, so no solve rate", r.Rows[0])
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ name, model, strategy string }{
		{expRaw, "gemini_2.5_flash", Raw},
		{expMask, "gemini_2.5_flash", ObservationMasking},
		{expSummary, "gemini_2.5_flash", LLMSummary},
		{"local-Qwen3-32B_thinking-baseline_raw-collect_reasoning.0-verified-500", "local-Qwen3-32B_thinking", Raw},
		{"qwen3-coder-t_0.8-N_21_M_10_combined.0-verified-50", "qwen3-coder", Hybrid},
		{"deepseek-chat__obs_n=10__mini", "deepseek-chat", ObservationMasking},
		{"bedrock-qwen3-32b__hyb_nova-pro_o=10_s=21_k=10__v20", "bedrock-qwen3-32b", Hybrid},
		{"glm-4.6__sum_glm-4.6_n=15_k=7__mini", "glm-4.6", LLMSummary},
	}
	for _, tc := range tests {
		if m, s := modelFromName(tc.name), strategyFromName(tc.name); m != tc.model || s != tc.strategy {
			t.Errorf("%s: model %q strategy %q, want %q %q", tc.name, m, s, tc.model, tc.strategy)
		}
	}
	for stem, want := range map[string]string{"x.y-1.x.y-1": "x.y-1", "_.run.0-v": "run.0-v", "exp.report": "exp"} {
		if _, got := reportNames(stem); got != want {
			t.Errorf("reportNames(%q) = %q, want %q", stem, got, want)
		}
	}
}

func TestExitCategory(t *testing.T) {
	for in, want := range map[string]string{
		"submitted": "submitted", "submitted (exit_cost)": "exit_cost", "Submitted (exit_command_timeout)": "exit_timeout",
		"exit_total_execution_time": "exit_timeout", "exit_environment_error": "exit_environment",
		"exit_command": "exit_command", "exit_format": "exit_format", "": "unknown", "early_exit": "other",
		"Uncaught RuntimeError": "exit_error",
	} {
		if got := ExitCategory(in); got != want {
			t.Errorf("ExitCategory(%q) = %q, want %q", in, got, want)
		}
	}
}
