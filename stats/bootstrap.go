package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// DefaultResamples and DefaultAlpha are the seed's B and α (§11.4).
const (
	DefaultResamples = 10000
	DefaultAlpha     = 0.05
)

// Options configure a bootstrap. Zero Resamples and Alpha take the defaults.
type Options struct {
	Resamples int
	Alpha     float64
	Seed      uint64
}

func (o Options) resolved() (Options, error) {
	if o.Resamples == 0 {
		o.Resamples = DefaultResamples
	}
	if o.Alpha == 0 {
		o.Alpha = DefaultAlpha
	}
	if o.Resamples < 1 {
		return o, fmt.Errorf("stats: resamples must be positive, got %d", o.Resamples)
	}
	if !(o.Alpha > 0 && o.Alpha < 1) {
		return o, fmt.Errorf("stats: alpha must be in (0, 1), got %v", o.Alpha)
	}
	return o, nil
}

// ErrEmpty is returned for a bootstrap of no observations.
var ErrEmpty = errors.New("stats: no observations")

// Interval is a point estimate with its percentile confidence interval.
type Interval struct {
	N     int     `json:"n"`
	Point float64 `json:"point"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
}

// Mean is the arithmetic mean; NaN for no values.
func Mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// Quantile is numpy's default quantile (linear interpolation, Hyndman–Fan
// type 7) of sorted values; q is clamped to [0, 1].
func Quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	q = min(max(q, 0), 1)
	h := q * float64(n-1)
	i := int(math.Floor(h))
	if i >= n-1 {
		return sorted[n-1]
	}
	return sorted[i] + (h-float64(i))*(sorted[i+1]-sorted[i])
}

// BootstrapMean is the percentile bootstrap CI of the mean of x: each of
// o.Resamples resamples draws len(x) indices with replacement; the interval
// is the (α/2, 1−α/2) type-7 quantile of the resampled means.
func BootstrapMean(x []float64, o Options) (Interval, error) {
	o, err := o.resolved()
	if err != nil {
		return Interval{}, err
	}
	if len(x) == 0 {
		return Interval{}, ErrEmpty
	}
	rng := NewRNG(o.Seed)
	n := len(x)
	means := make([]float64, o.Resamples)
	for b := range means {
		s := 0.0
		for range n {
			s += x[rng.Index(n)]
		}
		means[b] = s / float64(n)
	}
	slices.Sort(means)
	return Interval{
		N:     n,
		Point: Mean(x),
		Lo:    Quantile(means, o.Alpha/2),
		Hi:    Quantile(means, 1-o.Alpha/2),
	}, nil
}

// PairedDiff is mean(a) − mean(b) over paired observations with its paired
// bootstrap percentile CI and two-sided p-value.
type PairedDiff struct {
	N    int     `json:"n"`
	Diff float64 `json:"diff"`
	Lo   float64 `json:"lo"`
	Hi   float64 `json:"hi"`
	// P is 2·min(P̂(d ≥ 0), P̂(d ≤ 0)) over the resampled differences d, as
	// the seed defines it: ties at zero count in both tails and P is not
	// clipped, so it can exceed 1 (it is 2 when every d is 0).
	P float64 `json:"p"`
}

// PairedBootstrapDiff resamples the pairs (a[i], b[i]) with one index vector
// per resample and returns the CI of mean(a) − mean(b).
//
// NaN marks a missing value (an instance one side has no cost for): each
// side's mean is then over its present values, in the data and in every
// resample, so pairs present on both sides stay paired. Without NaNs this is
// exactly the seed's paired bootstrap. Resamples that leave one side without
// any value are left out of the interval and the p-value.
func PairedBootstrapDiff(a, b []float64, o Options) (PairedDiff, error) {
	o, err := o.resolved()
	if err != nil {
		return PairedDiff{}, err
	}
	if len(a) != len(b) {
		return PairedDiff{}, fmt.Errorf("stats: paired samples differ in length: %d and %d", len(a), len(b))
	}
	ma, mb := presentMean(a), presentMean(b)
	if math.IsNaN(ma) || math.IsNaN(mb) {
		return PairedDiff{}, ErrEmpty
	}
	n := len(a)
	rng := NewRNG(o.Seed)
	diffs := make([]float64, 0, o.Resamples)
	ge, le := 0, 0
	for range o.Resamples {
		// Sum a and b apart, like mean(a[idx]) − mean(b[idx]), so that a
		// resample of equal values gives exactly 0.
		sa, sb, na, nb := 0.0, 0.0, 0, 0
		for range n {
			i := rng.Index(n)
			if !math.IsNaN(a[i]) {
				sa, na = sa+a[i], na+1
			}
			if !math.IsNaN(b[i]) {
				sb, nb = sb+b[i], nb+1
			}
		}
		if na == 0 || nb == 0 {
			continue
		}
		v := sa/float64(na) - sb/float64(nb)
		diffs = append(diffs, v)
		if v >= 0 {
			ge++
		}
		if v <= 0 {
			le++
		}
	}
	if len(diffs) == 0 {
		return PairedDiff{}, ErrEmpty
	}
	slices.Sort(diffs)
	fr := float64(len(diffs))
	return PairedDiff{
		N:    n,
		Diff: ma - mb,
		Lo:   Quantile(diffs, o.Alpha/2),
		Hi:   Quantile(diffs, 1-o.Alpha/2),
		P:    2 * min(float64(ge)/fr, float64(le)/fr),
	}, nil
}

// presentMean is the mean of the values that are not NaN; NaN if none.
func presentMean(x []float64) float64 {
	s, n := 0.0, 0
	for _, v := range x {
		if !math.IsNaN(v) {
			s, n = s+v, n+1
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}
