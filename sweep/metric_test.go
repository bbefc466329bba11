package sweep

import (
	"strings"
	"testing"
)

func TestMetricValue(t *testing.T) {
	o := Outcome{Instances: 4, Submitted: 3, Resolved: 1, Cost: 2, SummaryCost: 0.5, Turns: 40, APICalls: 44}
	want := map[string]float64{
		"submission_rate": 0.75, "solve_rate": 0.25, "avg_cost": 0.5, "avg_turns": 10,
		"avg_api_calls": 11, "avg_summary_cost": 0.125, "summary_cost_fraction": 0.25,
		"total_cost": 2, "total_summary_cost": 0.5, "total_turns": 40, "total_api_calls": 44,
		"n_instances": 4, "n_submitted": 3, "n_resolved": 1,
	}
	if len(want) != len(MetricNames()) {
		t.Fatalf("test covers %d metrics, MetricNames has %d", len(want), len(MetricNames()))
	}
	for _, name := range MetricNames() {
		got, err := MetricValue(name, o)
		if err != nil || got != want[name] {
			t.Errorf("%s = %v, %v; want %v", name, got, err, want[name])
		}
		if MetricDoc(name) == "" {
			t.Errorf("%s has no doc", name)
		}
		// Ratios are 0, not NaN, when nothing has finished.
		if z, _ := MetricValue(name, Outcome{}); z != 0 {
			t.Errorf("%s of an empty outcome = %v", name, z)
		}
	}
}

func TestMetricValueUnknown(t *testing.T) {
	_, err := MetricValue("accuracy", Outcome{Instances: 1})
	if err == nil || !strings.Contains(err.Error(), `"accuracy"`) || !strings.Contains(err.Error(), "submission_rate") {
		t.Fatalf("error %v must name the metric and the valid ones", err)
	}
}

func TestFixtureMetricsAreKnown(t *testing.T) {
	for _, f := range []string{"models_mini.yaml", "quick_test.yaml"} {
		s := mustLoad(t, fixtureSweeps+"/"+f)
		if _, err := MetricValue(s.Metric.Name, Outcome{}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
