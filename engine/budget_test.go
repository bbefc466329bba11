package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// demoSweep is sweeps/demo.yaml: 4 strategies x 6 demo tasks, 2 instances
// of a trial at a time; with the replay model it costs about $0.08.
const demoSweep = `method: grid
metric: {name: solve_rate, goal: maximize}
parameters:
  model: {value: replay}
  strategy: {values: [raw, observation_masking, llm_summary, hybrid]}
  instances-subset: {value: demo}
  instances-shuffle: {value: false}
  call-limit: {value: 250}
  cost-limit: {value: 0.0}
  num-workers: {value: 2}
  hp-obs-n: {value: 3}
  hp-sum-n: {value: 4}
  hp-sum-keep-m: {value: 2}
`

// maxCallCost is the largest cost of one model call (agent or summary)
// stored under dir.
func maxCallCost(t *testing.T, dir string) (agentMax, summaryMax float64, calls int) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		parent := filepath.Base(filepath.Dir(path))
		if parent != "turns" && parent != "summaries" || strings.HasSuffix(path, ".obs.json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v struct {
			Cost float64 `json:"cost"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			return err
		}
		calls++
		if parent == "turns" {
			agentMax = max(agentMax, v.Cost)
		} else {
			summaryMax = max(summaryMax, v.Cost)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return agentMax, summaryMax, calls
}

// TestDemoSweepBudget runs the demo sweep with a budget of about 40% of its
// cost: it ends "budget exhausted", having stopped starting instances, and
// its cost exceeds the budget by at most one model call (and one summary
// call) per instance that can run at once.
func TestDemoSweepBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	const budget, parallel, workers = 0.03, 2, 2
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := startEngine(t, ctx)
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "bud", File: "demo.yaml", Source: demoSweep, Parallel: parallel, BudgetUSD: budget})
	agentMax, summaryMax, calls := maxCallCost(t, filepath.Join(e.opts.DataDir, "runs", "bud"))
	bound := budget + parallel*workers*(agentMax+summaryMax)
	t.Logf("budget $%.4f: spent $%.4f on %d of 24 instances (%d model calls, largest $%.5f + summary $%.5f); bound $%.4f; state %q: %s",
		budget, st.Cost, st.Instances, calls, agentMax, summaryMax, bound, st.State, st.Note)
	for _, tr := range st.Trials {
		t.Logf("  %-45s %-17s %d/%d instances $%.4f", tr.RunName, tr.State, tr.Done, tr.Total, tr.Cost)
	}
	if st.State != workflows.SweepBudgetExhausted || st.Budget == nil || !st.Budget.Exhausted || !strings.Contains(st.Note, "budget exhausted") {
		t.Errorf("state %q, budget %+v, note %q: want budget exhausted", st.State, st.Budget, st.Note)
	}
	if st.Instances >= 24 || st.Instances == 0 {
		t.Errorf("%d instances ran, want some but not all 24", st.Instances)
	}
	if agentMax == 0 {
		t.Fatal("no model call found in the store")
	}
	if st.Cost > bound {
		t.Errorf("spent $%.5f, more than the budget plus one call per running instance ($%.5f)", st.Cost, bound)
	}
	if st.Cost < budget/2 {
		t.Errorf("spent $%.5f of a $%.2f budget: the budget stopped the sweep too early", st.Cost, budget)
	}
}
