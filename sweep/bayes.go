package sweep

import (
	"math"
	"sort"
)

// bayesController is W&B's bayes search (wandb/sweeps bayes_search.py),
// deterministic for (spec, seed, history):
//
//   - Each parameter is encoded in [0,1]: numeric distributions by their
//     CDF, int_uniform and ordinal categoricals (numbers, booleans) by
//     rank, other categoricals one-hot (W&B uses one ordinal index per
//     categorical; a model list has no order, hence one-hot). Constants are
//     not encoded.
//   - Targets: a finished or stopped trial counts with its last metric
//     value (the aggregate over every instance it ran; W&B takes the best
//     value of the history, which rewards a lucky first instance). A failed
//     trial, or one without values, is imputed with the worst target (0 if
//     there is none), as W&B's default impute=worst. Maximisation negates.
//   - With fewer than 2 targets the proposal is random (as random search).
//   - Otherwise a Matérn 5/2 GP is fitted to the standardised targets (at
//     most 100, a seeded subsample beyond). Pending and running trials
//     count with the GP's predicted value (kriging believer) and the GP is
//     conditioned on them, so parallel proposals spread out.
//   - Candidates: every remaining distinct experiment of a finite space
//     (see Spec.DistinctPoints), else 1000 seeded draws from the prior that
//     are valid and new. The candidate with the highest expected
//     improvement wins; ties go to the first.
type bayesController struct {
	sp       *space
	seed     int64
	maximize bool
}

const (
	maxGPSamples = 100
	bayesDraws   = 1000
	predictBlock = 2048
)

func (c *bayesController) Next(history []TrialState) (map[string]any, bool, error) {
	seen, err := c.sp.historyKeys(history)
	if err != nil {
		return nil, false, err
	}
	r := newRNG(c.seed, streamBayes, len(history))
	x, y, inflight := c.observations(history)
	if len(y) < 2 {
		return c.sp.propose(r, seen)
	}
	x, y = subsample(r, x, y, maxGPSamples)
	cands := c.candidates(r, seen)
	if len(cands) == 0 {
		return c.sp.propose(r, seen) // exhausted (ok=false) or draws failed
	}
	i, err := chooseEI(x, y, inflight, c.sp, cands)
	if err != nil {
		return c.sp.propose(r, seen)
	}
	return copyParams(cands[i]), true, nil
}

// observations encodes the history: targets (minimisation orientation) of
// terminal trials, and the inputs of trials still in flight.
func (c *bayesController) observations(history []TrialState) (x [][]float64, y []float64, inflight [][]float64) {
	var imputed [][]float64
	worst := 0.0
	for _, t := range history {
		xi := c.sp.encode(c.sp.full(t.Params))
		if t.Running() {
			inflight = append(inflight, xi)
			continue
		}
		v, ok := lastFinite(t.Values)
		if t.Failed || !ok {
			imputed = append(imputed, xi)
			continue
		}
		if c.maximize {
			v = -v
		}
		if len(y) == 0 || v > worst {
			worst = v
		}
		x, y = append(x, xi), append(y, v)
	}
	for _, xi := range imputed {
		x, y = append(x, xi), append(y, worst)
	}
	return x, y, inflight
}

func lastFinite(vs []float64) (float64, bool) {
	for i := len(vs) - 1; i >= 0; i-- {
		if !math.IsNaN(vs[i]) && !math.IsInf(vs[i], 0) {
			return vs[i], true
		}
	}
	return 0, false
}

// subsample keeps at most n samples, chosen with r (order preserved).
func subsample(r *rng, x [][]float64, y []float64, n int) ([][]float64, []float64) {
	if len(y) <= n {
		return x, y
	}
	idx := make([]int, len(y))
	for i := range idx {
		idx[i] = i
	}
	for i := 0; i < n; i++ { // partial Fisher-Yates
		j := i + r.intn(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	keep := idx[:n]
	sort.Ints(keep)
	xs, ys := make([][]float64, n), make([]float64, n)
	for i, k := range keep {
		xs[i], ys[i] = x[k], y[k]
	}
	return xs, ys
}

// candidates lists the points EI is evaluated on.
func (c *bayesController) candidates(r *rng, seen map[string]bool) []map[string]any {
	var out []map[string]any
	if c.sp.finite {
		for i, k := range c.sp.pointKeys {
			if !seen[k] {
				out = append(out, c.sp.points[i])
			}
		}
		return out
	}
	for range bayesDraws {
		p := c.sp.sample(r)
		if k, err := c.sp.key(p); err == nil && !seen[k] {
			out = append(out, p)
		}
	}
	return out
}

// chooseEI fits the GP, adds the in-flight trials as believed observations
// and returns the index of the candidate with the highest EI.
func chooseEI(x [][]float64, y []float64, inflight [][]float64, sp *space, cands []map[string]any) (int, error) {
	ys := standardise(y)
	g, err := fitGP(x, ys)
	if err != nil {
		return 0, err
	}
	best := ys[0]
	for _, v := range ys {
		best = math.Min(best, v)
	}
	if len(inflight) > 0 {
		mu, _ := g.predict(inflight)
		xa := append(append([][]float64(nil), x...), inflight...)
		ya := append(append([]float64(nil), ys...), mu...)
		if ga, ok := newGP(xa, ya, g.ls, g.noise); ok {
			g = ga
		}
	}
	bestI, bestEI := 0, math.Inf(-1)
	for lo := 0; lo < len(cands); lo += predictBlock {
		hi := min(lo+predictBlock, len(cands))
		enc := make([][]float64, 0, hi-lo)
		for _, p := range cands[lo:hi] {
			enc = append(enc, sp.encode(p))
		}
		mu, sd := g.predict(enc)
		for j := range enc {
			if ei := expectedImprovement(mu[j], sd[j], best); ei > bestEI {
				bestI, bestEI = lo+j, ei
			}
		}
	}
	return bestI, nil
}
