package report

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

const fixtureDir = "/work/shared/fixtures/paper"

const (
	expMask    = "gemini_2.5_flash-agent-t_0.8-baseline_N_1_M_10.0-verified-500"
	expRaw     = "gemini_2.5_flash-agent-t_0.8-baseline_raw.0-verified-500"
	expSummary = "gemini_2.5_flash-agent-t_0.8-turn-summaries-t_0-N_21_M_10_openhands.0-verified-500"
)

// Published values for Gemini 2.5 Flash. Source: the paper's released
// auxiliary-data/bootstrapped_cis.csv and paired_ci_diffs_vs_raw.csv
// (repository Recursive-Safeguarding/the-complexity-trap, commit adfaa1a),
// whose point values seed-system.md §11.5 quotes (32.8% / 0.415, 35.6% /
// 0.177, 36.0% / 0.242; cost reductions p = 0, solve-rate differences not
// significant). The paper's mean cost came from the trajectories (n = 500,
// agent + summary); the fixture CSV has 496–499 rows, so its cost means and
// intervals differ from the published ones by up to ~0.0012.
var paperCIs = map[string][6]float64{ // solve, lo, hi, cost, lo, hi
	expRaw:     {0.328, 0.288, 0.370, 0.41483117432, 0.341348489204, 0.495366912488},
	expMask:    {0.356, 0.314, 0.398, 0.17717132776, 0.152638415482, 0.204189485113},
	expSummary: {0.360, 0.320, 0.40205, 0.24237275752, 0.205934914928, 0.282256017002},
}

var paperPairs = map[string][8]float64{ // solve diff, lo, hi, p; cost diff, lo, hi, p
	expSummary: {0.032, -0.004, 0.070, 0.0948, -0.1724584168, -0.257884762691, -0.093603944693, 0},
	expMask:    {0.028, -0.008, 0.064, 0.1504, -0.23765984656, -0.320168986839, -0.161402154756, 0},
}

const tol = 0.006 // issue 9

// tolP bounds the p-values apart. A bootstrap p-value is itself a
// Monte-Carlo estimate: with B = 10,000 its standard deviation here is about
// 0.004 (measured over 20 of our seeds: masking 0.1438 ± 0.0041, summary
// 0.0972 ± 0.0036), so two independent streams (numpy's and ours) differ by
// about 0.006 on average and ±0.006 cannot be guaranteed. The paper's masking
// p = 0.1504 is 1.6 SD above our mean; 0.02 is about 3 SD of a difference.
const tolP = 0.02

// fixtureMeans computes cost + summary_cost means per experiment straight
// from the CSV, independently of the package.
func fixtureMeans(t *testing.T) map[string]float64 {
	f, err := os.Open(filepath.Join(fixtureDir, "instance_costs_gemini_2.5_flash.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sum, n := map[string]float64{}, map[string]int{}
	for _, r := range recs[1:] { // experiment,strategy,instance_id,cost,summary_cost,...
		c, _ := strconv.ParseFloat(r[3], 64)
		s, _ := strconv.ParseFloat(r[4], 64)
		sum[r[0]] += c + s
		n[r[0]]++
	}
	out := map[string]float64{}
	for k := range sum {
		out[k] = sum[k] / float64(n[k])
	}
	return out
}

func loadFixture(t *testing.T, o Options) *Report {
	t.Helper()
	s, err := Load(t.TempDir(), []string{fixtureDir})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestFixtureMatchesPaper(t *testing.T) {
	r := loadFixture(t, Options{})
	if len(r.Rows) != 3 {
		t.Fatalf("%d experiments, want 3", len(r.Rows))
	}
	means := fixtureMeans(t)
	wantOrder := []string{expRaw, expMask, expSummary}
	for i, row := range r.Rows {
		if row.Experiment != wantOrder[i] {
			t.Errorf("row %d is %s, want %s", i, row.Experiment, wantOrder[i])
		}
		if row.Model != "gemini_2.5_flash" || row.Group != "(a) gemini_2.5_flash" {
			t.Errorf("%s: model %q group %q", row.Experiment, row.Model, row.Group)
		}
		var rep struct{ Total, Resolved, Submitted int }
		b, err := os.ReadFile(filepath.Join(fixtureDir, row.Experiment+".report.json"))
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		rep.Total, rep.Resolved = int(raw["total_instances"].(float64)), int(raw["resolved_instances"].(float64))
		rep.Submitted = int(raw["submitted_instances"].(float64))
		if row.Submitted != rep.Submitted {
			t.Errorf("%s: submitted %d, report JSON %d", row.Experiment, row.Submitted, rep.Submitted)
		}
		if row.N != rep.Total || row.Resolved != rep.Resolved || row.SolveRate.Point != float64(rep.Resolved)/float64(rep.Total) {
			t.Errorf("%s: n %d resolved %d solve %v, report JSON %d/%d", row.Experiment, row.N, row.Resolved, row.SolveRate.Point, rep.Resolved, rep.Total)
		}
		if math.Abs(row.MeanCost.Point-means[row.Experiment]) > 1e-12 {
			t.Errorf("%s: mean cost %v, CSV mean %v", row.Experiment, row.MeanCost.Point, means[row.Experiment])
		}
		p := paperCIs[row.Experiment]
		got := [6]float64{row.SolveRate.Point, row.SolveRate.Lo, row.SolveRate.Hi, row.MeanCost.Point, row.MeanCost.Lo, row.MeanCost.Hi}
		t.Logf("%-8s ours %.4f [%.4f, %.4f] $%.4f [%.4f, %.4f]", row.Strategy, got[0], got[1], got[2], got[3], got[4], got[5])
		t.Logf("%-8s paper %.4f [%.4f, %.4f] $%.4f [%.4f, %.4f]", "", p[0], p[1], p[2], p[3], p[4], p[5])
		for j := range got {
			if math.Abs(got[j]-p[j]) > tol {
				t.Errorf("%s: value %d = %.4f, paper %.4f", row.Experiment, j, got[j], p[j])
			}
		}
	}
	if len(r.Pairs) != 2 {
		t.Fatalf("%d pairs, want 2", len(r.Pairs))
	}
	for _, pr := range r.Pairs {
		p, ok := paperPairs[pr.Experiment]
		if !ok || pr.Baseline != expRaw || pr.NCommon != 500 {
			t.Errorf("pair %s vs %s n %d", pr.Experiment, pr.Baseline, pr.NCommon)
			continue
		}
		s, c := pr.SolveRate, pr.MeanCost
		got := [8]float64{s.Diff, s.Lo, s.Hi, s.P, c.Diff, c.Lo, c.Hi, c.P}
		t.Logf("%-20s ours  %+.4f [%+.4f, %+.4f] p=%.4f  $%+.4f [%+.4f, %+.4f] p=%.4f (n %d/%d)", pr.Strategy,
			got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7], pr.NCommon, pr.NCommonCost)
		t.Logf("%-20s paper %+.4f [%+.4f, %+.4f] p=%.4f  $%+.4f [%+.4f, %+.4f] p=%.4f", "",
			p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7])
		for j := range got {
			lim := tol
			if j == 3 || j == 7 {
				lim = tolP
			}
			if math.Abs(got[j]-p[j]) > lim {
				t.Errorf("%s: paired value %d = %.4f, paper %.4f", pr.Experiment, j, got[j], p[j])
			}
		}
	}
}
