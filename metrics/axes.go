package metrics

import "strings"

// Axis is one define_metric call: Name is a metric name or a glob ending in
// "*"; StepMetric is its x-axis, "" for a metric defined as an x-axis
// itself. Ours marks definitions the seed did not make.
type Axis struct {
	Name       string `json:"name"`
	StepMetric string `json:"step_metric,omitempty"`
	Ours       bool   `json:"ours,omitempty"`
}

// Axes are the seed's define_metric calls in its order (§7.2), then ours.
// Python's define_metric with a step_metric also sets step_sync; the W&B
// client encodes them into the config's _wandb.m entries.
var Axes = []Axis{
	{Name: "global_step"},
	{Name: "step", StepMetric: "global_step"},
	{Name: "step/*", StepMetric: "global_step"},
	{Name: "instance/*", StepMetric: "global_step"},
	{Name: "cumulative/*", StepMetric: "global_step"},
	{Name: "n_instances"},
	{Name: "n_submitted", StepMetric: "n_instances"},
	{Name: "submission_rate", StepMetric: "n_instances"},
	{Name: "cache_hit_rate", StepMetric: "n_instances"},
	{Name: "avg_*", StepMetric: "n_instances"},
	{Name: "total_*", StepMetric: "n_instances"},
	{Name: "exit/*", StepMetric: "n_instances"},
	{Name: "repo/*", StepMetric: "n_instances"},
	{Name: "turn_*", StepMetric: "n_instances"},
	{Name: "summary_cost_fraction", StepMetric: "n_instances"},
	{Name: "rloop_cost_fraction", StepMetric: "n_instances"},
	{Name: "n_resolved", StepMetric: "n_instances", Ours: true},
	{Name: "solve_rate", StepMetric: "n_instances", Ours: true},
}

// IsGlob reports whether the axis names a group ("step/*").
func (a Axis) IsGlob() bool { return strings.HasSuffix(a.Name, "*") }

// Matches reports whether metric falls under the definition.
func (a Axis) Matches(metric string) bool {
	if a.IsGlob() {
		return strings.HasPrefix(metric, strings.TrimSuffix(a.Name, "*"))
	}
	return metric == a.Name
}

// XAxis returns the x-axis of a concrete metric name: its exact definition
// first, else the first matching glob. ok is false when no definition
// applies (the metric plots against W&B's _step, e.g. summary_api_fraction,
// which only reaches the summary). An x-axis metric itself returns "", true.
func XAxis(metric string) (stepMetric string, ok bool) {
	for _, a := range Axes {
		if !a.IsGlob() && a.Name == metric {
			return a.StepMetric, true
		}
	}
	for _, a := range Axes {
		if a.IsGlob() && a.Matches(metric) {
			return a.StepMetric, true
		}
	}
	return "", false
}

// XAxisMap returns Axes as metric name or glob → step metric ("" for an
// x-axis itself), the shape of the W&B client's run spec x-axis map.
func XAxisMap() map[string]string {
	m := make(map[string]string, len(Axes))
	for _, a := range Axes {
		m[a.Name] = a.StepMetric
	}
	return m
}
