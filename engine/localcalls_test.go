package engine

import (
	"context"
	"fmt"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// TestModelCallsAsLocalActivities: by default a model call on the main
// queue is a local activity (a marker in the instance's history, no
// ModelCall activity task); Tuning.RemoteModelCalls makes it a regular
// activity again. Both give the same records: calls, cost and exit status.
func TestModelCallsAsLocalActivities(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	const turns = 4
	srv, err := fakemodel.Start(fakemodel.Config{Turns: turns, PromptTokens: 1000, CompletionTokens: 50}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	models, err := srv.ModelsFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := startEngine(t, ctx, models)
	src := fmt.Sprintf("method: grid\nparameters:\n  model: {value: %s}\n  strategy: {value: raw}\n  instances-subset: {value: demo}\n"+
		"  instances-slice: {value: \":2\"}\n  instances-shuffle: {value: false}\n  num-workers: {value: 2}\n", fakemodel.Preset)
	costs := map[bool]float64{}
	for _, remote := range []bool{false, true} {
		name := fmt.Sprintf("local-%v", !remote)
		st := runSweep(t, ctx, e, workflows.SweepInput{Name: name, File: name + ".yaml", Source: src, Parallel: 1,
			Tuning: workflows.Tuning{RemoteModelCalls: remote}})
		recs := trialResults(t, e, st.Trials[0].Dir)
		if len(recs) != 2 {
			t.Fatalf("%s: %d records", name, len(recs))
		}
		for _, r := range recs {
			if r.ExitStatus != "submitted" || r.APICalls != turns {
				t.Errorf("%s %s: exit %q, %d calls; want submitted, %d", name, r.InstanceID, r.ExitStatus, r.APICalls, turns)
			}
			costs[remote] += r.Cost
		}
		activities, markers := 0, 0
		it := e.Client.GetWorkflowHistory(ctx, st.Trials[0].ID+"/"+recs[0].InstanceID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.ActivityType.GetName() == workflows.ActModelCall {
				activities++
			}
			if m := ev.GetMarkerRecordedEventAttributes(); m != nil && m.MarkerName == "LocalActivity" {
				markers++
			}
		}
		wantAct, wantMarkers := 0, turns
		if remote {
			wantAct, wantMarkers = turns, 0
		}
		if activities != wantAct || markers != wantMarkers {
			t.Errorf("%s: %d ModelCall activities and %d local-activity markers, want %d and %d", name, activities, markers, wantAct, wantMarkers)
		}
	}
	if costs[false] != costs[true] || costs[false] == 0 {
		t.Errorf("costs: local %v, remote %v", costs[false], costs[true])
	}
}
