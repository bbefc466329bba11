package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const csvHeader = "experiment,strategy,instance_id,cost,summary_cost,has_summary,summary_count,turn_count,mean_reasoning_tokens,mean_completion_tokens,mean_prompt_tokens,outcome\n"

func TestMalformedInputsNameFileAndField(t *testing.T) {
	tests := []struct {
		name, file, content string
		field               string // must appear in the error, as must the file
	}{
		{"CSV without outcome column", "costs.csv",
			"experiment,strategy,instance_id,cost,summary_cost\nx,Raw Agent,i1,0.1,0\n", `"outcome"`},
		{"CSV without cost column", "costs.csv",
			"experiment,instance_id,summary_cost,outcome\nx,i1,0,1\n", `"cost"`},
		{"CSV with a bad cost", "costs.csv",
			csvHeader + "x,Raw Agent,i1,0.1,0,False,0,3,0,1,2,1\nx,Raw Agent,i2,cheap,0,False,0,3,0,1,2,0\n", `costs.csv:3: column "cost"`},
		{"CSV with outcome 2", "costs.csv",
			csvHeader + "x,Raw Agent,i1,0.1,0,False,0,3,0,1,2,2\n", `column "outcome"`},
		{"CSV with a repeated instance", "costs.csv",
			csvHeader + "x,Raw Agent,i1,0.1,0,False,0,3,0,1,2,1\nx,Raw Agent,i1,0.1,0,False,0,3,0,1,2,1\n", `column "instance_id"`},
		{"empty CSV", "costs.csv", "", "header"},
		{"per-instance harness report (another schema)", "run.run.json",
			`{"django__django-11099": {"patch_is_None": false, "resolved": true}}`, `"total_instances"`},
		{"report without resolved_ids", "run.run.json",
			`{"total_instances": 2, "resolved_instances": 0, "submitted_ids": []}`, `"resolved_ids"`},
		{"report with ids as a string", "run.run.json",
			`{"total_instances": 2, "resolved_instances": 1, "resolved_ids": "a", "submitted_ids": []}`, `"resolved_ids"`},
		{"report with a wrong count", "run.run.json",
			`{"total_instances": 2, "resolved_instances": 2, "resolved_ids": ["a"], "submitted_ids": ["a", "b"]}`, `"resolved_instances"`},
		{"report that is a list", "run.run.json", `[1, 2]`, "(top level)"},
		{"trajectory without info", "batch/i1/i1.traj", `{"trajectory": [], "history": []}`, `"info"`},
		{"trajectory without model stats", "batch/i1/i1.traj", `{"trajectory": [], "info": {"exit_status": "submitted"}}`, `"info.model_stats"`},
		{"trajectory with a string cost", "batch/i1/i1.traj",
			`{"trajectory": [], "info": {"model_stats": {"instance_cost": "1.0"}}}`, `"info.model_stats.instance_cost"`},
		{"results.json with a string cost", "runs/s/t__1/results.json",
			`[{"instance_id": "a", "cost": "0.1"}]`, `"cost"`},
		{"results.json without a cost", "runs/s/t__1/results.json",
			`[{"instance_id": "a", "turns": 3}]`, `"cost"`},
		{"results.json without an instance id", "runs/s/t__1/results.json",
			`[{"cost": 0.1}]`, `"instance_id"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, tc.file)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			arg := p
			if strings.HasSuffix(p, ".traj") {
				arg = filepath.Join(root, "batch")
			} else if filepath.Base(p) == "results.json" {
				arg = filepath.Dir(p)
			}
			_, err := Load(root, []string{arg})
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name the file %s and %s", err, p, tc.field)
			}
		})
	}
}

func TestUnknownArgument(t *testing.T) {
	_, err := Load(t.TempDir(), []string{"no-such-sweep"})
	if err == nil || !strings.Contains(err.Error(), "no-such-sweep") {
		t.Errorf("got %v", err)
	}
	empty := t.TempDir()
	if _, err := Load(empty, []string{empty}); err == nil {
		t.Error("an empty directory was accepted")
	}
}
