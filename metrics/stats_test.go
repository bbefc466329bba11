package metrics

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestMedian(t *testing.T) {
	cases := []struct {
		xs   []int
		want float64
	}{
		{nil, 0},
		{[]int{5}, 5},
		{[]int{1, 3}, 2},
		{[]int{1, 2}, 1.5},
		{[]int{3, 1, 2}, 2},
		{[]int{4, 1, 3, 2}, 2.5},
		{[]int{10, 4, 7, 1}, 5.5},
		{[]int{7, 7, 7, 7}, 7},
		{[]int{0, 251}, 125.5},
	}
	for _, c := range cases {
		in := append([]int(nil), c.xs...)
		if got := Median(c.xs); got != c.want {
			t.Errorf("Median(%v) = %v, want %v", c.xs, got, c.want)
		}
		if !reflect.DeepEqual(in, c.xs) {
			t.Errorf("Median modified its input")
		}
	}
}

func TestSampleStd(t *testing.T) {
	cases := []struct {
		xs   []int
		want float64 // Python statistics.stdev, or 0 below two values
	}{
		{nil, 0},
		{[]int{7}, 0},                     // n = 1
		{[]int{1, 2}, 0.7071067811865476}, // n = 2: sqrt(1/2)
		{[]int{10, 4}, 4.242640687119285}, // n = 2: sqrt(18)
		{[]int{5, 5}, 0},
		{[]int{10, 4, 7}, 3},
		{[]int{2, 4, 4, 4, 5, 5, 7, 9}, 2.138089935299395}, // sqrt(32/7)
		{[]int{1_000_000_000, 1_000_000_001}, 0.7071067811865476},
	}
	for _, c := range cases {
		if got := SampleStd(c.xs); got != c.want {
			t.Errorf("SampleStd(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
	// Agrees with the textbook two-pass formula to rounding.
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		xs := make([]int, 2+r.IntN(50))
		for i := range xs {
			xs[i] = r.IntN(300)
		}
		mean := 0.0
		for _, x := range xs {
			mean += float64(x)
		}
		mean /= float64(len(xs))
		ss := 0.0
		for _, x := range xs {
			ss += (float64(x) - mean) * (float64(x) - mean)
		}
		if want := math.Sqrt(ss / float64(len(xs)-1)); math.Abs(SampleStd(xs)-want) > 1e-9*want+1e-12 {
			t.Fatalf("SampleStd(%v) = %v, two-pass %v", xs, SampleStd(xs), want)
		}
	}
}

func TestRatioZeroDenominator(t *testing.T) {
	if ratio(3, 0) != 0 || ratio(0, 0) != 0 || ratio(1, 4) != 0.25 {
		t.Fatal("ratio")
	}
}

func TestMinMax(t *testing.T) {
	if lo, hi := minMax(nil); lo != 0 || hi != 0 {
		t.Fatal("empty")
	}
	if lo, hi := minMax([]int{4, 10, 7}); lo != 4 || hi != 10 {
		t.Fatal(lo, hi)
	}
}
