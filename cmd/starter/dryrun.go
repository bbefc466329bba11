package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// trialPlan is one distinct trial of `starter sweep --dry-run --json`.
type trialPlan struct {
	Params    map[string]any `json:"params"`
	RunName   string         `json:"run_name"`
	TrialID   string         `json:"trial_id"`
	Instances *int           `json:"instances"` // null: read from an instances file
	CostUSD   *span          `json:"cost_usd"`  // null: a model has no price
	// Agent is the agent configuration the trial runs (null: the built-in
	// one).
	Agent *trialAgent `json:"agent_config"`
	cfg   sweep.RunConfig
}

// maxCostSamples bounds the proposals drawn to estimate the cost of a
// sweep over a continuous space.
const maxCostSamples = 100

// dryRun checks a sweep and prints what it would run; nothing starts.
func dryRun(w io.Writer, g *globals, file string, data []byte, f *sweepFlags) error {
	spec, presets, refs, err := checkSweep(g, file, data, f)
	if err != nil {
		return err
	}
	if err := f.loadAgent(g, spec); err != nil {
		return err
	}
	for _, r := range refs {
		if c, ref := f.agentFor(r.Config.Strategy); c != nil {
			if err := config.CheckTrialAgent(*c, ref, r.Config, r.Strategy); err != nil {
				return fmt.Errorf("trial %s: %w", r.RunName, err)
			}
		}
	}
	seed := f.seed
	if seed == 0 {
		seed = workflows.DefaultSeed(spec.Name)
	}
	var points []map[string]any
	finite := true
	if spec.Method == "grid" {
		points, err = spec.DistinctGrid()
	} else {
		points, finite, err = spec.DistinctPoints(0)
	}
	if err != nil {
		return err
	}
	plans, err := planPoints(spec, f.flags, presets, points)
	if err != nil {
		return err
	}
	for i := range plans {
		plans[i].Agent = f.agentOf(plans[i].cfg)
	}
	if f.asJSON {
		if !finite {
			fmt.Fprintln(os.Stderr, "note: the space has a continuous parameter; it has no finite list of trials")
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(append([]trialPlan{}, plans...))
	}
	fmt.Fprintln(w, f.promptsLine())
	fmt.Fprintf(w, "Sweep %s (%s, %s)", spec.Name, spec.Method, file)
	if spec.Metric != nil {
		fmt.Fprintf(w, ", metric %s (%s)", spec.Metric.Name, spec.Metric.Goal)
	}
	fmt.Fprintln(w)
	if spec.Method == "grid" {
		grid, _ := spec.Grid()
		fmt.Fprintf(w, "%d distinct trials (the grid lists %d; %d repeat an experiment under another name):\n", len(plans), len(grid), len(grid)-len(plans))
		for i, p := range plans {
			n, cost := "?", "unknown"
			if p.Instances != nil {
				n = fmt.Sprint(*p.Instances)
			}
			if p.CostUSD != nil {
				cost = p.CostUSD.String()
			}
			fmt.Fprintf(w, "%4d  %-60s %5s instances  %s\n", i+1, p.RunName, n, cost)
			if p.Agent != nil {
				fmt.Fprintf(w, "      config: %s\n", p.Agent)
			}
		}
		printEstimate(w, fmt.Sprintf("the %d trials", len(plans)), plans, len(plans), "")
	} else {
		printSpace(w, spec, seed, finite, len(plans))
		n := len(plans)
		if spec.RunCap > 0 && (!finite || spec.RunCap < n) {
			n = spec.RunCap
		}
		switch {
		case finite:
			printEstimate(w, fmt.Sprintf("%d trials", n), plans, n, "the cheapest to the dearest distinct experiments")
		default:
			sample, err := sampleTrials(spec, f.flags, presets, seed, min(n, maxCostSamples))
			if err != nil {
				return err
			}
			printEstimate(w, fmt.Sprintf("%d trials", n), sample, n, fmt.Sprintf("range over %d sampled trials", len(sample)))
		}
	}
	if spec.BudgetUSD > 0 {
		fmt.Fprintf(w, "Budget: %s: no trial or instance starts past it (the sweep spends at most that plus one model call per running instance).\n", usd(spec.BudgetUSD))
	}
	fmt.Fprintln(w, "Nothing was started (--dry-run).")
	return nil
}

func planPoints(spec *sweep.Spec, flags sweep.CommandFlags, presets llm.Presets, points []map[string]any) ([]trialPlan, error) {
	var out []trialPlan
	for _, p := range points {
		c, err := spec.Trial(p, flags)
		if err != nil {
			return nil, err
		}
		ref, err := workflows.TrialRefFor(spec.Name, c, workflows.Tuning{})
		if err != nil {
			return nil, fmt.Errorf("%s: trial %s: %w", spec.File, c.RunName(), err)
		}
		tp := trialPlan{Params: p, RunName: ref.RunName, TrialID: ref.TrialID, cfg: c}
		cost, n, ok := trialCost(c, presets)
		if _, known := instances(c); known {
			tp.Instances = &n
		}
		if ok {
			tp.CostUSD = &cost
		}
		out = append(out, tp)
	}
	return out, nil
}

// sampleTrials draws up to n trials of a continuous space as random
// search would, to estimate their cost.
func sampleTrials(spec *sweep.Spec, flags sweep.CommandFlags, presets llm.Presets, seed int64, n int) ([]trialPlan, error) {
	cp := *spec
	cp.Method, cp.RunCap, cp.EarlyTerminate = "random", n, nil
	ctrl, err := sweep.NewController(&cp, seed)
	if err != nil {
		return nil, err
	}
	var hist []sweep.TrialState
	var points []map[string]any
	for len(points) < n {
		p, ok, err := ctrl.Next(hist)
		if err != nil || !ok {
			break
		}
		points = append(points, p)
		hist = append(hist, sweep.TrialState{Params: p, Done: true})
	}
	return planPoints(spec, flags, presets, points)
}

// printEstimate prints the cost range of n trials: the sum of the n lowest
// lows to the sum of the n highest highs of the plans with a known cost.
func printEstimate(w io.Writer, what string, plans []trialPlan, n int, how string) {
	var lows, highs []float64
	var unknown []string
	seen := map[string]bool{}
	for _, p := range plans {
		if p.CostUSD == nil {
			if !seen[p.cfg.Model] {
				seen[p.cfg.Model] = true
				unknown = append(unknown, p.cfg.Model)
			}
			continue
		}
		lows, highs = append(lows, p.CostUSD.Low), append(highs, p.CostUSD.High)
	}
	sort.Float64s(lows)
	sort.Sort(sort.Reverse(sort.Float64Slice(highs)))
	var total span
	for i := 0; i < min(n, len(lows)); i++ {
		total = total.add(span{lows[i], highs[i]})
	}
	switch {
	case len(lows) == 0:
		fmt.Fprintf(w, "Estimated cost of %s: unknown (no price for: %s)\n", what, strings.Join(unknown, ", "))
		return
	case len(unknown) > 0:
		fmt.Fprintf(w, "Estimated cost of %s: %s for the trials with a price; unknown for trials using %s (no price, or an instances file)\n",
			what, total, strings.Join(unknown, ", "))
	default:
		fmt.Fprintf(w, "Estimated cost of %s: %s\n", what, total)
	}
	if how != "" {
		fmt.Fprintf(w, "  (%s)\n", how)
	}
	fmt.Fprintf(w, "  Assumptions, %s.\n", estAssumptions)
}

// printSpace describes a random or bayes sweep's search space.
func printSpace(w io.Writer, spec *sweep.Spec, seed int64, finite bool, distinct int) {
	fmt.Fprintf(w, "Search space (controller seed %d):\n", seed)
	for _, p := range spec.Parameters {
		var d string
		switch {
		case p.HasValue:
			d = fmt.Sprintf("constant %v", p.Value)
		case len(p.Values) > 0:
			vs := make([]string, len(p.Values))
			for i, v := range p.Values {
				vs[i] = fmt.Sprint(v)
			}
			d = fmt.Sprintf("one of %d: %s", len(vs), strings.Join(vs, ", "))
		default:
			d = p.Distribution
			for _, b := range []struct {
				k string
				v *float64
			}{{"min", p.Min}, {"max", p.Max}, {"mu", p.Mu}, {"sigma", p.Sigma}, {"q", p.Q}} {
				if b.v != nil {
					d += fmt.Sprintf(" %s=%v", b.k, *b.v)
				}
			}
		}
		fmt.Fprintf(w, "  %-28s %s\n", p.Name, d)
	}
	if finite {
		fmt.Fprintf(w, "Distinct experiments: %d (after dropping parameters a strategy ignores and invalid combinations)\n", distinct)
	} else {
		fmt.Fprintln(w, "Distinct experiments: unbounded (a parameter is continuous)")
	}
	switch {
	case spec.RunCap > 0:
		fmt.Fprintf(w, "Trials: at most %d (run_cap), proposed one at a time by the %s controller\n", spec.RunCap, spec.Method)
	default:
		fmt.Fprintf(w, "Trials: every distinct experiment, proposed one at a time by the %s controller\n", spec.Method)
	}
	if e := spec.EarlyTerminate; e != nil {
		if bands, err := e.Bands(); err == nil {
			if len(bands) > 6 {
				bands = bands[:6]
			}
			eta := e.Eta
			if eta == 0 {
				eta = 3
			}
			fmt.Fprintf(w, "Early termination: hyperband, eta %v, brackets at %v... finished instances\n", eta, bands)
		}
	}
}
