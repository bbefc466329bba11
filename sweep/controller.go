package sweep

import (
	"errors"
	"fmt"
)

// A Controller proposes the next trial of a sweep. It is built for a
// Temporal workflow: Next is a pure function of (spec, seed, history). It
// reads no clock, uses no global random source and no map-iteration order,
// and keeps no state between calls (a controller rebuilt on replay answers
// the same), so the workflow owns the history and passes it in.

// TrialState is what a controller knows of one trial. history[i] is the
// i-th trial proposed (or started) in the sweep, in order; include every
// trial, pending, running, finished, stopped or failed.
//
// Params must be the map Next returned; a JSON round trip (ints turned
// into float64) is tolerated. Values is the trial's metric after each
// finished instance, in order, as W&B's history: one value per finished
// instance, so len(Values) is the trial's iteration count for hyperband.
type TrialState struct {
	Params  map[string]any `json:"params"`
	Values  []float64      `json:"values,omitempty"`
	Done    bool           `json:"done,omitempty"`    // every instance finished
	Stopped bool           `json:"stopped,omitempty"` // stopped early (hyperband, cancel)
	Failed  bool           `json:"failed,omitempty"`  // the trial workflow failed
}

// Iterations is the number of finished instances (len(Values)).
func (t TrialState) Iterations() int { return len(t.Values) }

// Running reports whether the trial is still pending or running.
func (t TrialState) Running() bool { return !t.Done && !t.Stopped && !t.Failed }

// Controller proposes trials. Next returns the parameters of the next trial
// (every spec parameter, constants included, ready for Spec.Trial), or
// ok=false when the sweep has nothing left to propose: the grid or a
// finite space is exhausted, or run_cap trials exist.
type Controller interface {
	Next(history []TrialState) (params map[string]any, ok bool, err error)
}

// NewController returns the controller for spec.Method: "grid" (Spec.Grid
// order, skipping trials whose RunConfig.ExperimentKey equals an earlier
// one), "random" (seeded W&B distributions) or "bayes" (Gaussian process
// with expected improvement, see bayes.go). spec.RunCap > 0 caps the number
// of trials for every method. seed is ignored by grid.
func NewController(spec *Spec, seed int64) (Controller, error) {
	if spec == nil {
		return nil, errors.New("sweep: NewController: nil spec")
	}
	if err := checkObjective(spec); err != nil {
		return nil, err
	}
	sp, err := newSpace(spec)
	if err != nil {
		return nil, err
	}
	var c Controller
	switch spec.Method {
	case "grid":
		if err := sp.enumerateGrid(); err != nil {
			return nil, err
		}
		c = &gridController{sp: sp}
	case "random", "bayes":
		if err := sp.enumerateFinite(); err != nil {
			return nil, err
		}
		if spec.Method == "random" {
			c = &randomController{sp: sp, seed: seed}
			break
		}
		if spec.Metric == nil || spec.Metric.Name == "" {
			return nil, fmt.Errorf("%s: method bayes needs a metric", spec.File)
		}
		c = &bayesController{sp: sp, seed: seed, maximize: spec.Metric.Goal == "maximize"}
	default:
		return nil, fmt.Errorf("%s: unknown sweep method %q (valid: grid, random, bayes)", spec.File, spec.Method)
	}
	if spec.RunCap > 0 {
		c = &cappedController{inner: c, cap: spec.RunCap}
	}
	return c, nil
}

// checkObjective checks that the metric is one MetricValue computes and
// that hyperband, if configured, has a metric and at least one bracket.
func checkObjective(spec *Spec) error {
	if spec.Metric != nil {
		if _, err := MetricValue(spec.Metric.Name, Outcome{}); err != nil {
			return fmt.Errorf("%s: metric.name: %w", spec.File, err)
		}
	}
	if spec.EarlyTerminate != nil {
		if spec.Metric == nil {
			return fmt.Errorf("%s: early_terminate (hyperband) needs a metric", spec.File)
		}
		if _, err := spec.EarlyTerminate.Bands(); err != nil {
			return fmt.Errorf("%s: %w", spec.File, err)
		}
	}
	return nil
}

// cappedController stops proposing once run_cap trials exist.
type cappedController struct {
	inner Controller
	cap   int
}

func (c *cappedController) Next(history []TrialState) (map[string]any, bool, error) {
	if len(history) >= c.cap {
		return nil, false, nil
	}
	return c.inner.Next(history)
}

// gridController walks the de-duplicated grid in order and proposes the
// first point whose experiment is not in the history yet.
type gridController struct{ sp *space }

func (g *gridController) Next(history []TrialState) (map[string]any, bool, error) {
	seen, err := g.sp.historyKeys(history)
	if err != nil {
		return nil, false, err
	}
	for i, key := range g.sp.pointKeys {
		if !seen[key] {
			return copyParams(g.sp.points[i]), true, nil
		}
	}
	return nil, false, nil
}

// DistinctGrid returns the grid (Spec.Grid order) with every point whose
// RunConfig.ExperimentKey equals an earlier point's removed: the trials a
// grid sweep actually runs. An invalid combination is an error.
func (s *Spec) DistinctGrid() ([]map[string]any, error) {
	sp, err := newSpace(s)
	if err != nil {
		return nil, err
	}
	if err := sp.enumerateGrid(); err != nil {
		return nil, err
	}
	return sp.points, nil
}

// DistinctPoints returns the distinct experiments of a finite search space
// (every parameter constant, categorical or int_uniform) in odometer order
// (file order, last parameter fastest), skipping invalid combinations.
// finite is false, with no points, when a parameter is continuous or the
// raw product exceeds limit (limit <= 0 means 20000).
func (s *Spec) DistinctPoints(limit int) (points []map[string]any, finite bool, err error) {
	sp, err := newSpace(s)
	if err != nil {
		return nil, false, err
	}
	if limit > 0 {
		sp.limit = limit
	}
	if err := sp.enumerateFinite(); err != nil {
		return nil, false, err
	}
	return sp.points, sp.finite, nil
}

func copyParams(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
