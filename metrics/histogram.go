package metrics

// HistogramBins is wandb.Histogram's default bin count.
const HistogramBins = 64

// Histogram is a wandb.Histogram: Counts[i] values fall in
// [Bins[i], Bins[i+1]), the last bin closed; len(Bins) = len(Counts)+1.
type Histogram struct {
	Bins   []float64 `json:"bins"`
	Counts []int     `json:"values"`
}

// NewHistogram bins xs as numpy.histogram(xs, bins=n) does, which is what
// wandb.Histogram(xs) logs (n = 64): n equal bins spanning [min, max],
// widened to [min−0.5, max+0.5] when all values are equal and [0, 1] when
// there are none; edges i·(max−min)/n + min with the last edge exactly max.
func NewHistogram(xs []float64, n int) Histogram {
	lo, hi := 0.0, 1.0
	if len(xs) > 0 {
		lo, hi = xs[0], xs[0]
		for _, x := range xs[1:] {
			lo, hi = min(lo, x), max(hi, x)
		}
		if lo == hi {
			lo, hi = lo-0.5, hi+0.5
		}
	}
	h := Histogram{Bins: make([]float64, n+1), Counts: make([]int, n)}
	step := (hi - lo) / float64(n)
	for i := range n {
		h.Bins[i] = float64(float64(i)*step) + lo // two roundings, as numpy (no FMA)
	}
	h.Bins[n] = hi
	for _, x := range xs {
		i := int((x - lo) / (hi - lo) * float64(n))
		i = min(max(i, 0), n-1)
		for i > 0 && x < h.Bins[i] {
			i--
		}
		for i < n-1 && x >= h.Bins[i+1] {
			i++
		}
		h.Counts[i]++
	}
	return h
}

// Value is the histogram's W&B history value:
// {"_type": "histogram", "values": counts, "bins": edges}.
func (h Histogram) Value() map[string]any {
	return map[string]any{"_type": "histogram", "values": h.Counts, "bins": h.Bins}
}

// TurnHistogram is the seed's turn_distribution: wandb.Histogram of the
// instances' n_turns. The seed logs it only when some instance completed.
func TurnHistogram(done []Instance) Histogram {
	xs := make([]float64, len(done))
	for i, in := range done {
		xs[i] = float64(in.Turns)
	}
	return NewHistogram(xs, HistogramBins)
}
