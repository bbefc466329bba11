package sweep

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const fixtureSweeps = "/work/shared/fixtures/sweeps"

func mustParse(t *testing.T, src string) *Spec {
	t.Helper()
	s, err := Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustLoad(t *testing.T, path string) *Spec {
	t.Helper()
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// drain asks c for trials until it is exhausted (or max), each finished at
// once, optionally JSON round-tripping the parameters as Temporal would.
func drain(t *testing.T, c Controller, max int, roundTrip bool) []map[string]any {
	t.Helper()
	var history []TrialState
	var out []map[string]any
	for len(out) < max {
		p, ok, err := c.Next(history)
		if err != nil {
			t.Fatalf("Next after %d trials: %v", len(history), err)
		}
		if !ok {
			break
		}
		out = append(out, p)
		if roundTrip {
			data, _ := json.Marshal(p)
			p = nil
			if err := json.Unmarshal(data, &p); err != nil {
				t.Fatal(err)
			}
		}
		history = append(history, TrialState{Params: p, Values: []float64{0.5}, Done: true})
	}
	return out
}

func experimentKeys(t *testing.T, s *Spec, ps []map[string]any) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	for _, p := range ps {
		c, err := s.Trial(p, CommandFlags{})
		if err != nil {
			t.Fatal(err)
		}
		if keys[c.ExperimentKey()] {
			t.Fatalf("experiment proposed twice: %s", c.RunName())
		}
		keys[c.ExperimentKey()] = true
	}
	return keys
}

func TestEveryFixtureGetsAController(t *testing.T) {
	var files []string
	for _, pat := range []string{fixtureSweeps + "/*.yaml", "../sweeps/*.yaml"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 11 {
		t.Fatalf("found only %d sweep files", len(files))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			s := mustLoad(t, f)
			c, err := NewController(s, 7)
			if err != nil {
				t.Fatal(err)
			}
			ps := drain(t, c, 3, true)
			if len(ps) == 0 {
				t.Fatal("no trial proposed")
			}
			experimentKeys(t, s, ps)
		})
	}
}

func TestGridPrunedCounts(t *testing.T) {
	// Distinct experiments worked out by hand: raw ignores the summarizer
	// and every hp, observation_masking the summarizer and hp-sum-*,
	// llm_summary hp-obs-n.
	tests := []struct {
		file         string
		naive, trial int
	}{
		// 6 models × (raw 1 + masking 1 + summary 6 + hybrid 6 summarizers)
		{"quick_test.yaml", 144, 6 * (1 + 1 + 6 + 6)},
		{"bedrock_repro.yaml", 4, 4},
		{"bedrock_hparams.yaml", 27, 27},
		{"hparams_obs_masking.yaml", 18, 18},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			s := mustLoad(t, filepath.Join(fixtureSweeps, tc.file))
			grid, err := s.Grid()
			if err != nil || len(grid) != tc.naive {
				t.Fatalf("Grid: %d points, %v; want %d", len(grid), err, tc.naive)
			}
			c, err := NewController(s, 0)
			if err != nil {
				t.Fatal(err)
			}
			ps := drain(t, c, 1000, true)
			if len(ps) != tc.trial {
				t.Fatalf("controller proposed %d trials, want %d", len(ps), tc.trial)
			}
			experimentKeys(t, s, ps)
			distinct, err := s.DistinctGrid()
			if err != nil || !reflect.DeepEqual(distinct, ps) {
				t.Fatalf("DistinctGrid (%v) differs from the controller's order", err)
			}
		})
	}
}

func TestGridOrderFollowsSpecGrid(t *testing.T) {
	s := mustLoad(t, filepath.Join(fixtureSweeps, "quick_test.yaml"))
	grid, _ := s.Grid()
	ps := drain(t, mustController(t, s, 0), 1000, false)
	// Every proposal is a grid point, in grid order, and each grid point
	// not proposed repeats an earlier proposal's experiment.
	j := 0
	seen := map[string]bool{}
	for _, g := range grid {
		c, _ := s.Trial(g, CommandFlags{})
		if j < len(ps) && reflect.DeepEqual(g, ps[j]) {
			j++
			seen[c.ExperimentKey()] = true
		} else if !seen[c.ExperimentKey()] {
			t.Fatalf("grid point %s skipped without an earlier equivalent", c.RunName())
		}
	}
	if j != len(ps) {
		t.Fatalf("%d of %d proposals are out of grid order", len(ps)-j, len(ps))
	}
	if ps[0]["model"] != "deepseek-chat" || ps[0]["strategy"] != "raw" {
		t.Fatalf("first trial %v", ps[0])
	}
}

func mustController(t *testing.T, s *Spec, seed int64) Controller {
	t.Helper()
	c, err := NewController(s, seed)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRunCap(t *testing.T) {
	for _, method := range []string{"grid", "random", "bayes"} {
		s := mustLoad(t, filepath.Join(fixtureSweeps, "quick_test.yaml"))
		s.Method, s.RunCap = method, 5
		if got := len(drain(t, mustController(t, s, 3), 1000, false)); got != 5 {
			t.Errorf("%s with run_cap 5: %d trials", method, got)
		}
	}
}

func TestFiniteRandomAndBayesExhaust(t *testing.T) {
	for _, method := range []string{"random", "bayes"} {
		s := mustLoad(t, filepath.Join(fixtureSweeps, "quick_test.yaml"))
		s.Method = method
		ps := drain(t, mustController(t, s, 11), 1000, true)
		if len(ps) != 84 {
			t.Errorf("%s: %d trials, want the 84 distinct experiments", method, len(ps))
		}
		experimentKeys(t, s, ps)
	}
}

func TestDistinctPoints(t *testing.T) {
	s := mustLoad(t, filepath.Join(fixtureSweeps, "models_mini.yaml"))
	ps, finite, err := s.DistinctPoints(0)
	// raw 1 + masking 3 (obs-n) + summary 6·3·3·2·2 + hybrid 3·216, per model.
	want := 6 * (1 + 3 + 216 + 3*216)
	if err != nil || !finite || len(ps) != want {
		t.Fatalf("DistinctPoints: %d points, finite %v, %v; want %d", len(ps), finite, err, want)
	}
	if _, finite, _ := s.DistinctPoints(100); finite {
		t.Fatal("a product of 15552 must not be enumerated with limit 100")
	}
}

func TestUnknownMethodAndMissingMetric(t *testing.T) {
	s := mustLoad(t, filepath.Join(fixtureSweeps, "quick_test.yaml"))
	s.Method = "hyperopt"
	if _, err := NewController(s, 0); err == nil {
		t.Fatal("unknown method accepted")
	}
	s.Method = "bayes"
	s.Metric.Name = "val_loss"
	if _, err := NewController(s, 0); err == nil || !strings.Contains(err.Error(), "val_loss") {
		t.Fatalf("unknown metric: %v", err)
	}
	s.Metric = nil
	if _, err := NewController(s, 0); err == nil {
		t.Fatal("bayes without metric accepted")
	}
	s = mustLoad(t, filepath.Join(fixtureSweeps, "models_mini.yaml"))
	s.EarlyTerminate = &EarlyTerminate{Type: "hyperband", MaxIter: 2, Eta: 3, S: 1}
	if _, err := NewController(s, 0); err == nil {
		t.Fatal("hyperband without brackets accepted")
	}
}

func TestHistoryWithUnknownParamsIsAnError(t *testing.T) {
	s := mustLoad(t, filepath.Join(fixtureSweeps, "quick_test.yaml"))
	c := mustController(t, s, 0)
	_, _, err := c.Next([]TrialState{{Params: map[string]any{"model": "gpt-4o-mini"}}})
	if err == nil {
		t.Fatal("history trial without strategy accepted")
	}
}
