package swebench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// fakeHub serves the Hub's parquet listing for one dataset split, each
// listed URL redirecting (302, with X-Repo-Commit) to the file itself, the
// way huggingface.co does.
type fakeHub struct {
	srv    *httptest.Server
	mu     sync.Mutex
	auth   []string // Authorization headers seen
	hits   int
	status int // if set, every request fails with it
}

func newFakeHub(t *testing.T, dataset string, shards [][]byte) *fakeHub {
	h := &fakeHub{}
	mux := http.NewServeMux()
	prefix := "/api/datasets/" + dataset + "/parquet/default/test"
	mux.HandleFunc(prefix, func(w http.ResponseWriter, r *http.Request) {
		var urls []string
		for i := range shards {
			u := prefix + "/" + string(rune('0'+i)) + ".parquet"
			if i == 0 {
				u = h.srv.URL + u // absolute, as the Hub returns them
			} else {
				u = "test/" + string(rune('0'+i)) + ".parquet" // relative: resolved against the listing
			}
			urls = append(urls, u)
		}
		json.NewEncoder(w).Encode(urls)
	})
	for i, b := range shards {
		mux.HandleFunc(prefix+"/"+string(rune('0'+i))+".parquet", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Repo-Commit", "abc123")
			http.Redirect(w, r, "/cdn/shard-"+string(rune('0'+i)), http.StatusFound)
		})
		mux.HandleFunc("/cdn/shard-"+string(rune('0'+i)), func(w http.ResponseWriter, r *http.Request) { w.Write(b) })
	}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.hits++
		h.auth = append(h.auth, r.Header.Get("Authorization"))
		status := h.status
		h.mu.Unlock()
		if status != 0 {
			http.Error(w, "nope", status)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// setStatus makes every later request fail with status (0: serve normally).
func (h *fakeHub) setStatus(status int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status = status
}

// twoShards writes the fixture as two HF-layout parquet shards (2 + 3 rows).
func twoShards(t *testing.T) ([][]byte, []map[string]any) {
	rows := fixtureRows(t)
	dir := t.TempDir()
	var shards [][]byte
	for i, part := range [][]map[string]any{rows[:2], rows[2:]} {
		p := writeHFParquet(t, dir, string(rune('a'+i))+".parquet", part)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, b)
	}
	return shards, rows
}

func TestHFLoaderDownloadsThenUsesCache(t *testing.T) {
	shards, rows := twoShards(t)
	hub := newFakeHub(t, "princeton-nlp/SWE-Bench_Lite", shards)
	cache := t.TempDir()
	var msgs []string
	l := &Loader{HFBase: hub.srv.URL, CacheDir: cache, Token: "secret-token", Progress: func(m string) { msgs = append(msgs, m) }}
	all, err := l.LoadAll(context.Background(), Selection{Subset: "lite"})
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, all, rows)
	for _, a := range hub.auth {
		if a != "Bearer secret-token" {
			t.Errorf("Authorization %q", a)
		}
	}
	for _, m := range msgs {
		if strings.Contains(m, "secret") {
			t.Errorf("token logged: %s", m)
		}
	}
	dir := filepath.Join(cache, "princeton-nlp__SWE-Bench_Lite", "default", "test")
	var meta CacheMeta
	readJSONFile(t, filepath.Join(dir, "meta.json"), &meta)
	if len(meta.Files) != 2 || meta.Revision != "abc123" || meta.DownloadedAt.IsZero() || meta.Dataset != "princeton-nlp/SWE-Bench_Lite" {
		t.Fatalf("meta %+v", meta)
	}
	for i, f := range meta.Files {
		sum, size, err := hashFile(filepath.Join(dir, f.Name))
		if err != nil || sum != f.SHA256 || size != int64(len(shards[i])) || f.Name != string(rune('0'+i))+".parquet" {
			t.Fatalf("file %+v: %s %d %v", f, sum, size, err)
		}
	}

	// Second load: the server is gone, the cache answers, Select applies.
	hub.srv.Close()
	msgs = nil
	got, err := l.Load(context.Background(), Selection{Subset: "lite", Split: "test", Shuffle: true, Seed: 42, Slice: "3"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Select(all, Selection{Shuffle: true, Seed: 42, Slice: "3"})
	if len(got) != 3 || strings.Join(rowIDs(got), ",") != strings.Join(rowIDs(want), ",") {
		t.Fatalf("got %v want %v", rowIDs(got), rowIDs(want))
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], "using cached") {
		t.Fatalf("progress %q", msgs)
	}

	// A damaged cache is not trusted: with no server the error says what to do.
	os.WriteFile(filepath.Join(dir, "1.parquet"), []byte("garbage"), 0o644)
	_, err = l.Load(context.Background(), Selection{Subset: "lite"})
	if err == nil || !contains(err.Error(), "princeton-nlp/SWE-Bench_Lite", hub.srv.URL+"/api/datasets/", "--instances-file", "no network") {
		t.Fatalf("err = %v", err)
	}
}

func TestHFLoaderEnvBaseAndHTTPErrors(t *testing.T) {
	shards, _ := twoShards(t)
	hub := newFakeHub(t, "MariusHobbhahn/swe-bench-verified-mini", shards)
	t.Setenv("CTXSWEEP_HF_BASE", hub.srv.URL)
	t.Setenv("HF_TOKEN", "")
	for status, hint := range map[int]string{404: "--instances-subset", 401: "HF_TOKEN", 500: "retry"} {
		hub.setStatus(status)
		_, err := (&Loader{CacheDir: t.TempDir()}).Load(context.Background(), Selection{Subset: "verified-mini"})
		if err == nil || !contains(err.Error(), "MariusHobbhahn/swe-bench-verified-mini", hub.srv.URL, hint) {
			t.Errorf("HTTP %d: err = %v", status, err)
		}
	}
	hub.setStatus(0)
	got, err := (&Loader{CacheDir: t.TempDir()}).Load(context.Background(), Selection{Subset: "verified-mini", Filter: "django"})
	if err != nil || len(got) != 2 || got[1].InstanceID != "django__django-15781" { // two django rows, dataset order
		t.Fatalf("%d rows, %v", len(got), err)
	}
	for _, a := range hub.auth {
		if a != "" {
			t.Errorf("sent Authorization %q without a token", a)
		}
	}
}

func TestHFLoaderOffline(t *testing.T) {
	l := &Loader{CacheDir: t.TempDir(), Offline: true, HFBase: "http://127.0.0.1:1"}
	_, err := l.Load(context.Background(), Selection{Subset: "verified"})
	if err == nil || !contains(err.Error(), "princeton-nlp/SWE-Bench_Verified", "not cached", "--instances-file") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoaderFileSourceAndDuplicates(t *testing.T) {
	l := &Loader{HFBase: "http://127.0.0.1:1"} // never contacted
	got, err := l.Load(context.Background(), Selection{File: "testdata/lite-test-5.json", Slice: "-2:"})
	if err != nil || len(got) != 2 {
		t.Fatalf("%d %v", len(got), err)
	}
	dup := writeTemp(t, "dup.jsonl", "{\"instance_id\":\"a\"}\n{\"instance_id\":\"a\"}\n")
	if _, err := l.Load(context.Background(), Selection{File: dup}); err == nil || !contains(err.Error(), "dup.jsonl", `"a"`, "rows 0 and 1") {
		t.Fatalf("err = %v", err)
	}
}
