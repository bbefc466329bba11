package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// longTask is one instance whose recorded trajectory runs `turns` turns,
// each printing an observation of obsBytes.
type longTask struct {
	turns    int
	obsBytes int
}

func (l longTask) Select(sweep.RunConfig) ([]string, error) { return []string{"long__1"}, nil }
func (l longTask) Problem(sweep.RunConfig, string) (string, error) {
	return "Print the big file many times.", nil
}
func (l longTask) Open(ctx context.Context, _ sweep.RunConfig, _ string, o activities.OpenOptions) (sandbox.Sandbox, error) {
	root := o.Root
	repo := fstest.MapFS{"big.txt": {Data: []byte(strings.Repeat(strings.Repeat("x", 99)+"\n", l.obsBytes/100))}}
	return sandbox.NewLocal(ctx, repo, sandbox.LocalOptions{Root: root})
}
func (l longTask) Evaluate(context.Context, sweep.RunConfig, string, string, activities.OpenOptions) (activities.Evaluation, error) {
	return activities.Evaluation{}, nil
}

func (l longTask) Replay(sweep.RunConfig, string) ([]byte, error) {
	var hist []map[string]any
	for i := 1; i < l.turns; i++ {
		cmd := "cat big.txt"
		if i == l.turns-1 {
			cmd = "echo done > done.txt"
		}
		args, _ := json.Marshal(map[string]string{"command": cmd})
		hist = append(hist, map[string]any{"role": "assistant", "content": fmt.Sprintf("step %d", i),
			"tool_calls": []map[string]any{{"id": fmt.Sprintf("call_%d", i), "function": map[string]any{"name": "bash", "arguments": string(args)}}}})
	}
	hist = append(hist, map[string]any{"role": "assistant", "content": "submit",
		"tool_calls": []map[string]any{{"id": "call_last", "function": map[string]any{"name": "submit", "arguments": "{}"}}}})
	return json.Marshal(map[string]any{"history": hist})
}

// TestLongInstanceStaysSmallInHistory runs a 250-turn instance with 50 KB
// observations on the embedded server and checks that workflow history
// stays far under Temporal's limits (2 MB per payload, 50 MB and 51,200
// events per history), because observations live in the store.
func TestLongInstanceStaysSmallInHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("long integration test")
	}
	const turns, obs = 250, 50_000
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e, err := Start(ctx, Options{DataDir: dir, UIPort: -1, Worker: WorkerAlways, Tasks: longTask{turns, obs}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	src := "method: grid\nparameters:\n  model: {value: replay}\n  strategy: {value: raw}\n  instances-subset: {value: demo}\n  call-limit: {value: 300}\n"
	run, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SweepID("long"), TaskQueue: workflows.TaskQueue},
		workflows.SweepWorkflow, workflows.SweepInput{Name: "long", File: "long.yaml", Source: src, Parallel: 1})
	if err != nil {
		t.Fatal(err)
	}
	var st workflows.SweepStatus
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}
	if st.Instances != 1 || len(st.Trials) != 1 || st.Trials[0].Submitted != 1 {
		t.Fatalf("sweep status = %+v", st)
	}
	instID := st.Trials[0].ID + "/long__1"
	runs, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: fmt.Sprintf("WorkflowId = '%s'", instID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(runs.Executions) < 2 {
		t.Fatalf("expected continue-as-new runs for a %d-turn instance, got %d run(s)", turns, len(runs.Executions))
	}
	var maxEvent, maxBytes, maxEvents int
	for _, x := range runs.Executions {
		it := e.Client.GetWorkflowHistory(ctx, instID, x.Execution.RunId, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		bytes, events := 0, 0
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			n := proto.Size(ev)
			bytes += n
			events++
			maxEvent = max(maxEvent, n)
		}
		maxBytes, maxEvents = max(maxBytes, bytes), max(maxEvents, events)
	}
	t.Logf("%d turns x %d B observations: %d workflow runs; largest event %d B (limit 2 MB), largest history %d B (limit 50 MB) in %d events (limit 51,200)",
		turns, obs, len(runs.Executions), maxEvent, maxBytes, maxEvents)
	if maxEvent > 2<<20/100 || maxBytes > 50<<20/100 || maxEvents > 51200/10 {
		t.Errorf("history too large: event %d B, history %d B, %d events", maxEvent, maxBytes, maxEvents)
	}
	var rec workflows.InstanceRecord
	if _, err := (e.acts.Store).ReadJSON(st.Trials[0].Dir+"/long__1/record.json", &rec); err != nil || rec.Turns != turns {
		t.Fatalf("record: turns %d, err %v", rec.Turns, err)
	}
}
