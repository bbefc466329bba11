package fakewandb

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// collector gathers violations instead of failing the test.
type collector struct {
	mu  sync.Mutex
	msg []string
}

func (c *collector) Errorf(f string, a ...any) { c.mu.Lock(); c.msg = append(c.msg, f); c.mu.Unlock() }

type client struct {
	t    *testing.T
	base string
	key  string
}

func (c client) do(method, path string, body []byte, hdr map[string]string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if c.key != "" {
		req.SetBasicAuth("api", c.key)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c client) gql(op string, vars map[string]any) map[string]any {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": "query " + op + " { x }", "variables": vars})
	_, b := c.do("POST", "/graphql", body, nil)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

func (c client) fs(run string, body string, gz bool) (int, string) {
	c.t.Helper()
	data, hdr := []byte(body), map[string]string{}
	if gz {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(data)
		w.Close()
		data, hdr["Content-Encoding"] = buf.Bytes(), "gzip"
	}
	st, b := c.do("POST", "/files/test-entity/p/"+run+"/file_stream", data, hdr)
	return st, string(b)
}

const goodConfig = `{"a":{"value":1},"_wandb":{"value":{"t":{"12":"x"},"m":[]}}}`

func setup(t *testing.T, opts Options) (*Server, client, *collector) {
	col := &collector{}
	opts.Reporter = col
	s := New(opts)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, client{t, ts.URL, DefaultAPIKey}, col
}

func TestAuthAndUnsupportedOps(t *testing.T) {
	s, c, col := setup(t, Options{})
	if st, _ := (client{t, c.base, ""}).do("POST", "/graphql", []byte(`{}`), nil); st != 401 {
		t.Fatalf("no auth: %d", st)
	}
	if st, _ := (client{t, c.base, "wrong"}).do("POST", "/graphql", []byte(`{}`), nil); st != 401 {
		t.Fatalf("wrong key: %d", st)
	}
	if out := c.gql("Viewer", nil); out["data"].(map[string]any)["viewer"].(map[string]any)["entity"] != DefaultEntity {
		t.Fatalf("viewer %v", out)
	}
	if out := c.gql("Nope", nil); out["errors"] == nil || len(col.msg) != 1 {
		t.Fatalf("unsupported op: %v %v", out, col.msg)
	}
	for _, r := range s.Requests() {
		if a := r.Header.Get("Authorization"); a != "" && a != "Basic [REDACTED]" {
			t.Fatalf("recorded auth %q", a)
		}
	}
}

func TestFileStreamOffsetsAndCompletion(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, c, col := setup(t, Options{HeartbeatTimeout: 30 * time.Second, CrashAfter: time.Minute,
		Now: func() time.Time { return now }})
	c.gql("UpsertBucket", map[string]any{"project": "p", "name": "r1", "config": goodConfig})
	row := func(step int, extra string) string {
		return `{"_step":` + string(rune('0'+step)) + `,"_runtime":1.5,"_timestamp":1.0` + extra + `}`
	}
	body, _ := json.Marshal(map[string]any{"files": map[string]any{
		"wandb-history.jsonl": map[string]any{"offset": 0, "content": []string{row(0, `,"x":NaN`), row(1, "")}}}})
	if st, _ := c.fs("r1", string(body), true); st != 200 {
		t.Fatalf("gzip body: %d", st)
	}
	if h := s.History("r1"); len(h) != 2 || h[0]["x"] != "NaN" {
		t.Fatalf("history %v", h)
	}
	if st, _ := c.fs("r1", `{"files":{"wandb-history.jsonl":{"offset":5,"content":["{}"]}}}`, false); st != 400 {
		t.Fatalf("gap accepted: %d", st)
	}
	now = now.Add(2 * time.Minute)
	if s.State("r1") != "crashed" {
		t.Fatalf("state %s", s.State("r1"))
	}
	c.fs("r1", `{"complete":true}`, false) // late heartbeat (after a crash), no exitcode
	if len(col.msg) != 4 || s.State("r1") != "finished" {
		t.Fatalf("violations %v state %s", col.msg, s.State("r1"))
	}
	c.fs("r1", `{"files":{"output.log":{"offset":0,"content":["late"]}}}`, false)
	if len(col.msg) != 5 {
		t.Fatalf("data after complete not flagged: %v", col.msg)
	}
	out := c.gql("RunResumeStatus", map[string]any{"project": "p", "name": "r1"})
	b, _ := json.Marshal(out)
	if !strings.Contains(string(b), `"historyLineCount":2`) || !strings.Contains(string(b), `"wandbConfig":"{\"t\":{\"12\":\"x\"}}"`) {
		t.Fatalf("resume status %s", b)
	}
	c.gql("UpsertBucket", map[string]any{"project": "p", "name": "r1"}) // resume: data allowed again
	c.fs("r1", `{"files":{"output.log":{"offset":1,"content":["resumed"]}}}`, false)
	if len(col.msg) != 5 || s.State("r1") != "running" {
		t.Fatalf("after resume: %v %s", col.msg, s.State("r1"))
	}
}

func TestUploadsAndConfigChecks(t *testing.T) {
	s, c, col := setup(t, Options{})
	c.gql("UpsertBucket", map[string]any{"project": "p", "name": "r", "config": `{"a":1}`})
	if len(col.msg) != 2 { // "a" not {"value":…}; no _wandb.value.t
		t.Fatalf("config violations %v", col.msg)
	}
	out := c.gql("CreateRunFiles", map[string]any{"entity": "test-entity", "project": "p", "run": "r", "files": []string{"f.txt"}})
	files := out["data"].(map[string]any)["createRunFiles"].(map[string]any)["files"].([]any)
	u := files[0].(map[string]any)["uploadUrl"].(string)
	req, _ := http.NewRequest("PUT", u, strings.NewReader("hi"))
	req.SetBasicAuth("api", DefaultAPIKey) // wrong: uploads carry no credentials nor upload headers
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload %v %v", resp, err)
	}
	resp.Body.Close()
	if len(col.msg) != 4 {
		t.Fatalf("upload violations %v", col.msg)
	}
	if r, _ := s.Run("r"); string(r.Files["f.txt"]) != "hi" {
		t.Fatalf("files %v", r.Files)
	}
	c.fs("r", `{"complete":true,"exitcode":0}`, false) // f.txt never reported uploaded
	if len(col.msg) != 5 {
		t.Fatalf("complete violations %v", col.msg)
	}
}

func TestFaultsStartAndSnapshots(t *testing.T) {
	a := New(Options{})
	base, err := a.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	c := client{t, base, DefaultAPIKey}
	a.Inject(Fault{Route: GraphQL, Op: "Viewer", Status: 429, RetryAfter: "3", Count: 2})
	for i := 0; i < 2; i++ {
		if st, _ := c.do("POST", "/graphql", []byte(`{"operationName":"Viewer","query":"query Viewer { viewer { id } }"}`), nil); st != 429 {
			t.Fatalf("fault %d: %d", i, st)
		}
	}
	if out := c.gql("Viewer", nil); out["data"] == nil {
		t.Fatalf("fault not consumed: %v", out)
	}
	b := New(Options{})
	if a.Snapshot().Diff(b.Snapshot()) != "" {
		t.Fatal("empty servers differ")
	}
	c.gql("UpsertBucket", map[string]any{"project": "p", "name": "r", "config": goodConfig})
	if d := a.Snapshot().Diff(b.Snapshot()); !strings.Contains(d, "test-entity/p/r") {
		t.Fatalf("diff %q", d)
	}
	a.SetDown(true)
	req, _ := http.NewRequest("POST", base+"/graphql", strings.NewReader("{}"))
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("down server answered")
	}
}
