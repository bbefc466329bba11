package engine

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/ctxresearch/ctxsweep/workflows"
)

const canSweep = `method: grid
parameters:
  model: {value: replay}
  strategy: {values: [raw, observation_masking]}
  hp-obs-n: {values: [2, 3]}
  instances-subset: {value: demo}
  instances-slice: {value: ":2"}
  num-workers: {value: 2}
`

// TestSweepContinuesAsNew runs a sweep whose history limit is tiny (passed
// before the first trial ends, so the third trial starts in a new run): it
// drains, continues as new with its state, and ends with every trial done
// once, in a run other than the first; starter's spec check (the memo)
// survives.
func TestSweepContinuesAsNew(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := startEngine(t, ctx)
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "can", File: "can.yaml", Source: canSweep, Parallel: 2, EventLimit: 10})
	if st.State != "completed" || len(st.Trials) != 3 || st.Done != 3 || st.Instances != 6 {
		t.Fatalf("sweep: state %q, %d trials, %d done, %d instances", st.State, len(st.Trials), st.Done, st.Instances)
	}
	seen := map[string]bool{}
	for _, tr := range st.Trials {
		if tr.State != workflows.TrialCompleted || tr.Done != 2 || seen[tr.ID] {
			t.Errorf("trial %+v", tr)
		}
		seen[tr.ID] = true
	}
	// The last run was continued from an earlier one.
	h := sweepHistory(t, ctx, e, "can")
	first := h.Events[0].GetWorkflowExecutionStartedEventAttributes()
	if first.GetContinuedExecutionRunId() == "" || first.GetInitiator() != enumspb.CONTINUE_AS_NEW_INITIATOR_WORKFLOW {
		t.Fatalf("the final run was not continued as new (%d events)", len(h.Events))
	}
	// The status query answers from the last run with every trial.
	v, err := e.Client.QueryWorkflow(ctx, workflows.SweepID("can"), "", "status")
	if err != nil {
		t.Fatal(err)
	}
	var q workflows.SweepStatus
	if err := v.Get(&q); err != nil || q.Done != 3 {
		t.Fatalf("status query after continue-as-new: %+v %v", q, err)
	}
	t.Logf("final run: %d events", len(h.Events))
}
