package integration

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// twoTrials is a sweep of 2 trials × the 6 demo tasks, one trial and one
// instance at a time.
func twoTrials(t *testing.T, model string) string {
	file := filepath.Join(t.TempDir(), "keys.yaml")
	body := "method: grid\nparameters:\n  model: {value: " + model + "}\n  strategy: {values: [raw, observation_masking]}\n" +
		"  instances-subset: {value: demo}\n  instances-shuffle: {value: false}\n  num-workers: {value: 1}\n"
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

type statusRecords struct {
	State    string `json:"state"`
	Workflow string `json:"workflow_status"`
	Note     string `json:"note"`
	Trials   []struct {
		State     string `json:"state"`
		Instances []struct {
			ID    string `json:"instance_id"`
			Error string `json:"error"`
		} `json:"instances"`
	} `json:"trials"`
}

func (s statusRecords) counts() (records, failed int) {
	for _, tr := range s.Trials {
		for _, in := range tr.Instances {
			records++
			if in.Error != "" {
				failed++
			}
		}
	}
	return records, failed
}

// TestDetachedSweepStopsOnMissingKey (issue 21 Build 1): the circuit
// breaker holds with nobody watching. A sweep started with --detach on a
// separate server and worker whose model key is missing (the pre-flight
// skipped) ends failed by itself after the first 3 instances, instead of
// failing all 12; `starter status` says why, naming the variable and
// what to do.
func TestDetachedSweepStopsOnMissingKey(t *testing.T) {
	data := t.TempDir()
	noKey := []string{"OPENAI_API_KEY=", "CTXSWEEP_ENV_FILE="}
	startServer(t, noKey, data)
	start(t, noKey, "worker", "--data-dir", data)
	file := twoTrials(t, "gpt-4o-mini")
	if out, code := run(t, time.Minute, noKey, "starter", "--data-dir", data, "sweep", file, "--detach", "--skip-preflight",
		"--parallel-trials", "1", "--stop-after-config-errors", "3"); code != 0 {
		t.Fatalf("sweep --detach: exit %d\n%s", code, out)
	}
	began := time.Now()
	var st statusRecords
	var out string
	waitFor(t, 3*time.Minute, "the detached sweep to end by itself:\n"+out, func() bool {
		out, _ = run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "keys", "--json")
		st = statusRecords{}
		if i := strings.Index(out, "{"); i >= 0 {
			_ = json.Unmarshal([]byte(out[i:]), &st)
		}
		return st.Workflow != "" && st.Workflow != "Running"
	})
	records, failed := st.counts()
	t.Logf("ended %s after %s with %d records, %d failed", st.Workflow, time.Since(began).Round(100*time.Millisecond), records, failed)
	if st.Workflow != "Failed" || st.State != "failed" {
		t.Fatalf("workflow %s, state %q; want Failed/failed:\n%s", st.Workflow, st.State, out)
	}
	if failed != 3 || records != 3 {
		t.Errorf("%d records, %d failed; want the first 3 only (of 12)", records, failed)
	}
	if len(st.Trials) != 2 || st.Trials[0].State != "failed" || st.Trials[1].State != "skipped" {
		t.Errorf("trial states: %+v; want failed, skipped", st.Trials)
	}
	// The sweep's and the stopped trial's histories replay with the
	// workflow code (the breaker's decisions are deterministic).
	var trials []string
	waitFor(t, time.Minute, "the trial to be listed", func() bool {
		trials = listWorkflows(t, data, `WorkflowType="TrialWorkflow"`)
		return len(trials) >= 1
	})
	replayHistories(t, data, append([]string{"sweep/keys"}, trials...)...)
	text, code := run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "keys")
	for _, w := range []string{"Sweep keys: failed", "the first 3 instance(s)", "model preset gpt-4o-mini", "OPENAI_API_KEY is not set", "What to do", "starter resume keys"} {
		if !strings.Contains(text, w) {
			t.Errorf("starter status does not say %q (exit %d):\n%s", w, code, text)
		}
	}
}

// TestRevokedKeyStopsTheSweep (issue 16 Build 1): a key that the provider
// starts refusing mid-run (HTTP 401 invalid_api_key after the first
// calls, from an OpenAI-compatible server) stops the sweep after 3
// instances in a row failed, not after 12; `starter sweep` exits
// non-zero with the error printed once, naming the preset and the key.
func TestRevokedKeyStopsTheSweep(t *testing.T) {
	const okCalls = 2
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet { // the pre-flight's key check: the key still works
			_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"m","object":"model"}]}`))
			return
		}
		if calls.Add(1) > okCalls {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"message":"Incorrect API key provided: sk-revo***. You can find your API key at the provider.","type":"invalid_request_error","code":"invalid_api_key"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"id":"x","object":"chat.completion","created":1,"model":"m",
		 "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"Done.",
		 "tool_calls":[{"id":"c1","type":"function","function":{"name":"submit","arguments":"{}"}}]}}],
		 "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	models := filepath.Join(dir, "models.yaml")
	preset := "models:\n  revoked:\n    provider: openai\n    model_id: m\n    api_base: \"" + srv.URL + "/v1\"\n" +
		"    api_key_env: REVOKED_TEST_KEY\n    context_window: 128000\n    price: {input: 1, cached_input: 0.5, output: 2, source: test}\n"
	if err := os.WriteFile(models, []byte(preset), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	file := twoTrials(t, "revoked")
	out, code := run(t, 4*time.Minute, []string{"REVOKED_TEST_KEY=sk-revoked-during-the-sweep"}, "starter", "--data-dir", data,
		"--models-file", models, "sweep", file, "--parallel-trials", "1", "--stop-after-config-errors", "3")
	t.Logf("exit %d after %d model calls", code, calls.Load())
	if code == 0 {
		t.Fatalf("a sweep whose key was revoked exited 0:\n%s", out)
	}
	for _, w := range []string{"3 instances in a row", "model preset revoked", "invalid_api_key", "REVOKED_TEST_KEY", "What to do"} {
		if !strings.Contains(out, w) {
			t.Errorf("the output does not say %q:\n%s", w, out)
		}
	}
	if n := strings.Count(out, "Stopped the sweep"); n != 1 {
		t.Errorf("the breaker's error is printed %d times:\n%s", n, out)
	}
	if strings.Contains(out, "sk-revoked-during-the-sweep") {
		t.Errorf("the key itself is printed:\n%s", out)
	}
	var recs []struct {
		ID        string `json:"instance_id"`
		Submitted bool   `json:"submitted"`
		Error     string `json:"error"`
	}
	res := glob(t, filepath.Join(data, "runs", "keys", "*raw*", "results.json"))
	if len(res) != 1 {
		t.Fatalf("the stopped trial's results.json: %v", res)
	}
	raw, err := os.ReadFile(res[0])
	if err != nil || json.Unmarshal(raw, &recs) != nil {
		t.Fatalf("results.json: %v", err)
	}
	ok, failed := 0, 0
	for _, r := range recs {
		if r.Submitted && r.Error == "" {
			ok++
		} else if strings.Contains(r.Error, "invalid_api_key") {
			failed++
		}
	}
	if ok < 1 || failed != 3 || len(recs) != ok+failed {
		t.Errorf("records of the stopped trial: %d submitted before the revocation, %d failed on it, %d in all; want >= 1, 3", ok, failed, len(recs))
	}
	if other := glob(t, filepath.Join(data, "runs", "keys", "*observation_masking*", "*", "record.json")); len(other) > 0 {
		t.Errorf("the second trial ran instances after the sweep was stopped: %v", other)
	}
}

// replayHistories replays the histories of the workflows ids on data's
// server with the sweep and trial workflow code.
func replayHistories(t *testing.T, data string, ids ...string) {
	t.Helper()
	var info struct {
		Address string `json:"address"`
	}
	readJSON(t, filepath.Join(data, "server.json"), &info)
	c, err := client.Dial(client.Options{HostPort: info.Address, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	must(t, err)
	defer c.Close()
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflow(workflows.SweepWorkflow)
	r.RegisterWorkflow(workflows.TrialWorkflow)
	for _, id := range ids {
		h := &historypb.History{}
		it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			must(t, err)
			h.Events = append(h.Events, ev)
		}
		if err := r.ReplayWorkflowHistory(log.NewStructuredLogger(slog.New(slog.DiscardHandler)), h); err != nil {
			t.Errorf("%s (%d events) does not replay: %v", id, len(h.Events), err)
		}
	}
	if len(ids) < 2 {
		t.Errorf("replayed %v: want the sweep and its trial", ids)
	}
}
