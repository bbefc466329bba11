package evaluate

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestRunReport(t *testing.T) {
	resolved := InstanceReport{InstanceID: "b", PatchExists: true, PatchSuccessfullyApplied: true, Resolved: true}
	unresolved := InstanceReport{InstanceID: "a", PatchExists: true}
	in := RunInput{
		DatasetIDs: []string{"e", "d", "c", "b", "a", "f"},
		Outcomes: []Outcome{
			CompletedOutcome(resolved),
			CompletedOutcome(unresolved),
			EmptyPatchOutcome("c"),
			ErrorOutcome("d", "patch apply failed"),
			ErrorOutcome("zz-not-in-dataset", "x"),
		},
		UnstoppedContainers: []string{"sweb.eval.b.run1"},
	}
	r := BuildRunReport(in)
	b, err := r.JSON()
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "reports/run_report.json", b)

	if r.TotalInstances != 6 || r.SubmittedInstances != 5 || r.CompletedInstances != 2 || r.ResolvedInstances != 1 ||
		r.UnresolvedInstances != 1 || r.EmptyPatchInstances != 1 || r.ErrorInstances != 1 || r.UnstoppedInstances != 1 {
		t.Errorf("counts %+v", r)
	}
	if !slices.Equal(r.IncompleteIDs, []string{"e", "f"}) || !slices.Equal(r.SubmittedIDs, []string{"a", "b", "c", "d", "zz-not-in-dataset"}) {
		t.Errorf("ids %+v", r)
	}

	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatal(err)
	}
	want := []string{"completed_ids", "completed_instances", "empty_patch_ids", "empty_patch_instances", "error_ids", "error_instances",
		"harness", "harness_rules", "incomplete_ids", "resolved_ids", "resolved_instances", "schema_version", "submitted_ids", "submitted_instances",
		"total_instances", "unremoved_images", "unresolved_ids", "unresolved_instances", "unstopped_containers", "unstopped_instances"}
	if got := sortedKeys(keys); !slices.Equal(got, want) {
		t.Errorf("keys %v\nwant %v", got, want)
	}
	if string(keys["harness"]) != `"v4.1"` || !strings.Contains(string(keys["harness_rules"]), "v4.1.0") {
		t.Errorf("harness %s / %s, want the default v4.1", keys["harness"], keys["harness_rules"])
	}
	if v5 := BuildRunReport(RunInput{Harness: HarnessV5}); v5.Harness != HarnessV5 || !strings.Contains(v5.HarnessRules, "v5") {
		t.Errorf("v5 run report names %q / %q", v5.Harness, v5.HarnessRules)
	}
	if string(keys["schema_version"]) != "2" || string(keys["unremoved_images"]) != "[]" {
		t.Errorf("schema_version %s, unremoved_images %s", keys["schema_version"], keys["unremoved_images"])
	}
	if got := RunReportFileName("openai/gpt-4o", "run1"); got != "openai__gpt-4o.run1.json" {
		t.Errorf("RunReportFileName = %q", got)
	}
}

func TestEmptyRunReportHasNoNulls(t *testing.T) {
	b, _ := BuildRunReport(RunInput{}).JSON()
	if strings.Contains(string(b), "null") {
		t.Errorf("null in empty report:\n%s", b)
	}
}

func TestIsEmptyPatch(t *testing.T) {
	blank, ws, real := "", " \n\t", "diff --git a/x b/x\n"
	if !IsEmptyPatch(nil) || !IsEmptyPatch(&blank) || !IsEmptyPatch(&ws) || IsEmptyPatch(&real) {
		t.Error("IsEmptyPatch wrong")
	}
}

func TestParsePredictions(t *testing.T) {
	jsonl := `{"instance_id": "a", "model_name_or_path": "m", "model_patch": "diff"}
{"instance_id": "b", "model_name_or_path": "m", "model_patch": null}
`
	list := `[{"instance_id": "a", "model_name_or_path": "m", "model_patch": ""}]`
	keyed := `{"b": {"model_name_or_path": "m", "model_patch": "x"}, "a": {"instance_id": "a", "model_patch": "y"}}`
	single := `{"instance_id": "a", "model_name_or_path": "m", "model_patch": "diff"}`
	for name, c := range map[string]struct {
		data string
		ids  []string
	}{"jsonl": {jsonl, []string{"a", "b"}}, "list": {list, []string{"a"}}, "keyed": {keyed, []string{"a", "b"}}, "single": {single, []string{"a"}}} {
		preds, err := ParsePredictions([]byte(c.data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var ids []string
		for _, p := range preds {
			ids = append(ids, p.InstanceID)
		}
		if !slices.Equal(ids, c.ids) {
			t.Errorf("%s: ids %v, want %v", name, ids, c.ids)
		}
	}
	preds, _ := ParsePredictions([]byte(jsonl))
	if preds[1].ModelPatch != nil || *preds[0].ModelPatch != "diff" {
		t.Errorf("null patch not kept as nil: %+v", preds)
	}
	if _, err := ParsePredictions([]byte("{broken")); err == nil {
		t.Error("broken file accepted")
	}
}

func TestApplyPatchCommand(t *testing.T) {
	sh := ApplyPatchCommand("/tmp/patch.diff")
	for _, want := range []string{"git apply --verbose /tmp/patch.diff", "git apply --verbose --reject /tmp/patch.diff",
		"patch --batch --fuzz=5 -p1 -i /tmp/patch.diff", MarkerAppliedPatch, MarkerPatchApplyFail} {
		if !strings.Contains(sh, want) {
			t.Errorf("apply script lacks %q:\n%s", want, sh)
		}
	}
	if i, j := strings.Index(sh, "--verbose /tmp"), strings.Index(sh, "--reject"); i > j {
		t.Error("fallbacks out of order")
	}
	if !strings.Contains(ApplyPatchCommand("/tmp/my patch.diff"), "'/tmp/my patch.diff'") {
		t.Error("path not quoted")
	}
	if !PatchApplied("Checking patch x...\n>>>>> Applied Patch\n") || PatchApplied(">>>>> Patch Apply Failed\n") {
		t.Error("PatchApplied wrong")
	}
	if bash, err := exec.LookPath("bash"); err == nil {
		if out, err := exec.Command(bash, "-n", "-c", sh).CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v\n%s", err, out)
		}
	}
}
