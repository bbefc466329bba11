package sweep

import (
	"fmt"
	"strings"
)

// Outcome is a trial's aggregate over the instances it has finished so far.
// Cost is the total cost (agent + summarizer); SummaryCost is the
// summarizer's part of it. Turns and APICalls are totals (agent calls).
type Outcome struct {
	Instances, Submitted, Resolved int
	Cost, SummaryCost              float64
	Turns, APICalls                int
}

// metricFuncs are the metrics a sweep may optimise, named as the seed's
// live W&B aggregates (seed-system.md §7.4) where one exists. Every ratio
// is 0 when its denominator is 0, as in the seed.
var metricFuncs = []struct {
	name string
	doc  string
	f    func(o Outcome) float64
}{
	{"submission_rate", "submitted / instances (the seed's objective)", func(o Outcome) float64 { return safeRatio(float64(o.Submitted), float64(o.Instances)) }},
	{"solve_rate", "resolved / instances", func(o Outcome) float64 { return safeRatio(float64(o.Resolved), float64(o.Instances)) }},
	{"avg_cost", "cost / instances (USD)", func(o Outcome) float64 { return safeRatio(o.Cost, float64(o.Instances)) }},
	{"avg_turns", "turns / instances", func(o Outcome) float64 { return safeRatio(float64(o.Turns), float64(o.Instances)) }},
	{"avg_api_calls", "agent API calls / instances", func(o Outcome) float64 { return safeRatio(float64(o.APICalls), float64(o.Instances)) }},
	{"avg_summary_cost", "summarizer cost / instances (USD)", func(o Outcome) float64 { return safeRatio(o.SummaryCost, float64(o.Instances)) }},
	{"summary_cost_fraction", "summarizer cost / cost", func(o Outcome) float64 { return safeRatio(o.SummaryCost, o.Cost) }},
	{"total_cost", "cost (USD)", func(o Outcome) float64 { return o.Cost }},
	{"total_summary_cost", "summarizer cost (USD)", func(o Outcome) float64 { return o.SummaryCost }},
	{"total_turns", "turns", func(o Outcome) float64 { return float64(o.Turns) }},
	{"total_api_calls", "agent API calls", func(o Outcome) float64 { return float64(o.APICalls) }},
	{"n_instances", "instances finished", func(o Outcome) float64 { return float64(o.Instances) }},
	{"n_submitted", "instances submitted", func(o Outcome) float64 { return float64(o.Submitted) }},
	{"n_resolved", "instances resolved", func(o Outcome) float64 { return float64(o.Resolved) }},
}

func safeRatio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// MetricNames lists the metrics MetricValue knows, in documentation order.
func MetricNames() []string {
	out := make([]string, len(metricFuncs))
	for i, m := range metricFuncs {
		out[i] = m.name
	}
	return out
}

// MetricDoc describes a metric ("" when unknown).
func MetricDoc(name string) string {
	for _, m := range metricFuncs {
		if m.name == name {
			return m.doc
		}
	}
	return ""
}

// MetricValue computes the named metric of an outcome: submission_rate,
// solve_rate, avg_cost, avg_turns, avg_api_calls, avg_summary_cost,
// summary_cost_fraction, total_cost, total_summary_cost,
// total_turns, total_api_calls, n_instances, n_submitted, n_resolved (see
// MetricDoc). An unknown name is an error listing the valid ones.
func MetricValue(name string, o Outcome) (float64, error) {
	for _, m := range metricFuncs {
		if m.name == name {
			return m.f(o), nil
		}
	}
	return 0, fmt.Errorf("unknown sweep metric %q (valid: %s)", name, strings.Join(MetricNames(), ", "))
}
