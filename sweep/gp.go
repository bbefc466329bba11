package sweep

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// gp is a zero-mean Gaussian-process regression on standardised targets
// with an isotropic Matérn 5/2 kernel of unit amplitude plus white noise.
// (W&B's bayes_search uses sklearn's Matern(nu=1.5) with a fitted length
// scale and alpha=1e-7; ctxsweep uses nu=2.5 and fits the noise too,
// because an agent's submission rate over a few instances is noisy.)
type gp struct {
	x     [][]float64
	ls    float64 // length scale
	noise float64 // variance added to the diagonal
	chol  mat.Cholesky
	l     mat.TriDense
	alpha *mat.VecDense
	lml   float64 // log marginal likelihood
}

// Hyper-parameters are fitted by maximising the log marginal likelihood
// over a fixed grid, which is deterministic (no optimiser restarts).
var (
	gpLengthScales = logspace(0.03, 10, 24)
	gpNoises       = []float64{1e-6, 1e-4, 1e-3, 1e-2, 0.05, 0.2}
)

func logspace(lo, hi float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = lo * math.Pow(hi/lo, float64(i)/float64(n-1))
	}
	return out
}

func matern52(r, ls float64) float64 {
	s := math.Sqrt(5) * r / ls
	return (1 + s + s*s/3) * math.Exp(-s)
}

func euclid(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// newGP factorises the kernel matrix of x for fixed hyper-parameters and
// solves for the weights of y. ok is false when K is not positive definite.
func newGP(x [][]float64, y []float64, ls, noise float64) (*gp, bool) {
	n := len(x)
	k := mat.NewSymDense(n, nil)
	for i := range n {
		k.SetSym(i, i, 1+noise)
		for j := i + 1; j < n; j++ {
			k.SetSym(i, j, matern52(euclid(x[i], x[j]), ls))
		}
	}
	g := &gp{x: x, ls: ls, noise: noise, alpha: mat.NewVecDense(n, nil)}
	if !g.chol.Factorize(k) {
		return nil, false
	}
	yv := mat.NewVecDense(n, append([]float64(nil), y...))
	if err := g.chol.SolveVecTo(g.alpha, yv); err != nil {
		return nil, false
	}
	g.chol.LTo(&g.l)
	g.lml = -0.5*mat.Dot(yv, g.alpha) - 0.5*g.chol.LogDet() - float64(n)/2*math.Log(2*math.Pi)
	return g, true
}

// fitGP picks the grid hyper-parameters with the highest log marginal
// likelihood (the first on ties, so the choice is deterministic).
func fitGP(x [][]float64, y []float64) (*gp, error) {
	var best *gp
	for _, ls := range gpLengthScales {
		for _, noise := range gpNoises {
			g, ok := newGP(x, y, ls, noise)
			if ok && !math.IsNaN(g.lml) && (best == nil || g.lml > best.lml) {
				best = g
			}
		}
	}
	if best == nil {
		return nil, errors.New("sweep: Gaussian process: kernel matrix is not positive definite")
	}
	return best, nil
}

// predict returns the posterior mean and standard deviation of the latent
// function at each point of xs.
func (g *gp) predict(xs [][]float64) (mu, sd []float64) {
	n, m := len(g.x), len(xs)
	if m == 0 {
		return nil, nil
	}
	ks := mat.NewDense(n, m, nil)
	for i := range n {
		for j := range m {
			ks.Set(i, j, matern52(euclid(g.x[i], xs[j]), g.ls))
		}
	}
	var mv mat.VecDense
	mv.MulVec(ks.T(), g.alpha)
	var v mat.Dense
	// L is well conditioned (noise >= 1e-6 on a unit diagonal); a
	// Condition error still leaves a usable solution.
	_ = v.Solve(&g.l, ks)
	mu, sd = make([]float64, m), make([]float64, m)
	for j := range m {
		mu[j] = mv.AtVec(j)
		variance := 1.0
		for i := range n {
			variance -= v.At(i, j) * v.At(i, j)
		}
		sd[j] = math.Sqrt(math.Max(variance, 0))
	}
	return mu, sd
}

// expectedImprovement is W&B's EI for minimisation of standardised y with
// incumbent best: z = (best-mu)/(sd+1e-6), EI = (best-mu)·Φ(z) + sd·φ(z).
func expectedImprovement(mu, sd, best float64) float64 {
	z := (best - mu) / (sd + 1e-6)
	return (best-mu)*normCDF(z) + sd*normPDF(z)
}

// standardise returns (y-mean)/(std+1e-6) as W&B does (std 1 for one sample).
func standardise(y []float64) []float64 {
	n := float64(len(y))
	var mean float64
	for _, v := range y {
		mean += v / n
	}
	std := 1.0
	if len(y) > 1 {
		var ss float64
		for _, v := range y {
			ss += (v - mean) * (v - mean)
		}
		std = math.Sqrt(ss / n)
	}
	out := make([]float64, len(y))
	for i, v := range y {
		out[i] = (v - mean) / (std + 1e-6)
	}
	return out
}
