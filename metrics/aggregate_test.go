package metrics

import (
	"reflect"
	"testing"
)

// liveKeys are the live-log keys without exit/* and repo/*.
var liveKeys = []string{
	"n_instances", "n_submitted", "total_cost", "total_agent_cost", "total_summary_cost",
	"total_rloop_cost", "total_turns", "total_api_calls", "total_summary_api_calls",
	"total_rloop_api_calls", "total_raw_input_tokens", "total_cached_input_tokens",
	"total_output_tokens", "total_internal_reasoning_tokens", "total_summary_raw_input_tokens",
	"total_summary_cached_input_tokens", "total_summary_output_tokens", "total_patch_lines",
	"total_duration_ms",
	"submission_rate", "cache_hit_rate", "avg_cost", "avg_turns", "avg_api_calls",
	"avg_tokens_per_turn", "avg_patch_lines", "avg_duration_ms", "summary_cost_fraction",
	"rloop_cost_fraction", "turn_std", "turn_median", "turn_min", "turn_max",
	"n_resolved", "solve_rate", // ours
}

func TestAggregateFixture(t *testing.T) {
	a := Aggregate(fixture())
	want := Row{
		"n_instances": 3, "n_submitted": 2,
		"total_cost": 1.125, "total_agent_cost": 0.875, "total_summary_cost": 0.25, "total_rloop_cost": 0.0,
		"total_turns": 21, "total_api_calls": 25, "total_summary_api_calls": 1, "total_rloop_api_calls": 0,
		"total_raw_input_tokens": 1450, "total_cached_input_tokens": 550, "total_output_tokens": 200,
		"total_internal_reasoning_tokens": 5, "total_summary_raw_input_tokens": 150,
		"total_summary_cached_input_tokens": 50, "total_summary_output_tokens": 20,
		"total_patch_lines": 10, "total_duration_ms": 4000.0,
		"exit/submitted": 1, "exit/exit_cost": 1, "exit/exit_context": 1,
		"repo/django": 2, "repo/psf": 1,
		"submission_rate":       2.0 / 3,
		"cache_hit_rate":        550.0 / 2000,
		"avg_cost":              1.125 / 3,
		"avg_turns":             7.0,
		"avg_api_calls":         25.0 / 3,
		"avg_tokens_per_turn":   2000.0 / 21,
		"avg_patch_lines":       10.0 / 3,
		"avg_duration_ms":       4000.0 / 3,
		"summary_cost_fraction": 0.25 / 1.125,
		"rloop_cost_fraction":   0.0,
		"turn_std":              3.0, // turns 10, 4, 7
		"turn_median":           7.0,
		"turn_min":              4, "turn_max": 10,
		"n_resolved": 1, "solve_rate": 1.0 / 3,
	}
	if got := a.Live(); !reflect.DeepEqual(got, want) {
		for k, v := range want {
			if !reflect.DeepEqual(got[k], v) {
				t.Errorf("%s = %#v, want %#v", k, got[k], v)
			}
		}
		for k := range got {
			if _, ok := want[k]; !ok {
				t.Errorf("unexpected key %s", k)
			}
		}
	}
	s := a.Summary()
	if s["summary_api_fraction"] != 1.0/26 || s["rloop_api_fraction"] != 0.0 {
		t.Errorf("fractions %v %v", s["summary_api_fraction"], s["rloop_api_fraction"])
	}
	if len(s) != len(a.Live())+2 {
		t.Errorf("summary has %d keys, live %d", len(s), len(a.Live()))
	}
}

func TestAggregateNoInstances(t *testing.T) {
	a := Aggregate(nil)
	live := a.Live()
	wantKeys(t, live, liveKeys) // no exit/* or repo/* yet
	for k, v := range live {
		if v != 0 && v != 0.0 {
			t.Errorf("%s = %v, want 0", k, v)
		}
	}
	s := a.Summary()
	if s["summary_api_fraction"] != 0.0 || s["rloop_api_fraction"] != 0.0 {
		t.Error("api fractions of nothing")
	}
}

// TestZeroDenominators: instances with no turns, tokens, cost or calls.
func TestZeroDenominators(t *testing.T) {
	a := Aggregate([]Instance{{ID: "x__y-1", ExitStatus: "exit_error"}, {ID: "x__y-2"}})
	for _, k := range []string{"cache_hit_rate", "avg_tokens_per_turn", "summary_cost_fraction",
		"rloop_cost_fraction", "avg_cost", "avg_turns", "solve_rate", "submission_rate", "turn_std", "turn_median"} {
		if v := a.Live()[k]; v != 0.0 {
			t.Errorf("%s = %v, want 0", k, v)
		}
	}
	if a.SummaryAPIFraction != 0 || a.RloopAPIFraction != 0 {
		t.Error("api fractions")
	}
	if a.Exit[CatError] != 1 || a.Exit[CatUnknown] != 1 || a.Repo["x"] != 2 {
		t.Errorf("counts %v %v", a.Exit, a.Repo)
	}
	row := NewInstanceRow(Instance{})
	if row.CacheHitRate != 0 || row.TokensPerTurn != 0 || row.InstanceID != "unknown" ||
		row.ExitStatus != "unknown" || row.Repo != "unknown" || row.ExitCategory != CatUnknown {
		t.Errorf("empty row %+v", row)
	}
}

func TestTurnStatistics(t *testing.T) {
	mk := func(turns ...int) []Instance {
		var ins []Instance
		for _, n := range turns {
			ins = append(ins, Instance{ID: "a__b-1", Turns: n})
		}
		return ins
	}
	cases := []struct {
		turns          []int
		std, med       float64
		lo, hi         int
		avg, tokPerTrn float64
	}{
		{[]int{9}, 0, 9, 9, 9, 9, 0},                                // n = 1: std 0, odd median
		{[]int{10, 4}, 4.242640687119285, 7, 4, 10, 7, 0},           // n = 2: sample std, even median
		{[]int{10, 4, 7, 1}, 3.872983346207417, 5.5, 1, 10, 5.5, 0}, // even median 5.5, sqrt(15)
		{[]int{0, 0, 0}, 0, 0, 0, 0, 0, 0},
	}
	for _, c := range cases {
		a := Aggregate(mk(c.turns...))
		if a.TurnStd != c.std || a.TurnMedian != c.med || a.TurnMin != c.lo || a.TurnMax != c.hi || a.AvgTurns != c.avg {
			t.Errorf("%v: std %v median %v min %d max %d avg %v", c.turns, a.TurnStd, a.TurnMedian, a.TurnMin, a.TurnMax, a.AvgTurns)
		}
	}
}

func TestSolveRate(t *testing.T) {
	ins := []Instance{{ID: "a", Resolved: bp(true)}, {ID: "b", Resolved: bp(false)}, {ID: "c"}, {ID: "d", Resolved: bp(true)}}
	a := Aggregate(ins)
	if a.NResolved != 2 || a.SolveRate != 0.5 {
		t.Fatalf("resolved %d rate %v", a.NResolved, a.SolveRate)
	}
}

func TestHistoryIsPrefixAggregates(t *testing.T) {
	done := fixture()
	h := History(done)
	if len(h) != len(done) {
		t.Fatal(len(h))
	}
	for k := 1; k <= len(done); k++ {
		if !reflect.DeepEqual(h[k-1], Aggregate(done[:k]).Live()) {
			t.Errorf("History[%d] differs from Aggregate of the first %d", k-1, k)
		}
		if h[k-1]["n_instances"] != k {
			t.Errorf("n_instances %v", h[k-1]["n_instances"])
		}
	}
	// exit/* keys appear only once seen.
	if _, ok := h[0]["exit/exit_cost"]; ok {
		t.Error("exit/exit_cost before any exit_cost")
	}
	if h[1]["exit/exit_cost"] != 1 {
		t.Error("exit/exit_cost after the second instance")
	}
}

func TestFoldSummary(t *testing.T) {
	in := FoldSummary(fixture()[0])
	r := NewInstanceRow(in)
	if r.AgentCost != 0.75 || r.SummaryCost != 0 || r.AgentAPICalls != 13 || r.SummaryAPICalls != 0 ||
		r.RawInputTokens != 900 || r.CachedInputTokens != 300 || r.OutputTokens != 120 || r.SummaryOutputTokens != 0 {
		t.Errorf("folded %+v", r)
	}
	if r.TotalCost != NewInstanceRow(fixture()[0]).TotalCost {
		t.Error("folding changed the total")
	}
}
