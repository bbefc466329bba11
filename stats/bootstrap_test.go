package stats

import (
	"errors"
	"math"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// bernoulli returns k ones followed by n−k zeros.
func bernoulli(k, n int) []float64 {
	x := make([]float64, n)
	for i := range k {
		x[i] = 1
	}
	return x
}

func TestQuantileType7(t *testing.T) {
	// Expected values are numpy.quantile's default (linear) method,
	// computed by hand: h = q·(n−1), x[⌊h⌋] + frac(h)·(x[⌊h⌋+1] − x[⌊h⌋]).
	tests := []struct {
		x    []float64
		q    float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, 0.025, 1.075},
		{[]float64{1, 2, 3, 4}, 0.975, 3.925},
		{[]float64{1, 2, 3, 4}, 0.5, 2.5},
		{[]float64{1, 2, 3, 4}, 0, 1},
		{[]float64{1, 2, 3, 4}, 1, 4},
		{[]float64{7}, 0.3, 7},
		{[]float64{0, 10}, 0.975, 9.75},
		{[]float64{-1, 0, 1}, 2, 1}, // clamped
	}
	for _, tc := range tests {
		if got := Quantile(tc.x, tc.q); !near(got, tc.want, 1e-12) {
			t.Errorf("Quantile(%v, %v) = %v, want %v", tc.x, tc.q, got, tc.want)
		}
	}
	if !math.IsNaN(Quantile(nil, 0.5)) {
		t.Error("Quantile of nothing is not NaN")
	}
}

func TestRNGIndex(t *testing.T) {
	a, b := NewRNG(7), NewRNG(7)
	counts := make([]int, 5)
	for range 50000 {
		i, j := a.Index(5), b.Index(5)
		if i != j {
			t.Fatal("same seed, different sequences")
		}
		counts[i]++
	}
	for i, c := range counts { // expected 10000 each, sd ≈ 89
		if c < 9500 || c > 10500 {
			t.Errorf("index %d drawn %d times of 50000", i, c)
		}
	}
	c := NewRNG(8)
	same := 0
	for range 100 {
		if a.Index(1000) == c.Index(1000) {
			same++
		}
	}
	if same > 10 {
		t.Errorf("seeds 7 and 8 agree on %d of 100 draws", same)
	}
}

func TestBootstrapMeanPaperSolveRates(t *testing.T) {
	// Source: the paper's auxiliary-data/bootstrapped_cis.csv (Gemini 2.5
	// Flash rows, n = 500, numpy default_rng seed 0, B = 10,000). A solve-rate
	// bootstrap depends only on the count of resolved instances, so the
	// published intervals apply to these synthetic outcome vectors.
	tests := []struct {
		name          string
		resolved      int
		point, lo, hi float64
	}{
		{"raw", 164, 0.328, 0.288, 0.370},
		{"masking", 178, 0.356, 0.314, 0.398},
		{"summary", 180, 0.360, 0.320, 0.40205},
	}
	for _, tc := range tests {
		iv, err := BootstrapMean(bernoulli(tc.resolved, 500), Options{Seed: 0})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %.4f [%.4f, %.4f], paper [%.4f, %.4f]", tc.name, iv.Point, iv.Lo, iv.Hi, tc.lo, tc.hi)
		if iv.N != 500 || iv.Point != tc.point {
			t.Errorf("%s: n %d point %v, want 500 %v", tc.name, iv.N, iv.Point, tc.point)
		}
		if !near(iv.Lo, tc.lo, 0.006) || !near(iv.Hi, tc.hi, 0.006) {
			t.Errorf("%s: CI [%.4f, %.4f], paper [%.4f, %.4f]", tc.name, iv.Lo, iv.Hi, tc.lo, tc.hi)
		}
	}
}

func TestBootstrapMeanProperties(t *testing.T) {
	x := []float64{0.1, 0.5, 2.0, 0.3, 0.05, 1.2, 0.7, 0.0, 3.1, 0.4}
	a, err := BootstrapMean(x, Options{Seed: 3, Resamples: 2000})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BootstrapMean(x, Options{Seed: 3, Resamples: 2000})
	if a != b {
		t.Errorf("same seed, different intervals: %+v %+v", a, b)
	}
	c, _ := BootstrapMean(x, Options{Seed: 4, Resamples: 2000})
	if c == a {
		t.Errorf("seeds 3 and 4 give the identical interval %+v", a)
	}
	if !(a.Lo < a.Point && a.Point < a.Hi) || a.Lo < 0 || a.Hi > 3.1 {
		t.Errorf("interval %+v does not bracket the mean inside the data range", a)
	}
	k, _ := BootstrapMean([]float64{2, 2, 2}, Options{})
	if k.Lo != 2 || k.Hi != 2 || k.Point != 2 {
		t.Errorf("constant data: %+v", k)
	}
}

func TestPairedBootstrapDiff(t *testing.T) {
	base := []float64{0.4, 1.0, 0.2, 0.9, 0.3, 0.5, 0.8, 0.1}
	plus := make([]float64, len(base))
	for i, v := range base {
		plus[i] = v + 0.25
	}
	tests := []struct {
		name            string
		a, b            []float64
		diff, lo, hi, p float64
	}{
		// Identical samples: every resampled difference is 0, counted in
		// both tails, so p = 2·min(1, 1) = 2 (the seed does not clip).
		{"identical", base, base, 0, 0, 0, 2},
		// A constant shift survives every resample: p = 2·min(1, 0) = 0.
		{"shifted up", plus, base, 0.25, 0.25, 0.25, 0},
		{"shifted down", base, plus, -0.25, -0.25, -0.25, 0},
	}
	for _, tc := range tests {
		got, err := PairedBootstrapDiff(tc.a, tc.b, Options{Seed: 1, Resamples: 500})
		if err != nil {
			t.Fatal(err)
		}
		if !near(got.Diff, tc.diff, 1e-9) || !near(got.Lo, tc.lo, 1e-9) || !near(got.Hi, tc.hi, 1e-9) || got.P != tc.p {
			t.Errorf("%s: got %+v, want diff %v CI [%v, %v] p %v", tc.name, got, tc.diff, tc.lo, tc.hi, tc.p)
		}
	}
}

func TestPairedBootstrapDiffNoisy(t *testing.T) {
	// 40 pairs; a beats b on 24, loses on 8, ties on 8: a clear but not
	// certain improvement.
	var a, b []float64
	for i := range 40 {
		switch {
		case i < 24:
			a, b = append(a, 1), append(b, 0)
		case i < 32:
			a, b = append(a, 0), append(b, 1)
		default:
			a, b = append(a, 1), append(b, 1)
		}
	}
	got, err := PairedBootstrapDiff(a, b, Options{Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("noisy: %+v", got)
	if got.N != 40 || !near(got.Diff, 0.4, 1e-12) {
		t.Errorf("n %d diff %v, want 40 0.4", got.N, got.Diff)
	}
	// Normal approximation: sd of the mean difference ≈ 0.123, so the
	// interval is about 0.4 ± 0.24 and p is well below 0.05.
	if !near(got.Lo, 0.16, 0.06) || !near(got.Hi, 0.63, 0.06) || got.P > 0.02 {
		t.Errorf("got %+v", got)
	}
	again, _ := PairedBootstrapDiff(a, b, Options{Seed: 0})
	if again != got {
		t.Error("not deterministic for a seed")
	}
}

func TestErrors(t *testing.T) {
	if _, err := BootstrapMean(nil, Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if _, err := PairedBootstrapDiff([]float64{1}, []float64{1, 2}, Options{}); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := PairedBootstrapDiff(nil, nil, Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty pairs: %v", err)
	}
	if _, err := BootstrapMean([]float64{1}, Options{Resamples: -1}); err == nil {
		t.Error("negative resamples accepted")
	}
	if _, err := BootstrapMean([]float64{1}, Options{Alpha: 1.5}); err == nil {
		t.Error("alpha 1.5 accepted")
	}
}

func TestPairedBootstrapDiffMissing(t *testing.T) {
	nan := math.NaN()
	// Means over present values: (1+3)/2 − (0+5+1)/3 = 0.
	got, err := PairedBootstrapDiff([]float64{1, nan, 3}, []float64{0, 5, 1}, Options{Seed: 2, Resamples: 300})
	if err != nil {
		t.Fatal(err)
	}
	if got.N != 3 || got.Diff != 0 || !(got.Lo < 0 && got.Hi > 0) {
		t.Errorf("got %+v, want n 3, diff 0 inside a CI around 0", got)
	}
	// A side that is 1 wherever present against a side of 0: every
	// resample with values on both sides gives exactly 1.
	got, err = PairedBootstrapDiff([]float64{1, nan, 1, nan}, []float64{0, 0, nan, 0}, Options{Seed: 2, Resamples: 300})
	if err != nil {
		t.Fatal(err)
	}
	if got.Diff != 1 || got.Lo != 1 || got.Hi != 1 || got.P != 0 {
		t.Errorf("got %+v, want 1 [1, 1] p 0", got)
	}
	if _, err := PairedBootstrapDiff([]float64{nan, nan}, []float64{1, 2}, Options{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("a side with no values: %v", err)
	}
}
