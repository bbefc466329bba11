package sweep

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

// A 2-D search space: x = cost-limit in [0,1] (uniform), y = (hp-obs-n-1)/100
// with hp-obs-n in 1..101 (int_uniform). The strategy uses hp-obs-n, so
// every point is a distinct experiment.
const surfaceSpec = `
method: bayes
metric: {name: solve_rate, goal: %s}
parameters:
  model: {value: gpt-4o-mini}
  strategy: {value: observation_masking}
  cost-limit: {distribution: uniform, min: 0.0, max: 1.0}
  hp-obs-n: {min: 1, max: 101}
`

// surface is smooth with a global maximum near (0.3, 0.7) and a lower local
// one at (0.8, 0.2).
func surface(x, y float64) float64 {
	d1 := (x-0.3)*(x-0.3) + (y-0.7)*(y-0.7)
	d2 := (x-0.8)*(x-0.8) + (y-0.2)*(y-0.2)
	return math.Exp(-d1/0.1) + 0.6*math.Exp(-d2/0.05)
}

func surfaceAt(p map[string]any) float64 {
	return surface(p["cost-limit"].(float64), float64(p["hp-obs-n"].(int)-1)/100)
}

func surfaceMax() float64 {
	best := 0.0
	for i := 0; i <= 2000; i++ {
		for n := 1; n <= 101; n++ {
			best = math.Max(best, surface(float64(i)/2000, float64(n-1)/100))
		}
	}
	return best
}

// trialsToOptimum runs sequential simulated trials and returns how many it
// took to reach a point within 5% of the optimum (limit+1 if never). For
// goal minimize the metric is -surface.
func trialsToOptimum(t *testing.T, method, goal string, seed int64, limit int, fmax float64) int {
	t.Helper()
	s := mustParse(t, fmt.Sprintf(surfaceSpec, goal))
	s.Method = method
	c := mustController(t, s, seed)
	var history []TrialState
	for len(history) < limit {
		p, ok, err := c.Next(history)
		if err != nil || !ok {
			t.Fatalf("%s seed %d: Next: %v %v", method, seed, ok, err)
		}
		f := surfaceAt(p)
		if f >= 0.95*fmax {
			return len(history) + 1
		}
		v := f
		if goal == "minimize" {
			v = -f
		}
		history = append(history, TrialState{Params: p, Values: []float64{v * 0.5, v}, Done: true})
	}
	return limit + 1
}

func TestBayesBeatsRandomOn2DFunction(t *testing.T) {
	fmax := surfaceMax()
	const limit = 150
	seeds := []int64{1, 2, 3, 4, 5, 6}
	for _, goal := range []string{"maximize", "minimize"} {
		var bayes, random float64
		for _, seed := range seeds {
			b := trialsToOptimum(t, "bayes", goal, seed, limit, fmax)
			r := trialsToOptimum(t, "random", goal, seed, limit, fmax)
			t.Logf("%s seed %d: bayes %d trials, random %d trials", goal, seed, b, r)
			if b > limit {
				t.Errorf("%s seed %d: bayes did not get within 5%% of the optimum in %d trials", goal, seed, limit)
			}
			bayes += float64(b) / float64(len(seeds))
			random += float64(r) / float64(len(seeds))
		}
		t.Logf("%s: mean trials to reach 95%% of the optimum: bayes %.1f, random %.1f", goal, bayes, random)
		if !(bayes < random) {
			t.Errorf("%s: bayes needed %.1f trials on average, random %.1f", goal, bayes, random)
		}
	}
}

func TestBayesDeterministicAndPure(t *testing.T) {
	s := mustParse(t, fmt.Sprintf(surfaceSpec, "maximize"))
	run := func() []map[string]any {
		c := mustController(t, s, 9)
		var h []TrialState
		var out []map[string]any
		for range 8 {
			p, _, err := c.Next(h)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
			h = append(h, TrialState{Params: p, Values: []float64{surfaceAt(p)}, Done: true})
		}
		return out
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("bayes is not deterministic for a seed")
	}
}

// With trials in flight, proposals differ from the in-flight points and
// from each other, and a running trial's partial values are not used as a
// result (the proposal equals the one for a pending trial).
func TestBayesInFlight(t *testing.T) {
	s := mustParse(t, fmt.Sprintf(surfaceSpec, "maximize"))
	c := mustController(t, s, 4)
	var h []TrialState
	for range 6 {
		p, _, _ := c.Next(h)
		h = append(h, TrialState{Params: p, Values: []float64{surfaceAt(p)}, Done: true})
	}
	p1, _, _ := c.Next(h)
	pending := append(append([]TrialState(nil), h...), TrialState{Params: p1})
	running := append(append([]TrialState(nil), h...), TrialState{Params: p1, Values: []float64{99}})
	p2, _, err := c.Next(pending)
	if err != nil {
		t.Fatal(err)
	}
	p2r, _, _ := c.Next(running)
	if !reflect.DeepEqual(p2, p2r) {
		t.Fatalf("running trial's values leaked into the model: %v vs %v", p2, p2r)
	}
	if reflect.DeepEqual(p1, p2) {
		t.Fatal("in-flight point proposed again")
	}
	// A failed trial is imputed with the worst value, not an error.
	failed := append(append([]TrialState(nil), h...), TrialState{Params: p1, Failed: true})
	if _, ok, err := c.Next(failed); !ok || err != nil {
		t.Fatalf("failed trial in history: %v %v", ok, err)
	}
}

func TestBayesFewSamplesIsRandom(t *testing.T) {
	s := mustParse(t, fmt.Sprintf(surfaceSpec, "maximize"))
	c := mustController(t, s, 2)
	p, ok, err := c.Next(nil)
	if !ok || err != nil {
		t.Fatalf("first proposal: %v %v", ok, err)
	}
	// One failed trial, one pending: still fewer than 2 finished targets
	// plus imputed ones, so still random but valid and new.
	h := []TrialState{{Params: p, Failed: true}}
	q, ok, err := c.Next(h)
	if !ok || err != nil || reflect.DeepEqual(p, q) {
		t.Fatalf("second proposal: %v %v %v", q, ok, err)
	}
}
