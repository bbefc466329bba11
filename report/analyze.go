package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ctxresearch/ctxsweep/stats"
)

// Options configure the statistics. Solve rates use seed Seed and costs
// Seed+1, like the seed's 0 and 1 (§11.4).
type Options struct {
	Resamples int    // 0 → 10,000
	Seed      uint64 // default 0
	// Pairs, if any, replace the automatic pairing with the raw experiment
	// of the same model.
	Pairs []Pair
}

// Pair compares Experiment with Baseline (differences are experiment −
// baseline), by experiment name or alias.
type Pair struct{ Experiment, Baseline string }

// ParsePair reads EXPERIMENT=BASELINE.
func ParsePair(s string) (Pair, error) {
	a, b, ok := strings.Cut(s, "=")
	if !ok || a == "" || b == "" {
		return Pair{}, fmt.Errorf("pair %q: want EXPERIMENT=BASELINE", s)
	}
	return Pair{a, b}, nil
}

// Row is one experiment's line of the report.
type Row struct {
	Group      string `json:"group"` // "(a) <model>", the figure's panel
	Model      string `json:"model"`
	Strategy   string `json:"strategy"`
	Experiment string `json:"experiment"`
	N          int    `json:"n_instances"`
	Resolved   int    `json:"resolved"`
	// SolveRate is over all N instances (unevaluated ones count as not
	// resolved); nil when no instance has an outcome.
	SolveRate *stats.Interval `json:"solve_rate"`
	// MeanCost (agent + summary, USD) is over the instances with a cost.
	MeanCost        *stats.Interval `json:"mean_cost"`
	MeanAgentCost   float64         `json:"mean_agent_cost"`
	MeanSummaryCost float64         `json:"mean_summary_cost"`
	MeanTurns       *float64        `json:"mean_turns"`
	CacheHitRate    *float64        `json:"cache_hit_rate"`
	Submitted       int             `json:"submitted"`
	ExitStatuses    map[string]int  `json:"exit_statuses"` // seed §7.7 categories
	Sources         []string        `json:"sources"`
	// Harness is the SWE-bench grading rules of its outcomes ("" = not
	// recorded by the source, e.g. an official harness report).
	Harness string `json:"harness"`
}

// PairRow is a paired comparison (other − baseline) on the common instances.
type PairRow struct {
	Group       string            `json:"group"`
	Strategy    string            `json:"strategy"`
	Experiment  string            `json:"experiment_other"`
	Baseline    string            `json:"experiment_raw"`
	NCommon     int               `json:"n_common"`
	SolveRate   *stats.PairedDiff `json:"solve_rate_diff"`
	NCommonCost int               `json:"n_common_cost"`
	MeanCost    *stats.PairedDiff `json:"mean_cost_diff"`
}

// Report is the analysed set.
type Report struct {
	Resamples int       `json:"resamples"`
	Seed      uint64    `json:"seed"`
	Rows      []Row     `json:"experiments"`
	Pairs     []PairRow `json:"paired"`
}

// Analyze computes the rows and the paired comparisons.
func Analyze(s *Set, o Options) (*Report, error) {
	if o.Resamples == 0 {
		o.Resamples = stats.DefaultResamples
	}
	exps := s.Experiments()
	slices.SortStableFunc(exps, func(a, b *Experiment) int {
		return cmp.Or(cmp.Compare(a.Model, b.Model), cmp.Compare(strategyRank(a.Strategy), strategyRank(b.Strategy)),
			cmp.Compare(a.Name, b.Name))
	})
	groups := map[string]string{}
	for _, e := range exps {
		if _, ok := groups[e.Model]; !ok {
			groups[e.Model] = fmt.Sprintf("(%c) %s", 'a'+rune(len(groups)%26), e.Model)
		}
	}
	r := &Report{Resamples: o.Resamples, Seed: o.Seed}
	for _, e := range exps {
		row, err := summarize(e, o)
		if err != nil {
			return nil, err
		}
		row.Group = groups[e.Model]
		r.Rows = append(r.Rows, row)
	}
	pairs := o.Pairs
	if len(pairs) == 0 {
		pairs = autoPairs(exps)
	}
	for _, p := range pairs {
		a, b := s.Lookup(p.Experiment), s.Lookup(p.Baseline)
		for _, x := range []struct {
			name string
			e    *Experiment
		}{{p.Experiment, a}, {p.Baseline, b}} {
			if x.e == nil {
				return nil, fmt.Errorf("pair %s=%s: no experiment named %q", p.Experiment, p.Baseline, x.name)
			}
		}
		pr, err := compare(a, b, o)
		if err != nil {
			return nil, fmt.Errorf("pair %s=%s: %w", p.Experiment, p.Baseline, err)
		}
		pr.Group = groups[a.Model]
		r.Pairs = append(r.Pairs, pr)
	}
	return r, nil
}

// sortedInstances orders by id so that results do not depend on file order.
func sortedInstances(e *Experiment) []*Instance {
	ins := e.Instances()
	slices.SortFunc(ins, func(a, b *Instance) int { return cmp.Compare(a.ID, b.ID) })
	return ins
}

func summarize(e *Experiment, o Options) (Row, error) {
	row := Row{Model: e.Model, Strategy: e.Strategy, Experiment: e.Name, Sources: e.Sources,
		ExitStatuses: map[string]int{}, Harness: e.Harness}
	var outcomes, costs []float64
	evaluated, turns, nTurns, input, cached := 0, 0, 0, 0, 0
	for _, in := range sortedInstances(e) {
		row.N++
		v := 0.0
		if in.Resolved {
			v, row.Resolved = 1, row.Resolved+1
		}
		outcomes = append(outcomes, v)
		if in.outcome > 0 {
			evaluated++
		}
		if in.HasCost {
			costs = append(costs, in.Cost+in.SummaryCost)
			row.MeanAgentCost += in.Cost
			row.MeanSummaryCost += in.SummaryCost
		}
		if in.HasTurns {
			turns, nTurns = turns+in.Turns, nTurns+1
		}
		input, cached = input+in.InputTokens, cached+in.CachedTokens
		if in.Submitted {
			row.Submitted++
		}
		if in.ExitStatus != "" {
			row.ExitStatuses[ExitCategory(in.ExitStatus)]++
		}
	}
	if evaluated > 0 {
		iv, err := stats.BootstrapMean(outcomes, stats.Options{Resamples: o.Resamples, Seed: o.Seed})
		if err != nil {
			return row, fmt.Errorf("%s: solve rate: %w", e.Name, err)
		}
		row.SolveRate = &iv
	}
	if len(costs) > 0 {
		iv, err := stats.BootstrapMean(costs, stats.Options{Resamples: o.Resamples, Seed: o.Seed + 1})
		if err != nil {
			return row, fmt.Errorf("%s: mean cost: %w", e.Name, err)
		}
		row.MeanCost = &iv
		row.MeanAgentCost /= float64(len(costs))
		row.MeanSummaryCost /= float64(len(costs))
	}
	if nTurns > 0 {
		m := float64(turns) / float64(nTurns)
		row.MeanTurns = &m
	}
	if input > 0 {
		h := float64(cached) / float64(input)
		row.CacheHitRate = &h
	}
	return row, nil
}

// autoPairs pairs every non-raw experiment with the raw experiment of the
// same model sharing the most instances (ties: the first by name).
func autoPairs(exps []*Experiment) []Pair {
	var out []Pair
	for _, e := range exps {
		if e.Strategy == Raw {
			continue
		}
		best, bestN := "", 0
		for _, b := range exps {
			if b.Strategy != Raw || b.Model != e.Model {
				continue
			}
			n := 0
			for id := range e.byID {
				if _, ok := b.byID[id]; ok {
					n++
				}
			}
			if n > bestN || (n == bestN && n > 0 && b.Name < best) {
				best, bestN = b.Name, n
			}
		}
		if bestN > 0 {
			out = append(out, Pair{e.Name, best})
		}
	}
	return out
}

// compare inner-joins two experiments on instance id. Solve rates (when
// both have outcomes) are paired over every joined instance. Costs are
// paired over the same instances; one with no cost on a side (an imported
// CSV lacks the rows of crashed instances) is missing on that side only, so
// the difference is that of the two sides' mean costs, as in the table (see
// stats.PairedBootstrapDiff). NCommonCost counts the instances priced on
// both sides.
func compare(a, b *Experiment, o Options) (PairRow, error) {
	pr := PairRow{Strategy: StrategyLabel(a.Strategy), Experiment: a.Name, Baseline: b.Name}
	var ya, yb, ca, cb []float64
	evalA, evalB, costA, costB := false, false, false, false
	cost := func(in *Instance) float64 {
		if !in.HasCost {
			return math.NaN()
		}
		return in.Cost + in.SummaryCost
	}
	for _, in := range sortedInstances(a) {
		bn, ok := b.byID[in.ID]
		if !ok {
			continue
		}
		evalA, evalB = evalA || in.outcome > 0, evalB || bn.outcome > 0
		costA, costB = costA || in.HasCost, costB || bn.HasCost
		ya, yb = append(ya, b2f(in.Resolved)), append(yb, b2f(bn.Resolved))
		ca, cb = append(ca, cost(in)), append(cb, cost(bn))
		if in.HasCost && bn.HasCost {
			pr.NCommonCost++
		}
	}
	pr.NCommon = len(ya)
	if len(ya) == 0 {
		return pr, fmt.Errorf("no instance in common")
	}
	if evalA && evalB {
		d, err := stats.PairedBootstrapDiff(ya, yb, stats.Options{Resamples: o.Resamples, Seed: o.Seed})
		if err != nil {
			return pr, err
		}
		pr.SolveRate = &d
	}
	if costA && costB {
		d, err := stats.PairedBootstrapDiff(ca, cb, stats.Options{Resamples: o.Resamples, Seed: o.Seed + 1})
		if err != nil {
			return pr, err
		}
		pr.MeanCost = &d
	}
	return pr, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
