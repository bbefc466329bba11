package sweep

import (
	"math"
	"testing"
)

func TestGPInterpolatesAndIsUncertainAway(t *testing.T) {
	var x [][]float64
	var y []float64
	for i := 0; i <= 8; i++ {
		v := float64(i) / 8
		x = append(x, []float64{v})
		y = append(y, math.Sin(2*math.Pi*v))
	}
	g, err := fitGP(x, y)
	if err != nil {
		t.Fatal(err)
	}
	mu, sd := g.predict([][]float64{{0.25}, {1.0 / 16}, {3}})
	if math.Abs(mu[0]-1) > 0.01 || sd[0] > 0.05 {
		t.Fatalf("at a training point: mu %v sd %v, want 1, ~0", mu[0], sd[0])
	}
	if want := math.Sin(2 * math.Pi / 16); math.Abs(mu[1]-want) > 0.05 {
		t.Fatalf("between points: mu %v, want %v", mu[1], want)
	}
	if sd[2] < 0.9 || math.Abs(mu[2]) > 0.1 {
		t.Fatalf("far away: mu %v sd %v, want the prior (0, 1)", mu[2], sd[2])
	}
}

// Kriging believer: conditioning on the predicted value at an in-flight
// point keeps the mean there and removes its uncertainty.
func TestGPBeliever(t *testing.T) {
	x := [][]float64{{0, 0}, {1, 0}, {0, 1}, {1, 1}}
	y := standardise([]float64{1, 2, 3, 5})
	g, err := fitGP(x, y)
	if err != nil {
		t.Fatal(err)
	}
	q := [][]float64{{0.5, 0.5}}
	mu, sd := g.predict(q)
	gb, ok := newGP(append(x, q[0]), append(y, mu[0]), g.ls, g.noise)
	if !ok {
		t.Fatal("believer GP not positive definite")
	}
	mu2, sd2 := gb.predict(q)
	if math.Abs(mu2[0]-mu[0]) > 1e-3 || sd2[0] > sd[0]/5 {
		t.Fatalf("believer: mu %v→%v sd %v→%v", mu[0], mu2[0], sd[0], sd2[0])
	}
}

func TestExpectedImprovement(t *testing.T) {
	if !(expectedImprovement(-1, 0.5, 0) > expectedImprovement(0, 0.5, 0)) {
		t.Fatal("a lower mean must improve more")
	}
	if !(expectedImprovement(0, 1, 0) > expectedImprovement(0, 0.1, 0)) {
		t.Fatal("more uncertainty must improve more at equal mean")
	}
	if ei := expectedImprovement(5, 1e-9, 0); ei > 1e-9 {
		t.Fatalf("certain and worse: EI %v", ei)
	}
	got := standardise([]float64{1, 3})
	if math.Abs(got[0]+1) > 1e-5 || math.Abs(got[1]-1) > 1e-5 {
		t.Fatalf("standardise %v", got)
	}
}
