package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workflows"
)

const oneDemo = `method: grid
parameters:
  model: {value: replay}
  strategy: {value: raw}
  instances-subset: {value: demo}
  instances-slice: {value: ":1"}
`

// TestDemoEvaluationOutcomes runs one demo instance end to end on the
// local sandbox (its replayed patch is resolved), then evaluates a wrong
// and an empty patch for the same task: not resolved, and empty_patch
// (never run). The trial's run report has every key of the harness's.
func TestDemoEvaluationOutcomes(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := startEngine(t, ctx)
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "ev", File: "ev.yaml", Source: oneDemo, Parallel: 1})
	if st.State != "completed" || len(st.Trials) != 1 || st.Trials[0].Resolved != 1 {
		t.Fatalf("sweep %q, trials %+v: want one resolved instance", st.State, st.Trials)
	}
	root := e.opts.DataDir
	trialDir := st.Trials[0].Dir
	var solved workflows.InstanceRecord
	recs, _ := filepath.Glob(filepath.Join(root, trialDir, "*", "record.json"))
	if len(recs) != 1 {
		t.Fatalf("records: %v", recs)
	}
	data, _ := os.ReadFile(recs[0])
	if err := json.Unmarshal(data, &solved); err != nil {
		t.Fatal(err)
	}
	if solved.Eval == nil || solved.Eval.Resolution != "RESOLVED_FULL" || solved.TestsStatus == nil || solved.Eval.FailToPass[0] == 0 {
		t.Fatalf("record of the solved instance: eval %+v, tests_status present %v", solved.Eval, solved.TestsStatus != nil)
	}
	goodPatch, err := os.ReadFile(filepath.Join(root, solved.PatchFile))
	if err != nil {
		t.Fatal(err)
	}

	// A second trial, evaluated directly: right, wrong and empty patches.
	s := store.Store{Root: t.TempDir()}
	acts := activities.New(activities.Deps{Store: s, Tasks: &Tasks{Root: t.TempDir()}})
	cfg := sweep.DefaultRunConfig()
	cfg.Model, cfg.Strategy, cfg.InstancesSubset = "replay", "raw", "demo"
	trial := workflows.TrialRef{Sweep: "ev2", RunName: "ev2", Dir: "runs/ev2/t", Config: cfg, Tuning: workflows.Tuning{Harness: "v5"}}
	id := solved.InstanceID
	patches := map[string]string{"good": string(goodPatch), "wrong": "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1,2 @@\n" + firstLine(t, id) + "\n+wrong fix\n", "empty": ""}
	var records []workflows.InstanceRecord
	results := map[string]workflows.EvaluateResult{}
	for _, kind := range []string{"good", "wrong", "empty"} {
		// Each patch under its own copy of the instance (same task).
		ref := workflows.InstanceRef{Trial: trial, InstanceID: id}
		ref.Trial.Dir = trial.Dir + "-" + kind
		if err := s.WriteFile(store.PatchFile(ref.Dir(), id), []byte(patches[kind])); err != nil {
			t.Fatal(err)
		}
		res, err := acts.Evaluate(ctx, workflows.EvaluateInput{Ref: ref})
		if err != nil {
			t.Fatalf("%s patch: %v", kind, err)
		}
		results[kind] = res
		rec := workflows.InstanceRecord{InstanceID: id, ExitStatus: "submitted", Submitted: true, Eval: res.Eval}
		if err := acts.WriteTrial(ctx, workflows.WriteTrialInput{Trial: ref.Trial, Records: append(records, rec)}); err != nil {
			t.Fatal(err)
		}
	}
	if r := results["good"]; !r.Resolved || r.Eval.Outcome != "completed" {
		t.Errorf("good patch: %+v %+v", r, r.Eval)
	}
	if r := results["wrong"]; r.Resolved || r.Eval.Outcome != "completed" || !r.Eval.PatchApplied || r.Eval.Resolution != "RESOLVED_NO" {
		t.Errorf("wrong patch: %+v %+v", r, r.Eval)
	}
	if r := results["empty"]; r.Resolved || r.Eval.Outcome != "empty_patch" {
		t.Errorf("empty patch: %+v %+v", r, r.Eval)
	}
	want := []string{"completed_ids", "completed_instances", "empty_patch_ids", "empty_patch_instances", "error_ids",
		"error_instances", "harness", "harness_rules", "incomplete_ids", "resolved_ids", "resolved_instances", "schema_version", "submitted_ids",
		"submitted_instances", "total_instances", "unremoved_images", "unresolved_ids", "unresolved_instances",
		"unstopped_containers", "unstopped_instances"}
	for kind, resolved := range map[string]int{"good": 1, "wrong": 0, "empty": 0} {
		var rep map[string]any
		data, err := os.ReadFile(s.Path(activities.RunReportFile(trial.Dir + "-" + kind)))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range rep {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if len(keys) != len(want) {
			t.Errorf("%s run report keys %v, want %v", kind, keys, want)
		}
		if rep["resolved_instances"] != float64(resolved) {
			t.Errorf("%s run report: resolved_instances %v", kind, rep["resolved_instances"])
		}
		if kind == "empty" && rep["empty_patch_instances"] != float64(1) {
			t.Errorf("empty run report: %v", rep)
		}
		// The trial's grading rules are named in the run report and in
		// each instance's report.
		var inst map[string]any
		if ok, err := s.ReadJSON(trial.Dir+"-"+kind+"/"+id+"/eval/report.json", &inst); !ok || err != nil {
			t.Fatalf("%s instance report: %v", kind, err)
		}
		if rep["harness"] != "v5" || inst["harness"] != "v5" {
			t.Errorf("%s: harness %v in the run report, %v in the instance report; want v5", kind, rep["harness"], inst["harness"])
		}
	}
}

func firstLine(t *testing.T, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "demo", "tasks", id, "repo", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range data {
		if c == '\n' {
			return " " + string(data[:i])
		}
	}
	return " " + string(data)
}
