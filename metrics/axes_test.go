package metrics

import "testing"

func TestAxesSeedOrder(t *testing.T) {
	seed := []string{"global_step", "step", "step/*", "instance/*", "cumulative/*", "n_instances",
		"n_submitted", "submission_rate", "cache_hit_rate", "avg_*", "total_*", "exit/*", "repo/*",
		"turn_*", "summary_cost_fraction", "rloop_cost_fraction"}
	for i, name := range seed {
		if Axes[i].Name != name || Axes[i].Ours {
			t.Fatalf("Axes[%d] = %+v, want seed %s", i, Axes[i], name)
		}
	}
	for _, a := range Axes[len(seed):] {
		if !a.Ours {
			t.Errorf("%s should be marked ours", a.Name)
		}
	}
}

// TestEveryLoggedMetricHasItsAxis: every key of every history payload plots
// on global_step (step rows) or n_instances (aggregate rows).
func TestEveryLoggedMetricHasItsAxis(t *testing.T) {
	done := fixture()
	done[0].Steps = stepInstance().Steps
	for _, r := range Log(done) {
		_, isStep := r["global_step"]
		for k := range r {
			axis, ok := XAxis(k)
			switch {
			case k == "global_step" || k == "n_instances":
				if !ok || axis != "" {
					t.Errorf("%s should be an x-axis, got %q %v", k, axis, ok)
				}
			case isStep && axis != "global_step", !isStep && axis != "n_instances":
				t.Errorf("%s plots against %q (ok %v)", k, axis, ok)
			}
		}
	}
	// Summary-only values have no axis; turn_distribution falls under turn_*.
	for k, want := range map[string]string{"summary_api_fraction": "", "rloop_api_fraction": "", "instances": "",
		"turn_distribution": "n_instances", "exit/other": "n_instances", "repo/unknown": "n_instances"} {
		if got, _ := XAxis(k); got != want {
			t.Errorf("XAxis(%s) = %q, want %q", k, got, want)
		}
	}
}

func TestXAxisMap(t *testing.T) {
	m := XAxisMap()
	if len(m) != len(Axes) || m["step/*"] != "global_step" || m["solve_rate"] != "n_instances" {
		t.Fatalf("%v", m)
	}
	if v, ok := m["global_step"]; !ok || v != "" {
		t.Fatal("global_step")
	}
}
