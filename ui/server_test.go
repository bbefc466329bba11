package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/report"
	"github.com/ctxresearch/ctxsweep/stats"
	"github.com/ctxresearch/ctxsweep/traj"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func newServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func get(t testing.TB, h http.Handler, target string, mod ...func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for _, m := range mod {
		m(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func q(path string, kv ...string) string { return link(path, kv...) }

func TestHandlersStatusCodes(t *testing.T) {
	f := newFixture(t, 6)
	s := newServer(t, Config{DataDir: f.dataDir, Imports: []string{f.importDir}})
	inst := func(kv ...string) string {
		return q("/instance", append([]string{"s", "sw", "t", f.raw, "i", "inst-a"}, kv...)...)
	}
	view := func(kv ...string) string {
		return q("/api/view", append([]string{"s", "sw", "t", f.raw, "i", "inst-a"}, kv...)...)
	}
	text := func(kv ...string) string {
		return q("/api/text", append([]string{"s", "sw", "t", f.raw, "i", "inst-a"}, kv...)...)
	}
	for _, c := range []struct {
		url  string
		code int
		ct   string
	}{
		{"/", 200, "text/html"},
		{"/api/sweeps", 200, "application/json"},
		{"/static/app.js", 200, "javascript"},
		{"/static/style.css", 200, "text/css"},
		{"/nope", 404, ""},
		{q("/sweep", "s", "sw"), 200, "text/html"},
		{q("/sweep", "s", "@1"), 200, "text/html"},
		{q("/sweep", "s", "missing"), 404, ""},
		{q("/sweep", "s", "@9"), 404, ""},
		{q("/trial", "s", "sw", "t", f.raw), 200, "text/html"},
		{q("/trial", "s", "sw", "t", "../../etc"), 404, ""},
		{q("/trial", "s", "sw", "t", f.raw, "sort", "-cost", "exit", "submitted", "resolved", "yes"), 200, "text/html"},
		{q("/trial", "s", "sw", "t", f.raw, "sort", "bogus"), 400, ""},
		{q("/trial", "s", "sw", "t", f.raw, "resolved", "maybe"), 400, ""},
		{q("/trial", "s", "sw", "t", f.raw, "page", "2"), 400, ""},
		{q("/trial", "s", "@1", "t", "legacy-run"), 200, "text/html"},
		{q("/trial", "s", "@1", "t", "nested/deep"), 200, "text/html"},
		{inst(), 200, "text/html"},
		{inst("page", "1"), 200, "text/html"},
		{inst("page", "0"), 400, ""},
		{q("/instance", "s", "sw", "t", f.raw, "i", "nope"), 404, ""},
		{q("/instance", "s", "@1", "t", "legacy-run", "i", "swe__repo-1"), 200, "text/html"},
		{q("/instance", "s", "@1", "t", "nested/deep", "i", "proj__x-2"), 200, "text/html"},
		{q("/instance", "s", "@1", "t", "legacy-run", "i", "nohist__3"), 200, "text/html"},
		{q("/api/view", "s", "@1", "t", "legacy-run", "i", "nohist__3", "turn", "1"), 404, ""},
		{view("turn", "3"), 200, "application/json"},
		{view("turn", "3", "strategy", "hybrid", "o", "1", "n", "2", "k", "1"), 200, "application/json"},
		{view("turn", "0"), 400, ""},
		{view("turn", "7"), 400, ""},
		{view("turn", "x"), 400, ""},
		{view("turn", "2", "strategy", "bogus"), 400, ""},
		{view("turn", "2", "o", "many"), 400, ""},
		{q("/api/view", "s", "@1", "t", "legacy-run", "i", "swe__repo-1", "turn", "2"), 200, "application/json"},
		{text("what", "observation", "n", "1"), 200, "text/plain"},
		{text("what", "thought", "n", "6"), 200, "text/plain"},
		{text("what", "testlog"), 200, "text/plain"},
		{text("what", "observation", "n", "99"), 400, ""},
		{text("what", "secrets"), 400, ""},
		{q("/compare", "s", "sw", "i", "inst-a"), 200, "text/html"},
		{q("/compare", "s", "sw", "i", "nope"), 404, ""},
		{q("/compare", "s", "@1", "i", "swe__repo-1"), 200, "text/html"},
		{q("/api/live", "s", "sw", "t", f.raw, "i", "inst-a"), 200, "application/json"},
		{q("/api/live", "s", "sw", "t", f.raw, "i", "nope"), 404, ""},
		{q("/api/live", "s", "nope", "t", f.raw, "i", "inst-a"), 404, ""},
	} {
		w := get(t, s, c.url)
		if w.Code != c.code {
			t.Errorf("GET %s: %d, want %d: %s", c.url, w.Code, c.code, w.Body.String())
			continue
		}
		if ct := w.Header().Get("Content-Type"); c.ct != "" && !strings.Contains(ct, c.ct) {
			t.Errorf("GET %s: Content-Type %q, want %s", c.url, ct, c.ct)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff header", c.url)
		}
	}
}

// TestEscaping: model output containing markup shows as text on every
// page, including an imported file whose name is markup.
func TestEscaping(t *testing.T) {
	f := newFixture(t, 4)
	write(t, filepath.Join(f.importDir, "legacy-run", "x<img src=x onerror=alert(1)>.traj"), legacyTraj(t))
	s := newServer(t, Config{DataDir: f.dataDir, Imports: []string{f.importDir}})
	pages := []string{
		"/", q("/sweep", "s", "sw"), q("/sweep", "s", "@1"), q("/trial", "s", "sw", "t", f.raw),
		q("/instance", "s", "sw", "t", f.raw, "i", "inst-a"), q("/compare", "s", "sw", "i", "inst-a"),
		q("/trial", "s", "@1", "t", "legacy-run"),
		q("/instance", "s", "@1", "t", "legacy-run", "i", "swe__repo-1"),
		q("/instance", "s", "@1", "t", "legacy-run", "i", "x<img src=x onerror=alert(1)>"),
	}
	for _, p := range pages {
		w := get(t, s, p)
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %s", p, w.Code, body)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("GET %s: trajectory markup is not escaped", p)
		}
	}
	body := get(t, s, q("/instance", "s", "sw", "t", f.raw, "i", "inst-a")).Body.String()
	for _, want := range []string{"&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;", `class="del"`, "test_broken"} {
		if !strings.Contains(body, want) {
			t.Errorf("instance page lacks %q", want)
		}
	}
	if body := get(t, s, q("/instance", "s", "@1", "t", "legacy-run", "i", "nohist__3")).Body.String(); !strings.Contains(body, "No turn views") || !strings.Contains(body, `id="step-1"`) {
		t.Errorf("a trajectory without history: its steps are not shown with a note")
	}
	if body := get(t, s, q("/trial", "s", "@1", "t", "legacy-run")).Body.String(); !strings.Contains(body, "x&lt;img src=x onerror=alert(1)&gt;") {
		t.Errorf("trial page does not show the markup file name as text")
	}
	w := get(t, s, q("/api/text", "s", "sw", "t", f.raw, "i", "inst-a", "what", "observation", "n", "1"))
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") || !strings.Contains(w.Body.String(), evil) {
		t.Errorf("full observation: %q, %q", w.Header().Get("Content-Type"), w.Body.String()[:80])
	}
	if v := get(t, s, q("/api/view", "s", "sw", "t", f.raw, "i", "inst-a", "turn", "2")).Body.String(); strings.Contains(v, "<script>") {
		t.Errorf("view JSON carries raw markup (json must escape <, > as \\u003c, \\u003e)")
	}
}

func TestTokenRule(t *testing.T) {
	f := newFixture(t, 2)
	s := newServer(t, Config{DataDir: f.dataDir, Token: "s3cret"})
	for _, p := range []string{"/", "/static/app.js", "/api/sweeps", q("/sweep", "s", "sw")} {
		if w := get(t, s, p); w.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without token: %d, want 401", p, w.Code)
		}
		if w := get(t, s, p+map[bool]string{true: "&", false: "?"}[strings.Contains(p, "?")]+"token=wrong"); w.Code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token: %d, want 401", p, w.Code)
		}
		if w := get(t, s, p, func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") }); w.Code != 200 {
			t.Errorf("GET %s with the bearer token: %d", p, w.Code)
		}
		if w := get(t, s, p, func(r *http.Request) { r.AddCookie(&http.Cookie{Name: tokenCookie, Value: "nope"}) }); w.Code != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong cookie: %d, want 401", p, w.Code)
		}
	}
	w := get(t, s, q("/sweep", "s", "sw", "token", "s3cret"))
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/sweep?s=sw" {
		t.Fatalf("token in the query: %d to %q, want 303 to /sweep?s=sw", w.Code, w.Header().Get("Location"))
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].Value != "s3cret" {
		t.Fatalf("cookie: %+v", cookies)
	}
	if w := get(t, s, "/sweep?s=sw", func(r *http.Request) { r.AddCookie(cookies[0]) }); w.Code != 200 {
		t.Errorf("with the cookie: %d", w.Code)
	}

	// Loopback without a token: other Host names are refused.
	l := newServer(t, Config{DataDir: f.dataDir, LoopbackHosts: true})
	for host, code := range map[string]int{"127.0.0.1:8080": 200, "localhost:1": 200, "[::1]:9": 200, "evil.example:8080": 403, "10.0.0.1": 403} {
		if w := get(t, l, "/", func(r *http.Request) { r.Host = host }); w.Code != code {
			t.Errorf("Host %s: %d, want %d", host, w.Code, code)
		}
	}
	for addr, want := range map[string]bool{"127.0.0.1:0": true, "localhost:80": true, "[::1]:0": true, ":8080": false, "0.0.0.0:1": false, "192.168.1.2:80": false} {
		if IsLoopback(addr) != want {
			t.Errorf("IsLoopback(%q) = %v", addr, !want)
		}
	}
	if a, b := NewToken(), NewToken(); a == b || len(a) != 32 {
		t.Errorf("tokens %q %q", a, b)
	}
}

// TestViewIsStarterView: the slider's data is `starter view`'s (traj.Build
// on the same file with the trial's parameters, or the ones asked for).
func TestViewIsStarterView(t *testing.T) {
	f := newFixture(t, 6)
	s := newServer(t, Config{DataDir: f.dataDir})
	file := filepath.Join(f.dataDir, "runs", "sw", f.masked, "inst-b", "inst-b.traj")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := traj.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	for _, turn := range []int{1, 4, 6} {
		w := get(t, s, q("/api/view", "s", "sw", "t", f.masked, "i", "inst-b", "turn", fmt.Sprint(turn)))
		var got viewJSON
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err, w.Body.String())
		}
		tr, _ := s.trial("sw", f.masked)
		v, err := traj.Build(tf, turn, tr.Params())
		if err != nil {
			t.Fatal(err)
		}
		want, _ := v.JSON()
		if got.JSON != string(want) {
			t.Errorf("turn %d: view JSON differs from starter view --json", turn)
		}
		var wire []struct{ Role, Content string }
		_ = json.Unmarshal(want, &wire)
		masked := 0
		for i, m := range got.Messages {
			if m.Role != wire[i].Role || m.Content != wire[i].Content {
				t.Errorf("turn %d message %d differs", turn, i)
			}
			if m.Masked {
				masked++
			}
		}
		// observation_masking with o=2: observations before the last two are masked.
		if wantMasked := max(0, turn-1-2); masked != wantMasked {
			t.Errorf("turn %d: %d masked messages, want %d", turn, masked, wantMasked)
		}
	}
}

func TestTrialFilterSortPaginate(t *testing.T) {
	f := newFixture(t, 2)
	dir := filepath.Join(f.dataDir, "runs", "sw", f.raw)
	var recs []workflows.InstanceRecord
	for i := range 150 {
		res := i%3 == 0
		recs = append(recs, workflows.InstanceRecord{InstanceID: fmt.Sprintf("i%03d", i), ExitStatus: []string{"submitted", "exit_cost"}[i%2],
			Resolved: &res, Turns: i, Cost: float64((i*37)%150) / 1000})
	}
	writeJSONFile(t, filepath.Join(dir, "results.json"), recs)
	s := newServer(t, Config{DataDir: f.dataDir})
	rows := func(u string) []string {
		w := get(t, s, u)
		if w.Code != 200 {
			t.Fatalf("GET %s: %d", u, w.Code)
		}
		var ids []string
		for _, part := range strings.Split(w.Body.String(), `class="instance-link"`)[1:] {
			part = part[strings.Index(part, ">")+1:]
			ids = append(ids, part[:strings.Index(part, "<")])
		}
		return ids
	}
	if n := len(rows(q("/trial", "s", "sw", "t", f.raw))); n != 100 {
		t.Errorf("page 1: %d rows, want 100", n)
	}
	if n := len(rows(q("/trial", "s", "sw", "t", f.raw, "page", "2"))); n != 50 {
		t.Errorf("page 2: %d rows, want 50", n)
	}
	got := rows(q("/trial", "s", "sw", "t", f.raw, "exit", "exit_cost", "resolved", "yes", "sort", "-cost"))
	if len(got) != 25 { // odd i divisible by 3
		t.Fatalf("exit_cost and resolved: %d rows, want 25", len(got))
	}
	last := 1e9
	for _, id := range got {
		var i int
		fmt.Sscanf(id, "i%d", &i)
		c := float64((i*37)%150) / 1000
		if i%2 != 1 || i%3 != 0 || c > last {
			t.Fatalf("row %s breaks the filter or the descending cost order", id)
		}
		last = c
	}
}

// TestSweepPageNumbers: the trials table shows `starter report`'s numbers.
func TestSweepPageNumbers(t *testing.T) {
	f := newFixture(t, 2)
	s := newServer(t, Config{DataDir: f.dataDir})
	body := get(t, s, q("/sweep", "s", "sw")).Body.String()
	set, err := report.Load(f.dataDir, []string{"sw"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Analyze(set, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range r.Rows {
		for _, want := range []string{funcs["pct"].(func(*stats.Interval) string)(row.SolveRate), funcs["usd"].(func(*stats.Interval) string)(row.MeanCost)} {
			if !strings.Contains(body, want) {
				t.Errorf("sweep page lacks %s's %q", row.Experiment, want)
			}
		}
	}
	if !strings.Contains(body, `<svg id="figure"`) || strings.Count(body, `class="pt"`) != 2 {
		t.Errorf("the figure does not have one point per trial")
	}
}

type fakeLive struct {
	states map[string]string
	st     workflows.SweepStatus
	err    error
}

func (l fakeLive) Sweeps(context.Context) (map[string]string, error) { return l.states, l.err }
func (l fakeLive) Status(context.Context, string) (workflows.SweepStatus, error) {
	return l.st, l.err
}

func TestProgressLiveAndFiles(t *testing.T) {
	f := newFixture(t, 2)
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	live := fakeLive{states: map[string]string{"sw": "Running", "gone": "Completed"}, st: workflows.SweepStatus{Name: "sw", State: "running", Started: now.Add(-10 * time.Minute),
		Done: 1, Running: 1, Planned: 2, Instances: 5, Total: 10, Cost: 1.5}}
	s := newServer(t, Config{DataDir: f.dataDir, Live: live, Now: func() time.Time { return now }})
	var ps []progress
	if err := json.Unmarshal(get(t, s, "/api/sweeps").Body.Bytes(), &ps); err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Source != "temporal" || ps[0].InstancesDone != 5 || ps[0].InstancesTotal != 10 || ps[0].ETA != "10m0s" || ps[0].TrialsTotal != 2 {
		t.Errorf("live progress: %+v", ps)
	}
	// A sweep just started, with no outputs yet, is listed from Temporal.
	live.states["fresh"] = "Running"
	s = newServer(t, Config{DataDir: f.dataDir, Live: live, Now: func() time.Time { return now }})
	ps = nil
	_ = json.Unmarshal(get(t, s, "/api/sweeps").Body.Bytes(), &ps)
	if len(ps) != 2 || ps[1].Key != "fresh" || ps[1].Source != "temporal" {
		t.Errorf("a running sweep without outputs: %+v", ps)
	}
	s = newServer(t, Config{DataDir: f.dataDir, Live: fakeLive{err: errors.New("down")}})
	ps = nil
	if err := json.Unmarshal(get(t, s, "/api/sweeps").Body.Bytes(), &ps); err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Source != "files" || ps[0].State != "finished" || ps[0].InstancesDone != 4 || ps[0].TrialsDone != 2 || ps[0].InstancesFail != 2 {
		t.Errorf("files progress: %+v", ps)
	}
	// An unfinished trial: no results.json, one record, one started instance.
	dir := filepath.Join(f.dataDir, "runs", "sw", f.raw)
	_ = os.Remove(filepath.Join(dir, "results.json"))
	_ = os.Remove(filepath.Join(dir, "inst-b", "record.json"))
	ps = nil
	_ = json.Unmarshal(get(t, s, "/api/sweeps").Body.Bytes(), &ps)
	if ps[0].State != "incomplete" || ps[0].InstancesRun != 1 || ps[0].InstancesDone != 3 || ps[0].InstancesTotal != 0 {
		t.Errorf("unfinished from files: %+v", ps[0])
	}
	body := get(t, s, q("/trial", "s", "sw", "t", f.raw)).Body.String()
	if !strings.Contains(body, ">running<") {
		t.Errorf("the started instance is not shown as running")
	}
}
