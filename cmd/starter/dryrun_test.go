package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
)

const quickTest = "/work/shared/fixtures/sweeps/quick_test.yaml"

// runStarter runs `starter sweep ARGS` in-process and returns its output.
func runStarter(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	cmd := sweepCmd(&globals{dataDir: dataDir, namespace: "default"})
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("starter sweep %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

func TestDryRunQuickTestListsDistinctTrials(t *testing.T) {
	if _, err := os.Stat(quickTest); err != nil {
		t.Skipf("shared fixtures not available: %v", err)
	}
	data := t.TempDir()
	var plans []struct {
		Params    map[string]any `json:"params"`
		RunName   string         `json:"run_name"`
		TrialID   string         `json:"trial_id"`
		Instances *int           `json:"instances"`
		CostUSD   *span          `json:"cost_usd"`
	}
	out := runStarter(t, data, "--dry-run", "--json", quickTest)
	if err := json.Unmarshal([]byte(out), &plans); err != nil {
		t.Fatalf("--json output is not a JSON array: %v\n%s", err, out)
	}
	// 6 models x (raw + observation_masking + 6 summarizers x (llm_summary
	// + hybrid)) = 84 of the grid's 6 x 4 x 6 = 144 points.
	if len(plans) != 84 {
		t.Fatalf("--dry-run --json lists %d trials, want 84", len(plans))
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for _, p := range plans {
		ids[p.TrialID], names[p.RunName] = true, true
		if p.Instances == nil || *p.Instances != 3 {
			t.Errorf("%s: instances %v, want 3 (verified, slice :3)", p.RunName, p.Instances)
		}
		if p.Params["model"] == nil || p.Params["strategy"] == nil {
			t.Errorf("%s: params %v", p.RunName, p.Params)
		}
		if p.CostUSD != nil && !(0 <= p.CostUSD.Low && p.CostUSD.Low <= p.CostUSD.High) {
			t.Errorf("%s: cost range %+v", p.RunName, *p.CostUSD)
		}
	}
	if len(ids) != 84 || len(names) != 84 {
		t.Errorf("%d distinct trial IDs, %d distinct run names; want 84 each", len(ids), len(names))
	}

	text := runStarter(t, data, "--dry-run", quickTest)
	if !strings.Contains(text, "84 distinct trials (the grid lists 144; 60 repeat an experiment under another name)") {
		t.Errorf("text output lacks the trial count:\n%s", text)
	}
	rows := regexp.MustCompile(`(?m)^\s+\d+\s+\S+\s+3 instances\s+\S`).FindAllString(text, -1)
	if len(rows) != 84 {
		t.Errorf("text output lists %d trials, want 84", len(rows))
	}
	if !strings.Contains(text, "Estimated cost of the 84 trials: $") {
		t.Errorf("no cost estimate:\n%s", text)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 0 {
		t.Errorf("--dry-run wrote to the data directory: %v", entries)
	}
}

func TestDryRunBayesPrintsTheSpace(t *testing.T) {
	src := "method: bayes\nmetric: {name: avg_cost, goal: minimize}\nrun_cap: 3\nbudget_usd: 2\nparameters:\n" +
		"  model: {value: replay}\n  strategy: {values: [raw, observation_masking]}\n  hp-obs-n: {values: [2, 3, 4]}\n" +
		"  instances-subset: {value: demo}\n  instances-slice: {value: \":2\"}\n"
	file := filepath.Join(t.TempDir(), "bo.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	text := runStarter(t, t.TempDir(), "--dry-run", "--seed", "9", file)
	for _, want := range []string{
		"Search space (controller seed 9):",
		"hp-obs-n                     one of 3: 2, 3, 4",
		// raw ignores hp-obs-n: 1 + 3 experiments.
		"Distinct experiments: 4 ",
		"Trials: at most 3 (run_cap)",
		"Estimated cost of 3 trials: $",
		"Budget: $2.00",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	var plans []map[string]any
	if err := json.Unmarshal([]byte(runStarter(t, t.TempDir(), "--dry-run", "--json", file)), &plans); err != nil || len(plans) != 4 {
		t.Errorf("--json: %d distinct points (err %v), want 4", len(plans), err)
	}
}

func TestInstanceCostEstimate(t *testing.T) {
	presets, err := llm.LoadPresets(config.Models)
	if err != nil {
		t.Fatal(err)
	}
	c := sweep.DefaultRunConfig()
	c.Model, c.Strategy, c.InstancesSubset, c.InstancesSlice = "replay", "raw", "verified", "10:20"
	if n, ok := instances(c); !ok || n != 10 {
		t.Errorf("instances(verified, 10:20) = %d, %v", n, ok)
	}
	c.InstancesFile = "mine.jsonl"
	if _, ok := instances(c); ok {
		t.Error("an instances file has an unknown size")
	}
	c.InstancesFile = ""
	free, ok := instanceCost(c, presets)
	if !ok || !(0 < free.Low && free.Low < free.High) {
		t.Fatalf("replay raw: %+v %v", free, ok)
	}
	c.CostLimit = 0.01
	capped, _ := instanceCost(c, presets)
	if capped.High >= free.High || capped.High > 0.01+0.02 {
		t.Errorf("cost-limit 0.01 caps the high estimate: %+v (uncapped %+v)", capped, free)
	}
	c.CostLimit, c.Strategy, c.SummarizerModel = 0, "llm_summary", "replay"
	if sum, _ := instanceCost(c, presets); sum.High <= free.High {
		t.Errorf("summaries add to the cost: %+v vs raw %+v", sum, free)
	}
	presets["unpriced"] = llm.Preset{Name: "unpriced"}
	c.Model = "unpriced"
	if _, ok := instanceCost(c, presets); ok {
		t.Error("an unpriced model has an unknown cost")
	}
}
