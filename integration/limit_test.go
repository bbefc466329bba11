package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// TestMaxConcurrentHoldsAcrossWorkers: two worker processes poll the
// queue of a preset with `max_concurrent: 1` (one has the preset from
// --models-file, the other only from the sweep), running four instances
// at once between them. The fake OpenAI-compatible server never sees two
// requests in flight, both workers made model calls, and the queue's
// limiter granted a slot per call; `starter status` showed instances
// waiting for the slot while the sweep ran.
func TestMaxConcurrentHoldsAcrossWorkers(t *testing.T) {
	srv, err := fakemodel.Start(fakemodel.Config{Turns: 3, Latency: 300 * time.Millisecond, Record: true}, 0)
	must(t, err)
	defer srv.Close()
	data, file, common := setupLimited(t, srv.URL(), "limited", 6, 4)
	// Each worker runs two instances at once: four sandboxes, one model
	// call at a time. The first knows the preset from --models-file; the
	// second learns it from the sweep and polls its queue from its first
	// instance on.
	w1 := start(t, limitEnv, "worker", append(common, "--max-instances", "2")...)
	w2 := start(t, limitEnv, "worker", "--data-dir", data, "--max-instances", "2")
	for _, w := range []*proc{w1, w2} {
		waitFor(t, time.Minute, "a worker to poll", func() bool { return strings.Contains(w.out.String(), "polling") })
	}
	sw := start(t, nil, "starter", append(common, "sweep", file, "--skip-preflight")...)
	done := make(chan error, 1)
	go func() { done <- sw.cmd.Wait() }()
	// While it runs, `starter status` shows the instances that wait for
	// the queue's slot.
	var status string
	var swErr error
	finished := false
	for end := time.Now().Add(3 * time.Minute); !finished && !strings.Contains(status, "waiting for a one slot"); {
		if time.Now().After(end) {
			t.Fatalf("no instance shown waiting for a slot in 3 minutes; last status:\n%s", status)
		}
		select {
		case swErr = <-done:
			finished = true
		default:
			status, _ = run(t, time.Minute, nil, "starter", "--data-dir", data, "status", "limited")
		}
	}
	if !strings.Contains(status, "waiting for a one slot (max_concurrent 1 across all workers)") {
		t.Errorf("the sweep ended before `starter status` showed an instance waiting for a slot; last status:\n%s", status)
	}
	t.Logf("status while the sweep ran:\n%s", status)
	if !finished {
		select {
		case swErr = <-done:
		case <-time.After(5 * time.Minute):
			t.Fatalf("the sweep did not end in 5 minutes\n%s", sw.out)
		}
	}
	if out := sw.out.String(); swErr != nil || !strings.Contains(out, "Sweep limited: completed") {
		t.Fatalf("sweep: %v\n%s\nworker 1:\n%s\nworker 2:\n%s", swErr, out, w1.out, w2.out)
	}
	td := glob(t, filepath.Join(data, "runs", "limited", "*__*"))
	if len(td) != 1 {
		t.Fatalf("trial directories %v", td)
	}
	if got := exitStatuses(t, td[0]); got["submitted"] != 6 {
		t.Errorf("exit statuses %v, want 6 submitted", got)
	}

	reqs := srv.Requests()
	if len(reqs) < 18 {
		t.Fatalf("%d model requests, want at least 18 (6 instances x 3 turns)", len(reqs))
	}
	if most := mostInFlight(reqs); most != 1 {
		t.Errorf("at most %d model requests in flight, want 1 (max_concurrent: 1 across both workers)", most)
	}
	callsBy := map[int]int{}
	for _, f := range glob(t, filepath.Join(td[0], "*", "events.jsonl")) {
		b, err := os.ReadFile(f)
		must(t, err)
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var e struct {
				Kind   string `json:"kind"`
				Worker int    `json:"worker_pid"`
			}
			if json.Unmarshal([]byte(line), &e) == nil && e.Kind == "model_call" {
				callsBy[e.Worker]++
			}
		}
	}
	if callsBy[w1.cmd.Process.Pid] == 0 || callsBy[w2.cmd.Process.Pid] == 0 {
		t.Errorf("model calls by worker PID %v: want calls from both workers (%d and %d)", callsBy, w1.cmd.Process.Pid, w2.cmd.Process.Pid)
	}

	// The limiter that held the bound: one grant per call, nothing held.
	var info struct {
		Address string `json:"address"`
	}
	readJSON(t, filepath.Join(data, "server.json"), &info)
	c, err := client.Dial(client.Options{HostPort: info.Address, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	must(t, err)
	defer c.Close()
	v, err := c.QueryWorkflow(context.Background(), workflows.LimiterID(workflows.TaskQueue+"-llm-one"), "", workflows.LimiterQuery)
	must(t, err)
	var st workflows.LimiterState
	must(t, v.Get(&st))
	if st.Max != 1 || st.Granted < len(reqs) || len(st.Holders) != 0 || len(st.Waiters) != 0 {
		t.Errorf("limiter state: max %d, %d granted for %d requests, holders %v, waiters %v", st.Max, st.Granted, len(reqs), st.Holders, st.Waiters)
	}
	t.Logf("%d model requests, at most %d in flight; calls by worker %v; limiter granted %d; slot hand-over (a reply to the next request) median %s",
		len(reqs), mostInFlight(reqs), callsBy, st.Granted, medianGap(reqs))

	// The histories replay: an instance that held slots, and the limiter.
	ids := listWorkflows(t, data, `WorkflowType="InstanceWorkflow"`)
	if len(ids) == 0 {
		t.Fatal("no instance workflow listed")
	}
	for _, id := range []string{ids[0], workflows.LimiterID(workflows.TaskQueue + "-llm-one")} {
		h := &historypb.History{}
		it := c.GetWorkflowHistory(context.Background(), id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			must(t, err)
			h.Events = append(h.Events, ev)
		}
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflow(workflows.InstanceWorkflow)
		r.RegisterWorkflow(workflows.LimiterWorkflow)
		if err := r.ReplayWorkflowHistory(log.NewStructuredLogger(slog.New(slog.DiscardHandler)), h); err != nil {
			t.Errorf("replaying %s (%d events): %v", id, len(h.Events), err)
		}
	}
}

// medianGap is the median time from a reply to the next request.
func medianGap(reqs []fakemodel.Request) time.Duration {
	sorted := append([]fakemodel.Request(nil), reqs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start.Before(sorted[j].Start) })
	var gaps []time.Duration
	for i := 1; i < len(sorted); i++ {
		gaps = append(gaps, sorted[i].Start.Sub(sorted[i-1].End))
	}
	if len(gaps) == 0 {
		return 0
	}
	sort.Slice(gaps, func(i, j int) bool { return gaps[i] < gaps[j] })
	return gaps[len(gaps)/2]
}

// mostInFlight is the largest number of requests the server was answering
// at one moment.
func mostInFlight(reqs []fakemodel.Request) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, r := range reqs {
		edges = append(edges, edge{r.Start, 1}, edge{r.End, -1})
	}
	// An end and a start at the same instant do not overlap.
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	n, most := 0, 0
	for _, e := range edges {
		n += e.delta
		most = max(most, n)
	}
	return most
}

// inFlight is a proxy in front of a model server that counts the requests
// being answered, also those a client gives up on (cancelled calls).
type inFlight struct {
	mu        sync.Mutex
	now, most int
	first     chan struct{}
	once      sync.Once
}

func (f *inFlight) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.now++
		f.most = max(f.most, f.now)
		f.mu.Unlock()
		f.once.Do(func() { close(f.first) })
		next.ServeHTTP(w, r)
		f.mu.Lock()
		f.now--
		f.mu.Unlock()
	})
}

// TestCancelledCallKeepsItsSlotUntilItEnds: two workers, one instance
// each, max_concurrent 1. The instance holding the slot is cancelled while
// its call is in flight: the slot goes to the other instance only once
// that call has ended, so the provider never sees two requests at once.
func TestCancelledCallKeepsItsSlotUntilItEnds(t *testing.T) {
	srv, err := fakemodel.Start(fakemodel.Config{Turns: 2, Latency: 4 * time.Second}, 0)
	must(t, err)
	defer srv.Close()
	target, err := url.Parse(srv.URL())
	must(t, err)
	counter := &inFlight{first: make(chan struct{})}
	front := httptest.NewServer(counter.wrap(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})))
	defer front.Close()
	data, file, common := setupLimited(t, front.URL+"/v1", "slots", 2, 2)
	w1 := start(t, limitEnv, "worker", append(common, "--max-instances", "1")...)
	w2 := start(t, limitEnv, "worker", append(common, "--max-instances", "1")...)
	for _, w := range []*proc{w1, w2} {
		waitFor(t, time.Minute, "a worker to poll", func() bool { return strings.Contains(w.out.String(), "polling") })
	}
	sw := start(t, nil, "starter", append(common, "sweep", file, "--skip-preflight")...)
	done := make(chan error, 1)
	go func() { done <- sw.cmd.Wait() }()
	select {
	case <-counter.first:
	case <-time.After(3 * time.Minute):
		t.Fatalf("no model request in 3 minutes\n%s", sw.out)
	}
	var info struct {
		Address string `json:"address"`
	}
	readJSON(t, filepath.Join(data, "server.json"), &info)
	c, err := client.Dial(client.Options{HostPort: info.Address, Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	must(t, err)
	defer c.Close()
	var st workflows.LimiterState
	for end := time.Now().Add(time.Minute); len(st.Holders) != 1 || len(st.Waiters) != 1; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("limiter state %+v: want one holder and one waiter", st)
		}
		v, err := c.QueryWorkflow(context.Background(), workflows.LimiterID(workflows.TaskQueue+"-llm-one"), "", workflows.LimiterQuery)
		must(t, err)
		must(t, v.Get(&st))
	}
	must(t, c.CancelWorkflow(context.Background(), st.Holders[0].WorkflowID, ""))
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Fatalf("the sweep did not end in 5 minutes\n%s", sw.out)
	}
	counter.mu.Lock()
	most := counter.most
	counter.mu.Unlock()
	if most != 1 {
		t.Errorf("%d model requests in flight at once, want 1: the cancelled call's slot was given away while it ran", most)
	}
	if calls := srv.Stats().Calls; calls < 3 {
		t.Errorf("%d model requests, want the cancelled one and the other instance's 2\n%s", calls, sw.out)
	}
	t.Logf("cancelled %s during its call; most in flight %d; %d requests", st.Holders[0].WorkflowID, most, srv.Stats().Calls)
}

// limitEnv holds the key of the preset setupLimited writes.
var limitEnv = []string{"CTXSWEEP_TEST_LIMIT_KEY=k"}

// setupLimited writes a models file with preset one-at-a-time (queue one,
// max_concurrent 1) calling apiBase, and a sweep file name.yaml over the
// first n demo instances, workers at a time; it starts a server on a new
// data directory. It returns the data directory, the sweep file and the
// flags naming the data directory and models file.
func setupLimited(t *testing.T, apiBase, name string, n, workers int) (data, file string, common []string) {
	t.Helper()
	dir := t.TempDir()
	data = filepath.Join(dir, "data")
	models := filepath.Join(dir, "models.yaml")
	must(t, os.WriteFile(models, []byte(fmt.Sprintf("models:\n  one-at-a-time:\n    provider: openai\n    model_id: fake\n    api_base: %q\n"+
		"    api_key_env: CTXSWEEP_TEST_LIMIT_KEY\n    context_window: 1000000\n    rate_limit: {queue: one, max_concurrent: 1}\n"+
		"    price: {input: 1, cached_input: 0.1, output: 5, source: test}\n", apiBase)), 0o644))
	file = filepath.Join(dir, name+".yaml")
	must(t, os.WriteFile(file, []byte(fmt.Sprintf("method: grid\nparameters:\n  model: {value: one-at-a-time}\n  strategy: {value: raw}\n"+
		"  instances-subset: {value: demo}\n  instances-slice: {value: \":%d\"}\n  instances-shuffle: {value: false}\n  num-workers: {value: %d}\n", n, workers)), 0o644))
	startServer(t, nil, data)
	return data, file, []string{"--data-dir", data, "--models-file", models}
}
