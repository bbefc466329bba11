package sweep

import (
	"math"
	"reflect"
	"sort"
	"testing"
)

const randomSpec = `
method: random
metric: {name: solve_rate, goal: maximize}
parameters:
  model: {values: [gpt-4o-mini, deepseek-chat]}
  strategy: {value: observation_masking}
  hp-obs-n: {min: 1, max: 20}
  cost-limit: {distribution: log_uniform_values, min: 0.1, max: 10.0}
`

func TestRandomDeterministicForSeed(t *testing.T) {
	s := mustParse(t, randomSpec)
	a := drain(t, mustController(t, s, 42), 30, false)
	b := drain(t, mustController(t, s, 42), 30, true)
	if len(a) != 30 || !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different sequences:\n%v\n%v", a, b)
	}
	c := drain(t, mustController(t, s, 43), 30, false)
	if reflect.DeepEqual(a, c) {
		t.Fatal("seeds 42 and 43 gave the same sequence")
	}
	for _, p := range a {
		n, ok := p["hp-obs-n"].(int)
		if !ok || n < 1 || n > 20 {
			t.Fatalf("hp-obs-n %#v", p["hp-obs-n"])
		}
		f, ok := p["cost-limit"].(float64)
		if !ok || f < 0.1 || f > 10 {
			t.Fatalf("cost-limit %#v", p["cost-limit"])
		}
		if p["strategy"] != "observation_masking" {
			t.Fatalf("constant missing: %v", p)
		}
	}
	// Next is pure: the same history gives the same answer.
	h := []TrialState{{Params: a[0], Done: true, Values: []float64{1}}}
	ctl := mustController(t, s, 42)
	p1, _, _ := ctl.Next(h)
	p2, _, _ := ctl.Next(h)
	if !reflect.DeepEqual(p1, p2) || !reflect.DeepEqual(p1, a[1]) {
		t.Fatalf("Next is not a function of the history: %v %v %v", p1, p2, a[1])
	}
}

func fp(v float64) *float64 { return &v }

// TestDistributions draws 20000 values of each distribution through the
// inverse CDF and checks range, quantisation and a location statistic.
func TestDistributions(t *testing.T) {
	tests := []struct {
		kind     string
		p        Parameter
		lo, hi   float64 // support
		q        float64 // values are multiples of q (0: not checked)
		median   float64
		tol      float64
		invertib bool // cdf(ppf(u)) == u
	}{
		{"uniform", Parameter{Min: fp(2), Max: fp(4)}, 2, 4, 0, 3, 0.05, true},
		{"int_uniform", Parameter{Min: fp(1), Max: fp(4)}, 1, 4, 1, 2.5, 0.51, false},
		{"q_uniform", Parameter{Min: fp(0), Max: fp(10), Q: fp(2.5)}, 0, 10, 2.5, 5, 0.01, false},
		{"log_uniform", Parameter{Min: fp(0), Max: fp(2)}, 1, math.Exp(2), 0, math.E, 0.1, true},
		{"log_uniform_values", Parameter{Min: fp(0.01), Max: fp(1)}, 0.01, 1, 0, 0.1, 0.01, true},
		{"q_log_uniform_values", Parameter{Min: fp(1), Max: fp(100), Q: fp(1)}, 1, 100, 1, 10, 1.01, false},
		{"inv_log_uniform", Parameter{Min: fp(0), Max: fp(2)}, math.Exp(-2), 1, 0, math.Exp(-1), 0.02, true},
		{"inv_log_uniform_values", Parameter{Min: fp(0.01), Max: fp(1)}, 0.01, 1, 0, 0.1, 0.01, true},
		{"normal", Parameter{Mu: fp(5), Sigma: fp(2)}, math.Inf(-1), math.Inf(1), 0, 5, 0.1, true},
		{"q_normal", Parameter{Mu: fp(5), Sigma: fp(2), Q: fp(0.5)}, math.Inf(-1), math.Inf(1), 0.5, 5, 0.01, false},
		{"log_normal", Parameter{Mu: fp(1), Sigma: fp(0.5)}, 0, math.Inf(1), 0, math.E, 0.1, true},
		{"q_log_normal", Parameter{Mu: fp(2), Sigma: fp(0.5), Q: fp(1)}, 0, math.Inf(1), 1, 7, 1.01, false},
		{"beta", Parameter{}, 0, 1, 0, 0.5, 0.02, true},
	}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			r := newRNG(1, streamRandom, 0)
			xs := make([]float64, 20000)
			for i := range xs {
				u := r.open()
				x := ppf(tc.kind, &tc.p, u)
				if x < tc.lo-1e-9 || x > tc.hi+1e-9 || math.IsNaN(x) {
					t.Fatalf("value %v outside [%v, %v]", x, tc.lo, tc.hi)
				}
				if tc.q > 0 && math.Abs(x/tc.q-math.Round(x/tc.q)) > 1e-9 {
					t.Fatalf("value %v is not a multiple of %v", x, tc.q)
				}
				if tc.invertib && math.Abs(cdf(tc.kind, &tc.p, x)-u) > 1e-9 {
					t.Fatalf("cdf(ppf(%v)) = %v", u, cdf(tc.kind, &tc.p, x))
				}
				xs[i] = x
			}
			sort.Float64s(xs)
			if med := xs[len(xs)/2]; math.Abs(med-tc.median) > tc.tol {
				t.Fatalf("median %v, want %v ± %v", med, tc.median, tc.tol)
			}
		})
	}
}

func TestIntUniformCoversRange(t *testing.T) {
	r := newRNG(5, streamRandom, 0)
	p := Parameter{Min: fp(1), Max: fp(4)}
	count := map[float64]int{}
	for range 4000 {
		count[ppf("int_uniform", &p, r.open())]++
	}
	for v := 1.0; v <= 4; v++ {
		if count[v] < 900 || count[v] > 1100 {
			t.Fatalf("value %v drawn %d times of 4000: %v", v, count[v], count)
		}
	}
	if len(count) != 4 {
		t.Fatalf("values outside 1..4: %v", count)
	}
}

func TestRNGStable(t *testing.T) {
	// Pinned: a change of the generator would change the proposals of every
	// sweep already recorded in a workflow history, and break its replay.
	r := newRNG(42, streamRandom, 3)
	if got := []int{r.intn(1000), r.intn(1000), r.intn(1000)}; !reflect.DeepEqual(got, []int{925, 377, 825}) {
		t.Fatalf("rng(42, random, 3) = %v", got)
	}
	if u := newRNG(7, streamBayes, 0).open(); u != 0.6260918888930131 {
		t.Fatalf("rng(7, bayes, 0).open() = %v", u)
	}
}
