package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/proto"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// bayesDemo is a bayes sweep over the demo tasks with the replay model:
// 8 points (raw ignores hp-obs-n, llm_summary too: 1 + 2 + 1 + 2 = 6
// distinct experiments), 3 trials of 2 instances.
const bayesDemo = `method: bayes
metric: {name: avg_cost, goal: minimize}
run_cap: 3
parameters:
  model: {value: replay}
  strategy: {values: [raw, observation_masking, llm_summary, hybrid]}
  hp-obs-n: {values: [2, 3]}
  hp-sum-n: {value: 4}
  hp-sum-keep-m: {value: 2}
  instances-subset: {value: demo}
  instances-slice: {value: ":2"}
  num-workers: {value: 2}
`

// startEngine starts an engine with an in-process worker on a fresh data
// directory, with the given model preset files besides the built-in ones.
func startEngine(t *testing.T, ctx context.Context, modelsFiles ...string) *Engine {
	t.Helper()
	e, err := Start(ctx, Options{DataDir: t.TempDir(), UIPort: -1, Worker: WorkerAlways, ModelsFiles: modelsFiles})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func runSweep(t *testing.T, ctx context.Context, e *Engine, in workflows.SweepInput) workflows.SweepStatus {
	t.Helper()
	run, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SweepID(in.Name), TaskQueue: workflows.TaskQueue},
		workflows.SweepWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.SweepStatus
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func sweepHistory(t *testing.T, ctx context.Context, e *Engine, name string) *historypb.History {
	t.Helper()
	h := &historypb.History{}
	it := e.Client.GetWorkflowHistory(ctx, workflows.SweepID(name), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, ev)
	}
	return h
}

func replay(h *historypb.History, quiet bool) error {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflow(workflows.SweepWorkflow)
	var logger log.Logger
	if quiet { // the expected failure logs a panic with its stack
		logger = log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	return r.ReplayWorkflowHistory(logger, h)
}

// TestBayesSweepReplays runs a small bayes sweep on the embedded server and
// replays the sweep workflow's history: the controller's proposals are
// read from the history (local activity markers, the result under "result"), so replay is
// deterministic. A history whose recorded proposal is altered must fail
// to replay, which shows the replay checks something.
func TestBayesSweepReplays(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := startEngine(t, ctx)
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "bo", File: "bo.yaml", Source: bayesDemo, Parallel: 2, Seed: 11})
	if st.State != "completed" || len(st.Trials) != 3 || st.Done != 3 || st.Planned != 3 {
		t.Fatalf("sweep status: state %q, %d trials, %d done, %d planned", st.State, len(st.Trials), st.Done, st.Planned)
	}
	for _, tr := range st.Trials {
		if tr.Done != 2 || len(tr.Values) != 2 || tr.Outcome.APICalls == 0 || tr.Params["strategy"] == nil {
			t.Errorf("trial %s: %d done, values %v, outcome %+v, params %v", tr.RunName, tr.Done, tr.Values, tr.Outcome, tr.Params)
		}
		t.Logf("trial %-40s %s avg_cost %v ($%.4f)", tr.RunName, tr.State, tr.Values, tr.Cost)
	}

	h := sweepHistory(t, ctx, e, "bo")
	markers, proposals := 0, 0
	for _, ev := range h.Events {
		if m := ev.GetMarkerRecordedEventAttributes(); m != nil {
			markers++
			if d := m.GetDetails()["data"]; markers == 1 && d != nil && len(d.Payloads) > 0 {
				t.Logf("first marker: %s %s", m.MarkerName, d.Payloads[0].Data)
			}
			if p := m.GetDetails()["result"]; p != nil && len(p.Payloads) > 0 && bytes.Contains(p.Payloads[0].Data, []byte(`"ok":true`)) {
				proposals++
			}
		}
	}
	t.Logf("sweep history: %d events, %d local-activity markers (%d proposals)", len(h.Events), markers, proposals)
	if proposals != 3 {
		t.Fatalf("%d recorded proposals, want 3", proposals)
	}
	if err := replay(h, false); err != nil {
		t.Fatalf("replaying the bayes sweep: %v", err)
	}

	// Alter the first recorded proposal (another call-limit, so another
	// experiment and another trial workflow ID): replay must notice.
	bad := proto.Clone(h).(*historypb.History)
	altered := false
	for _, ev := range bad.Events {
		m := ev.GetMarkerRecordedEventAttributes()
		if m == nil || altered {
			continue
		}
		if p := m.GetDetails()["result"]; p != nil && len(p.Payloads) > 0 && bytes.Contains(p.Payloads[0].Data, []byte(`"call_limit":250`)) {
			p.Payloads[0].Data = bytes.Replace(p.Payloads[0].Data, []byte(`"call_limit":250`), []byte(`"call_limit":249`), 1)
			altered = true
		}
	}
	if !altered {
		t.Fatal("found no proposal to alter")
	}
	if err := replay(bad, true); err == nil || !strings.Contains(strings.ToLower(err.Error()), "nondetermin") {
		t.Fatalf("replaying an altered history: got %v, want a nondeterminism error", err)
	}
}

// trialResults reads a finished trial's results.json.
func trialResults(t *testing.T, e *Engine, trialDir string) []workflows.InstanceRecord {
	t.Helper()
	var recs []workflows.InstanceRecord
	data, err := os.ReadFile(filepath.Join(e.opts.DataDir, trialDir, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &recs); err != nil {
		t.Fatal(err)
	}
	return recs
}
