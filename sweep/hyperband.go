package sweep

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Hyperband early termination as wandb/sweeps hyperband_stopping.py does it
// (wandb-protocol.md §7.3, seed-system.md §9.1).

// maxBand bounds the min_iter bands (W&B lists 100 of them; no trial runs
// more than this many instances).
const maxBand = 1 << 30

// Bands returns the sorted hyperband brackets, in iterations (finished
// instances):
//   - max_iter with s > 0: band = max_iter; s times: band /= eta, stop when
//     band < 1, else keep int(band). max_iter=27, eta=3, s=2 → [3 9].
//   - otherwise min_iter: int(min_iter·eta^k), k = 0, 1, …; s is ignored.
//     min_iter=3, eta=2 → [3 6 12 24 …].
//
// W&B prefers max_iter when both are given; here max_iter needs s > 0 to
// take precedence (the parser accepts max_iter without s next to min_iter).
// eta 0 means the default 3.
func (e *EarlyTerminate) Bands() ([]int, error) {
	if e == nil {
		return nil, errors.New("no early_terminate")
	}
	eta := e.eta()
	if !(eta > 1) {
		return nil, fmt.Errorf("early_terminate.eta must be > 1, got %v", eta)
	}
	var bands []int
	switch {
	case e.MaxIter > 0 && e.S > 0:
		band := float64(e.MaxIter)
		for i := 0; i < e.S; i++ {
			band /= eta
			if band < 1 {
				break
			}
			bands = append(bands, int(band))
		}
		sort.Ints(bands)
	case e.MinIter > 0:
		band := float64(e.MinIter)
		for i := 0; i < 100 && band <= maxBand; i++ {
			bands = append(bands, int(band))
			band *= eta
		}
	default:
		return nil, errors.New(`early_terminate needs "min_iter", or "max_iter" with "s"`)
	}
	if len(bands) == 0 {
		return nil, fmt.Errorf("early_terminate: no hyperband brackets from max_iter=%d, eta=%v, s=%d (max_iter/eta < 1)", e.MaxIter, eta, e.S)
	}
	return bands, nil
}

func (e *EarlyTerminate) eta() float64 {
	if e.Eta == 0 {
		return 3
	}
	return e.Eta
}

// ToStop returns, in ascending order, the indices of the running trials in
// history that hyperband stops now. goal is the metric goal ("maximize"
// negates; anything else minimises). It is pure; call it whenever a trial
// finishes an instance. A nil receiver or invalid bands stop nothing.
//
// A trial's history is its finite Values; its iteration is their count.
// For each band b the threshold is the value at position ⌊count/eta⌋
// (int(count·(1/eta)) as W&B) of the sorted values h[b-1] of every trial,
// in any state, that has at least b values (+∞ when none has). A running
// trial whose largest band B ≤ its iteration exists is stopped when its
// value h[B-1] (strict, the default) or its best value min(h) (strict:
// false) is worse than threshold(B). With more trials reaching B, the
// threshold can tighten, so a trial may be stopped between bands.
func (e *EarlyTerminate) ToStop(history []TrialState, goal string) []int {
	bands, err := e.Bands()
	if err != nil {
		return nil
	}
	strict := e.Strict == nil || *e.Strict
	r := 1 / e.eta()
	hs := make([][]float64, len(history))
	for i, t := range history {
		hs[i] = orientedHistory(t.Values, goal)
	}
	thresholds := make([]float64, len(bands))
	for bi, b := range bands {
		var vals []float64
		for _, h := range hs {
			if len(h) >= b {
				vals = append(vals, h[b-1])
			}
		}
		thresholds[bi] = math.Inf(1)
		if len(vals) > 0 {
			sort.Float64s(vals)
			thresholds[bi] = vals[int(r*float64(len(vals)))]
		}
	}
	var stop []int
	for i, t := range history {
		if !t.Running() {
			continue
		}
		h := hs[i]
		bi := -1
		for j, b := range bands {
			if b > len(h) {
				break
			}
			bi = j
		}
		if bi < 0 {
			continue
		}
		v := h[bands[bi]-1]
		if !strict {
			v = h[0]
			for _, x := range h {
				v = math.Min(v, x)
			}
		}
		if v > thresholds[bi] {
			stop = append(stop, i)
		}
	}
	return stop
}

// orientedHistory drops non-finite values and negates for maximize, so
// that lower is better.
func orientedHistory(values []float64, goal string) []float64 {
	out := make([]float64, 0, len(values))
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		if goal == "maximize" {
			v = -v
		}
		out = append(out, v)
	}
	return out
}
