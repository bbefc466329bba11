package workflows

import "testing"

func TestWithLiveOverlaysRunningTrials(t *testing.T) {
	s := SweepStatus{Trials: []SweepTrial{
		{ID: "a", State: TrialCompleted, Total: 3, Done: 3, Submitted: 2, Cost: 1},
		{ID: "b", State: TrialRunning},                             // quiet: the sweep knows nothing yet
		{ID: "c", State: TrialRunning, Total: 4, Done: 3, Cost: 2}, // ahead of a stale answer
	}}
	live := map[string]TrialStatus{
		"a": {Total: 9, Records: make([]InstanceRecord, 9)}, // finished trials keep the sweep's figures
		"b": {Total: 5, Records: make([]InstanceRecord, 2), Submitted: 1, Resolved: 1, Cost: 0.5},
		"c": {Total: 4, Records: make([]InstanceRecord, 1), Cost: 0.1},
	}
	got := WithLive(s, live)
	if b := got.Trials[1]; b.Total != 5 || b.Done != 2 || b.Submitted != 1 || b.Resolved != 1 || b.Cost != 0.5 {
		t.Errorf("running trial b: %+v", b)
	}
	if got.Trials[0].Done != 3 || got.Trials[2].Done != 3 {
		t.Errorf("a and c changed: %+v", got.Trials)
	}
	if got.Instances != 8 || got.Total != 12 || got.Cost != 3.5 || got.Running != 2 || got.Done != 1 {
		t.Errorf("totals: instances %d/%d cost %v running %d done %d", got.Instances, got.Total, got.Cost, got.Running, got.Done)
	}
	if s.Trials[1].Done != 0 {
		t.Error("the input was modified")
	}
}
