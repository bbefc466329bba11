package engine

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// faultSweep runs the six demo instances with a network model.
const faultSweep = `method: grid
parameters:
  model: {value: faulty}
  strategy: {value: raw}
  instances-subset: {value: demo}
  num-workers: {value: 6}
`

// TestSweepSurvivesRateLimitsAndServerErrors runs a demo sweep against an
// OpenAI-compatible server that answers 429 (Retry-After: 1) to half of the
// requests and 500 to a tenth: every instance still ends with its normal
// exit status, each failed request shows up as a retry in the records (not
// as a call, a cost or a failure), and the model calls go through the
// preset's rate-limited task queue.
func TestSweepSurvivesRateLimitsAndServerErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	const turns = 3
	srv, err := fakemodel.Start(fakemodel.Config{Turns: turns, PromptTokens: 2000, CompletionTokens: 100,
		Fault: fakemodel.RateLimitAndErrors(5, 1, "1")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	models := filepath.Join(dir, "faulty.yaml")
	y := "models:\n  faulty:\n    provider: openai\n    model_id: fake\n    api_base: " + srv.URL() + "\n    api_key_env: FAULTY_API_KEY\n" +
		"    context_window: 1000000\n    temperature: 0\n    price: {input: 1, cached_input: 0.1, output: 5, source: test}\n" +
		"    rate_limit: {queue: fault, requests_per_second: 50}\n"
	if err := os.WriteFile(models, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAULTY_API_KEY", "sk-fault-test")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	e := startEngine(t, ctx, models)
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "faults", File: "faults.yaml", Source: faultSweep, Parallel: 1})
	if st.State != "completed" || len(st.Trials) != 1 {
		t.Fatalf("sweep state %q with %d trials", st.State, len(st.Trials))
	}
	recs := trialResults(t, e, st.Trials[0].Dir)
	stats := srv.Stats()
	faults := stats.Faults[http.StatusTooManyRequests] + stats.Faults[http.StatusInternalServerError]
	retries := 0
	for _, r := range recs {
		retries += r.APIRetries
		if r.ExitStatus != agent.ExitSubmitted || r.APICalls != turns || r.Turns != turns || r.Error != "" {
			t.Errorf("%s: exit %q, %d calls, %d turns, error %q", r.InstanceID, r.ExitStatus, r.APICalls, r.Turns, r.Error)
		}
		if want := float64(turns) * (2000*1 + 100*5) / 1e6; r.Cost < want*0.999 || r.Cost > want*1.001 {
			t.Errorf("%s: cost $%.6f, want $%.6f (failed requests are not paid)", r.InstanceID, r.Cost, want)
		}
	}
	t.Logf("%d instances, %d answered calls, %d injected faults (429: %d, 500: %d), %d retries in the records",
		len(recs), stats.Calls, faults, stats.Faults[429], stats.Faults[500], retries)
	if len(recs) != 6 {
		t.Fatalf("%d records, want 6", len(recs))
	}
	if faults < 6*turns || retries != faults {
		t.Errorf("%d faults injected, %d retries recorded: every failed request must be one retry", faults, retries)
	}
	if stats.Calls != 6*turns {
		t.Errorf("the server answered %d calls, want %d (no call paid twice)", stats.Calls, 6*turns)
	}

	// The model calls ran on the rate-limited queue.
	iid := st.Trials[0].ID + "/" + recs[0].InstanceID
	it := e.Client.GetWorkflowHistory(ctx, iid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	queues := map[string]int{}
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if a := ev.GetActivityTaskScheduledEventAttributes(); a != nil && a.ActivityType.GetName() == workflows.ActModelCall {
			queues[a.TaskQueue.GetName()]++
		}
	}
	if queues["ctxsweep-llm-fault"] != turns || len(queues) != 1 {
		t.Errorf("model calls by task queue: %v, want all %d on ctxsweep-llm-fault", queues, turns)
	}
}
