package agent

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestParseTrajMetricsLayouts(t *testing.T) {
	current := `{"trajectory":[{},{},{}],"info":{"exit_status":"submitted (exit_cost)",
		"agent_model_stats":{"instance_cost":0.5,"api_calls":3,"tokens":{"raw_input":100,"cached_input":300,"output":20}},
		"summary_model_stats":{"instance_cost":0.25,"api_calls":1,"tokens":{"raw_input":50,"cached_input":0,"output":5}},
		"model_stats":{"instance_cost":0.75,"api_calls":4}}}`
	m, err := ParseTrajMetrics("a__b-1", []byte(current))
	if err != nil {
		t.Fatal(err)
	}
	want := TrajMetrics{InstanceID: "a__b-1", ExitStatus: "submitted (exit_cost)", Submitted: false, Turns: 3, TotalCost: 0.75, AgentCost: 0.5,
		SummaryCost: 0.25, AgentAPICalls: 3, SummaryAPICalls: 1, RawInputTokens: 100, CachedInputTokens: 300, OutputTokens: 20,
		SummaryInputTokens: 50, SummaryOutputTokens: 5}
	if m != want {
		t.Errorf("current layout:\n%+v\nwant\n%+v", m, want)
	}
	// The seed without a separate summarizer: model_stats only, summary null.
	m, _ = ParseTrajMetrics("x", []byte(`{"trajectory":[{}],"info":{"exit_status":"submitted","summary_model_stats":null,
		"model_stats":{"instance_cost":0.1,"api_calls":1,"tokens":{"raw_input":7,"cached_input":3,"output":1}}}}`))
	if !m.Submitted || m.AgentCost != 0.1 || m.TotalCost != 0.1 || m.RawInputTokens != 7 || m.CachedInputTokens != 3 || m.Legacy {
		t.Errorf("model_stats fallback: %+v", m)
	}
	m, _ = ParseTrajMetrics("old", []byte(`{"trajectory":[{},{}],"info":{"exit_status":"submitted","model_stats":{"total_cost":9,"instance_cost":0.2,"tokens_sent":1000,"tokens_received":30,"api_calls":2}}}`))
	if !m.Legacy || m.RawInputTokens != 1000 || m.OutputTokens != 30 || m.AgentCost != 0.2 || m.Turns != 2 {
		t.Errorf("legacy layout: %+v", m)
	}
	m, _ = ParseTrajMetrics("crashed", []byte(`{"trajectory":[],"info":{}}`))
	if m.ExitStatus != "unknown" || m.Submitted {
		t.Errorf("no status: %+v", m)
	}
	if _, err := ParseTrajMetrics("bad", []byte(`{"trajectory":`)); err == nil {
		t.Error("garbled file accepted")
	}
	if _, err := ParseTrajMetrics("other", []byte(`{"a":1}`)); err == nil {
		t.Error("a JSON file that is no trajectory accepted")
	}
}

func TestSummarizeTrajs(t *testing.T) {
	s := SummarizeTrajs([]TrajMetrics{
		{Submitted: true, Turns: 4, TotalCost: 1, AgentCost: 0.75, SummaryCost: 0.25, AgentAPICalls: 4, RawInputTokens: 10, CachedInputTokens: 30, OutputTokens: 2},
		{Turns: 2, TotalCost: 0.5, AgentCost: 0.5, AgentAPICalls: 2, RawInputTokens: 10, OutputTokens: 1},
	})
	if s.Instances != 2 || s.Submitted != 1 || s.SubmissionRate != 0.5 || s.TotalCost != 1.5 || s.AvgCost != 0.75 ||
		math.Abs(s.SummaryCostFraction-1.0/6) > 1e-12 || s.TotalTurns != 6 || s.AvgTurns != 3 || s.AvgAPICalls != 3 || s.CacheHitRate != 0.6 {
		t.Errorf("summary %+v", s)
	}
	if z := SummarizeTrajs(nil); z.SubmissionRate != 0 || z.CacheHitRate != 0 || z.AvgCost != 0 {
		t.Errorf("empty: %+v", z)
	}
}

// TestFixtureTrajMetrics checks the figures of the fixture trajectories
// (older SWE-agent layout) against the numbers in their info blocks.
func TestFixtureTrajMetrics(t *testing.T) {
	dir := "/work/shared/fixtures/trajectories"
	for _, tc := range []struct {
		file                  string
		turns, calls, in, out int
		cost                  float64
	}{
		{"swe-agent__test-repo-i1.traj", 5, 5, 52861, 326, 0.53839},
		{"pydicom-1458-gpt4/pydicom__pydicom-1458.traj", 12, 12, 122612, 1369, 1.26719},
	} {
		data, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil {
			t.Skipf("fixture absent: %v", err)
		}
		m, err := ParseTrajMetrics("x", data)
		if err != nil || !m.Submitted || m.Turns != tc.turns || m.AgentAPICalls != tc.calls || m.RawInputTokens != tc.in ||
			m.OutputTokens != tc.out || m.TotalCost != tc.cost {
			t.Errorf("%s: %+v %v", tc.file, m, err)
		}
	}
}
