package sweep

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// rng is a seeded PCG source with our own derivations of floats, integers
// and normals, so that a (seed, stream) pair gives the same numbers on
// every Go release (math/rand/v2 documents only PCG itself as stable).
type rng struct{ src *rand.PCG }

// Streams separate the uses of one seed.
const (
	streamRandom = 1
	streamBayes  = 2
)

// newRNG returns the generator for the proposal after n trials.
func newRNG(seed int64, purpose, n int) *rng {
	return &rng{rand.NewPCG(uint64(seed), uint64(n)<<8|uint64(purpose))}
}

// open returns a uniform float in (0,1), never 0 or 1.
func (r *rng) open() float64 {
	return (float64(r.src.Uint64()>>11) + 0.5) / (1 << 53)
}

// intn returns a uniform integer in [0,n), n > 0, without modulo bias.
func (r *rng) intn(n int) int {
	limit := math.MaxUint64 - math.MaxUint64%uint64(n)
	for {
		if v := r.src.Uint64(); v < limit {
			return int(v % uint64(n))
		}
	}
}

// W&B's parameter distributions (wandb/sweeps params.py): sampling is the
// inverse CDF (ppf) of a uniform u in (0,1), encoding for the GP is the CDF.
// Defaults as W&B: mu=0, sigma=1, q=1; beta uses a=b=1 (the sweep file has
// no a/b keys), i.e. uniform on [0,1]. Rounding to q is round-half-even
// like numpy. The *_values variants take min/max as values, the others as
// exponents of e; inv_log_uniform is exp(-U(min,max)), and
// inv_log_uniform_values is W&B's exp(-U(-ln max, -ln min)), which is the
// same law as log_uniform_values.

func orDefault(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}

// bounds returns the interval U is drawn from (in log space for the log
// distributions) and whether the distribution is log/inverse-log.
func bounds(kind string, p *Parameter) (lo, hi float64) {
	lo, hi = orDefault(p.Min, 0), orDefault(p.Max, 1)
	switch kind {
	case "log_uniform_values", "q_log_uniform_values":
		return math.Log(lo), math.Log(hi)
	case "inv_log_uniform_values":
		return -math.Log(hi), -math.Log(lo)
	}
	return lo, hi
}

func quantise(x float64, p *Parameter) float64 {
	q := orDefault(p.Q, 1)
	if q <= 0 {
		return x
	}
	return math.RoundToEven(x/q) * q
}

// ppf maps u in (0,1) to a value of the distribution.
func ppf(kind string, p *Parameter, u float64) float64 {
	lo, hi := bounds(kind, p)
	mu, sigma := orDefault(p.Mu, 0), orDefault(p.Sigma, 1)
	switch kind {
	case "int_uniform":
		n := math.Floor(u * (hi - lo + 1))
		return math.Min(lo+n, hi)
	case "uniform":
		return lo + u*(hi-lo)
	case "q_uniform":
		return quantise(lo+u*(hi-lo), p)
	case "log_uniform", "log_uniform_values":
		return math.Exp(lo + u*(hi-lo))
	case "q_log_uniform", "q_log_uniform_values":
		return quantise(math.Exp(lo+u*(hi-lo)), p)
	case "inv_log_uniform", "inv_log_uniform_values":
		return math.Exp(-(lo + (1-u)*(hi-lo)))
	case "normal":
		return mu + sigma*normPPF(u)
	case "q_normal":
		return quantise(mu+sigma*normPPF(u), p)
	case "log_normal":
		return math.Exp(mu + sigma*normPPF(u))
	case "q_log_normal":
		return quantise(math.Exp(mu+sigma*normPPF(u)), p)
	case "beta":
		return u
	case "q_beta":
		return quantise(u, p)
	}
	panic("sweep: unknown distribution " + kind)
}

// cdf is the inverse of ppf (up to quantisation), used to encode x in [0,1].
func cdf(kind string, p *Parameter, x float64) float64 {
	lo, hi := bounds(kind, p)
	mu, sigma := orDefault(p.Mu, 0), orDefault(p.Sigma, 1)
	switch kind {
	case "int_uniform", "uniform", "q_uniform":
		return (x - lo) / (hi - lo)
	case "log_uniform", "log_uniform_values", "q_log_uniform", "q_log_uniform_values":
		return (math.Log(x) - lo) / (hi - lo)
	case "inv_log_uniform", "inv_log_uniform_values":
		return 1 - (-math.Log(x)-lo)/(hi-lo)
	case "normal", "q_normal":
		return normCDF((x - mu) / sigma)
	case "log_normal", "q_log_normal":
		return normCDF((math.Log(x) - mu) / sigma)
	}
	return x // beta, q_beta with a=b=1
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
func normPDF(z float64) float64 { return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) }
func normPPF(u float64) float64 { return math.Sqrt2 * math.Erfinv(2*u-1) }

// sample draws every parameter independently from its distribution, in
// file order; a categorical is uniform over its values.
func (sp *space) sample(r *rng) map[string]any {
	out := make(map[string]any, len(sp.dims))
	for i := range sp.dims {
		d := &sp.dims[i]
		switch d.kind {
		case "constant":
			out[d.p.Name] = d.p.Value
		case "categorical":
			out[d.p.Name] = d.p.Values[r.intn(len(d.p.Values))]
		default:
			out[d.p.Name] = d.output(ppf(d.kind, d.p, r.open()))
		}
	}
	return out
}

// maxDraws bounds the draws spent looking for a new, valid experiment.
const maxDraws = 1000

// propose draws until it finds a valid point whose experiment is not in
// seen. In a finite space it falls back to a uniform pick among the
// remaining points, and reports ok=false when none remain.
func (sp *space) propose(r *rng, seen map[string]bool) (map[string]any, bool, error) {
	var remaining []int
	if sp.finite {
		for i, k := range sp.pointKeys {
			if !seen[k] {
				remaining = append(remaining, i)
			}
		}
		if len(remaining) == 0 {
			return nil, false, nil
		}
	}
	var lastErr error
	for range maxDraws {
		p := sp.sample(r)
		k, err := sp.key(p)
		if err != nil {
			lastErr = err
			continue
		}
		if !seen[k] {
			return p, true, nil
		}
	}
	if sp.finite {
		return copyParams(sp.points[remaining[r.intn(len(remaining))]]), true, nil
	}
	if lastErr != nil {
		return nil, false, fmt.Errorf("%s: no valid new trial in %d draws: %w", sp.spec.File, maxDraws, lastErr)
	}
	return nil, false, nil
}

// randomController is W&B's random search, seeded, without repeating an
// experiment already in the history.
type randomController struct {
	sp   *space
	seed int64
}

func (c *randomController) Next(history []TrialState) (map[string]any, bool, error) {
	seen, err := c.sp.historyKeys(history)
	if err != nil {
		return nil, false, err
	}
	return c.sp.propose(newRNG(c.seed, streamRandom, len(history)), seen)
}
