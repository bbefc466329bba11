package ui

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// benchInstance serves the instance page of a 250-turn trajectory with
// 50 KB observations (~36 MB of .traj). cold parses the file on every
// request (the first visit); warm serves it from the parsed-file cache
// (every later page, the turn slider, the folded texts).
func benchInstance(b *testing.B, cold bool) {
	f := newFixture(b, 1)
	idir := filepath.Join(f.dataDir, "runs", "sw", f.raw, "inst-a")
	write(b, filepath.Join(idir, "inst-a.traj"), trajJSON(b, 250, 50*1024))
	s := newServer(b, Config{DataDir: f.dataDir})
	u := q("/instance", "s", "sw", "t", f.raw, "i", "inst-a", "page", "10")
	if w := get(b, s, u); w.Code != 200 {
		b.Fatalf("%d %s", w.Code, w.Body.String())
	}
	b.ResetTimer()
	for range b.N {
		if cold {
			s.cache = newTrajCache(4)
		}
		if w := get(b, s, u); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkInstancePage250TurnsWarm(b *testing.B) { benchInstance(b, false) }
func BenchmarkInstancePage250TurnsCold(b *testing.B) { benchInstance(b, true) }

// BenchmarkViewTurn250 is the slider's request for turn 200 of the same file.
func BenchmarkViewTurn250(b *testing.B) {
	f := newFixture(b, 1)
	idir := filepath.Join(f.dataDir, "runs", "sw", f.masked, "inst-a")
	write(b, filepath.Join(idir, "inst-a.traj"), trajJSON(b, 250, 50*1024))
	s := newServer(b, Config{DataDir: f.dataDir})
	u := q("/api/view", "s", "sw", "t", f.masked, "i", "inst-a", "turn", "200")
	if w := get(b, s, u); w.Code != 200 {
		b.Fatalf("%d %s", w.Code, w.Body.String())
	}
	b.ResetTimer()
	for range b.N {
		if w := get(b, s, u); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkTrialPage500 serves a trial of 500 instances sorted by cost.
func BenchmarkTrialPage500(b *testing.B) {
	f := newFixture(b, 1)
	var recs []workflows.InstanceRecord
	for i := range 500 {
		res := i%2 == 0
		recs = append(recs, workflows.InstanceRecord{InstanceID: fmt.Sprintf("repo__proj-%04d", i), ExitStatus: "submitted", Submitted: true,
			Resolved: &res, Turns: 20 + i%50, Cost: float64(i%97) / 100, APICalls: 30})
	}
	writeJSONFile(b, filepath.Join(f.dataDir, "runs", "sw", f.raw, "results.json"), recs)
	s := newServer(b, Config{DataDir: f.dataDir})
	u := q("/trial", "s", "sw", "t", f.raw, "sort", "-cost")
	b.ResetTimer()
	for range b.N {
		if w := get(b, s, u); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
