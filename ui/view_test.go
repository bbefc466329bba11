package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/traj"
)

// A big view (raw, 40 turns of 50 KB observations: ~2 MB of text) comes
// folded: each long message cut with a link to its full text, the
// `starter view --json` text at its own URL; both give exactly what
// `starter view` shows.
func TestBigViewFolded(t *testing.T) {
	f := newFixture(t, 1)
	file := filepath.Join(f.dataDir, "runs", "sw", f.raw, "inst-a", "inst-a.traj")
	write(t, file, trajJSON(t, 40, 50*1024))
	s := newServer(t, Config{DataDir: f.dataDir})
	w := get(t, s, q("/api/view", "s", "sw", "t", f.raw, "i", "inst-a", "turn", "40"))
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body.String())
	}
	if w.Body.Len() > 300<<10 {
		t.Fatalf("view of %d bytes, want it folded", w.Body.Len())
	}
	var got viewJSON
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tf, err := traj.Parse(file, data)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := s.trial("sw", f.raw)
	v, err := traj.Build(tf, 40, tr.Params())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := v.JSON()
	if got.JSON != "" || got.JSONURL == "" {
		t.Fatalf("json %d bytes, json_url %q: want the JSON apart", len(got.JSON), got.JSONURL)
	}
	if jw := get(t, s, got.JSONURL); jw.Code != 200 || jw.Body.String() != string(want) {
		t.Fatalf("json_url: %d, %d bytes; want starter view --json (%d bytes)", jw.Code, jw.Body.Len(), len(want))
	}
	if len(got.Messages) != len(v.Items) {
		t.Fatalf("%d messages, want %d", len(got.Messages), len(v.Items))
	}
	folded := 0
	for i, m := range got.Messages {
		full := v.Items[i].Content
		if m.More == "" {
			if m.Content != full {
				t.Fatalf("message %d differs", i)
			}
			continue
		}
		folded++
		if m.Bytes != len(full) || len(m.Content) > previewBytes || !strings.HasPrefix(full, m.Content) {
			t.Fatalf("message %d: %d bytes shown of %d (said %d)", i, len(m.Content), len(full), m.Bytes)
		}
		if mw := get(t, s, m.More); mw.Code != 200 || mw.Body.String() != full {
			t.Fatalf("message %d's full text: %d, %d bytes, want %d", i, mw.Code, mw.Body.Len(), len(full))
		}
	}
	if folded != 39 {
		t.Fatalf("%d messages folded, want the 39 observations before turn 40", folded)
	}
	if mw := get(t, s, q("/api/view", "s", "sw", "t", f.raw, "i", "inst-a", "turn", "40", "msg", "9999")); mw.Code != 400 {
		t.Fatalf("msg out of range: %d", mw.Code)
	}
}
