package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

// TestRetryAfterMissingKey: a sweep whose model's key is missing finishes
// with every instance exit_error; `starter retry --dry-run` lists them and
// changes nothing; with the key set, `starter retry` re-runs them as new
// attempts: the trial's results, preds.json and W&B run show them
// submitted, and the failed attempts are kept.
func TestRetryAfterMissingKey(t *testing.T) {
	srv, err := fakemodel.Start(fakemodel.Config{Turns: 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	wb := fakewandb.New(fakewandb.Options{})
	wbURL, err := wb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	models := filepath.Join(dir, "models.yaml")
	must(t, os.WriteFile(models, []byte(fmt.Sprintf("models:\n  keyed:\n    provider: openai\n    model_id: fake\n    api_base: %q\n"+
		"    api_key_env: CTXSWEEP_TEST_RETRY_KEY\n    context_window: 1000000\n    price: {input: 1, cached_input: 0.1, output: 5, source: test}\n", srv.URL())), 0o644))
	file := filepath.Join(dir, "keyed.yaml")
	must(t, os.WriteFile(file, []byte("method: grid\nparameters:\n  model: {value: keyed}\n  strategy: {value: raw}\n"+
		"  instances-subset: {value: demo}\n  instances-slice: {value: \":3\"}\n  instances-shuffle: {value: false}\n  num-workers: {value: 3}\n"), 0o644))
	env := []string{"CTXSWEEP_TEST_RETRY_KEY=", "WANDB_API_KEY=" + fakewandb.DefaultAPIKey, "WANDB_BASE_URL=" + wbURL}
	common := []string{"--data-dir", data, "--models-file", models}
	startServer(t, nil, data)
	// The workers get no --models-file: the sweep's presets travel with it.
	w := start(t, env, "worker", "--data-dir", data)

	// --skip-preflight: the key is missing (starting without it is what
	// this test is about).
	out, _ := run(t, 5*time.Minute, nil, "starter", append(common, "sweep", file, "--wandb", "--skip-preflight", "--stop-after-config-errors", "0")...)
	if !strings.Contains(out, "Sweep keyed:") {
		t.Fatalf("first run:\n%s", out)
	}
	trialDirs := glob(t, filepath.Join(data, "runs", "keyed", "*__*"))
	if len(trialDirs) != 1 {
		t.Fatalf("trial directories %v", trialDirs)
	}
	td := trialDirs[0]
	if got := exitStatuses(t, td); len(got) != 1 || got["exit_error"] != 3 {
		t.Fatalf("first run exit statuses %v, want 3 exit_error", got)
	}
	// The Web UI's query for failures finds exactly the failed instances.
	ids := func(q string, want int) []string {
		var got []string
		waitFor(t, time.Minute, q, func() bool { got = listWorkflows(t, data, q); return len(got) >= want })
		return got
	}
	failed := ids(`ExitStatus="exit_error"`, 3)
	if len(failed) != 3 {
		t.Errorf(`ExitStatus="exit_error" lists %v, want the 3 instances`, failed)
	}
	for _, id := range failed {
		if !strings.HasPrefix(id, "sweep/keyed/trial-") || strings.Count(id, "/") != 3 {
			t.Errorf("listed %q, not an instance of the sweep", id)
		}
	}
	if trials := ids(`Sweep="keyed" AND Strategy="raw" AND WorkflowType="TrialWorkflow"`, 1); len(trials) != 1 {
		t.Errorf("trial query lists %v", trials)
	}
	rows := len(wb.History(wb.Runs()[0].Name))

	out, code := run(t, time.Minute, nil, "starter", append(common, "retry", "keyed", "--dry-run")...)
	if code != 0 || !strings.Contains(out, "Retrying 3 instances") || !strings.Contains(out, "CTXSWEEP_TEST_RETRY_KEY is not set") {
		t.Fatalf("retry --dry-run: exit %d\n%s", code, out)
	}
	if got := exitStatuses(t, td); got["exit_error"] != 3 || len(glob(t, filepath.Join(td, ".attempts", "*"))) != 0 {
		t.Fatalf("--dry-run changed the results: %v", got)
	}

	// The key is fixed: the worker restarts with it.
	w.kill9()
	env[0] = "CTXSWEEP_TEST_RETRY_KEY=fixed"
	start(t, env, "worker", "--data-dir", data)
	out, code = run(t, 5*time.Minute, nil, "starter", append(common, "retry", "keyed")...)
	if code != 0 || !strings.Contains(out, "Sweep keyed: completed") {
		t.Fatalf("retry: exit %d\n%s", code, out)
	}
	if got := exitStatuses(t, td); got["submitted"] != 3 {
		t.Errorf("after retry: exit statuses %v, want 3 submitted", got)
	}
	var preds map[string]any
	readJSON(t, filepath.Join(td, "preds.json"), &preds)
	if len(preds) != 3 {
		t.Errorf("preds.json has %d instances", len(preds))
	}
	old := glob(t, filepath.Join(td, ".attempts", "*", "1", "record.json"))
	if len(old) != 3 {
		t.Fatalf("kept attempts %v", old)
	}
	var rec struct {
		ExitStatus string `json:"exit_status"`
	}
	readJSON(t, old[0], &rec)
	if rec.ExitStatus != "exit_error" {
		t.Errorf("kept attempt %s: %s", old[0], rec.ExitStatus)
	}
	out, _ = run(t, time.Minute, nil, "starter", append(common, "status", "keyed", "--json")...)
	if strings.Count(out, `"exit_status": "submitted"`) != 3 {
		t.Errorf("status after retry:\n%s", out)
	}
	if ok := ids(`ExitStatus="submitted" AND Sweep="keyed"`, 3); len(ok) != 3 {
		t.Errorf(`ExitStatus="submitted" lists %v after the retry`, ok)
	}
	if v := wb.Violations(); len(v) > 0 {
		t.Errorf("W&B protocol violations: %v", v)
	}
	runs := wb.Runs()
	if len(runs) != 1 {
		t.Fatalf("%d W&B runs, want the trial's one", len(runs))
	}
	hist := wb.History(runs[0].Name)
	if len(hist) <= rows {
		t.Errorf("W&B history has %d rows after the retry, %d before: the new attempts were not logged", len(hist), rows)
	}
	for i, row := range hist {
		if row == nil || row["_step"] != float64(i) {
			t.Errorf("W&B history row %d: %v", i, row)
		}
	}
	t.Logf("W&B rows: %d before the retry, %d after", rows, len(hist))

	out, code = run(t, time.Minute, nil, "starter", append(common, "retry", "keyed")...)
	if code != 0 || !strings.Contains(out, "Nothing to retry") {
		t.Errorf("second retry: exit %d\n%s", code, out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	must(t, err)
	must(t, json.Unmarshal(b, v))
}

// exitStatuses counts the exit statuses in a trial's results.json.
func exitStatuses(t *testing.T, trialDir string) map[string]int {
	t.Helper()
	var recs []struct {
		ExitStatus string `json:"exit_status"`
	}
	readJSON(t, filepath.Join(trialDir, "results.json"), &recs)
	n := map[string]int{}
	for _, r := range recs {
		n[r.ExitStatus]++
	}
	return n
}

// listWorkflows lists the workflow IDs a visibility query matches on the
// `starter server` of data, as the Web UI's search does.
func listWorkflows(t *testing.T, data, query string) []string {
	t.Helper()
	var info struct {
		Address string `json:"address"`
	}
	readJSON(t, filepath.Join(data, "server.json"), &info)
	c, err := client.Dial(client.Options{HostPort: info.Address, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	must(t, err)
	defer c.Close()
	var ids []string
	var token []byte
	for {
		res, err := c.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		must(t, err)
		for _, e := range res.GetExecutions() {
			ids = append(ids, e.GetExecution().GetWorkflowId())
		}
		if token = res.GetNextPageToken(); len(token) == 0 {
			return ids
		}
	}
}
