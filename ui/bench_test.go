package ui

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
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
	s.cache.prefetch = false
	u := q("/instance", "s", "sw", "t", f.raw, "i", "inst-a", "page", "10")
	if w := get(b, s, u); w.Code != 200 {
		b.Fatalf("%d %s", w.Code, w.Body.String())
	}
	b.ResetTimer()
	for range b.N {
		if cold {
			s.cache = newTrajCache(4)
			s.cache.prefetch = false // measured apart: BenchmarkViewTurn250Cold
		}
		if w := get(b, s, u); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkInstancePage250TurnsWarm(b *testing.B) { benchInstance(b, false) }
func BenchmarkInstancePage250TurnsCold(b *testing.B) { benchInstance(b, true) }

// foreignTraj is an older SWE-agent .traj of n turns (no message_type,
// observations as user items) whose steps each carry the query they were
// made with (system, issue and the last exchange).
func foreignTraj(b *testing.B, n, obsBytes int) []byte {
	hist := []map[string]any{{"role": "system", "content": "SETTING: you are a programmer"}, {"role": "user", "content": "Issue: " + evil}}
	var steps []map[string]any
	for T := 1; T <= n; T++ {
		line := fmt.Sprintf("turn %d output %s\n", T, evil)
		obs := strings.Repeat(line, max(1, obsBytes/len(line)))
		act := fmt.Sprintf("cat file%d.py", T)
		hist = append(hist, map[string]any{"role": "assistant", "content": "Look.\n```\n" + act + "\n```"}, map[string]any{"role": "user", "content": obs})
		query := append([]map[string]any{hist[0], hist[1]}, hist[len(hist)-2:]...)
		steps = append(steps, map[string]any{"action": act + "\n", "observation": obs, "thought": "Look.", "response": "Look.", "query": query, "state": "{}"})
	}
	data, err := json.Marshal(map[string]any{"environment": "swe", "history": hist, "trajectory": steps,
		"info": map[string]any{"exit_status": "submitted", "submission": "diff --git a/a.py b/a.py\n+x\n", "model_stats": map[string]any{"instance_cost": 0.5, "api_calls": n}}})
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// benchForeign serves the instance page of such a file opened with
// `starter ui DIR` (~48 MB), on the first visit (cold) or a later one.
func benchForeign(b *testing.B, cold bool) {
	f := newFixture(b, 1)
	write(b, filepath.Join(f.importDir, "big-run", "swe__big-1.traj"), foreignTraj(b, 250, 50*1024))
	s := newServer(b, Config{DataDir: f.dataDir, Imports: []string{f.importDir}})
	s.cache.prefetch = false
	u := q("/instance", "s", "@1", "t", "big-run", "i", "swe__big-1", "page", "10")
	if w := get(b, s, u); w.Code != 200 || !strings.Contains(w.Body.String(), `data-turns="250"`) {
		b.Fatalf("%d %.2000s", w.Code, w.Body.String())
	}
	b.ResetTimer()
	for range b.N {
		if cold {
			s.cache = newTrajCache(4)
			s.cache.prefetch = false // measured apart: BenchmarkViewTurn250Cold
		}
		if w := get(b, s, u); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkForeignInstancePage250TurnsWarm(b *testing.B) { benchForeign(b, false) }
func BenchmarkForeignInstancePage250TurnsCold(b *testing.B) { benchForeign(b, true) }

// benchView is the slider's request for turn 200 of the same file: the
// first one parses the history (cold), later ones reuse it.
func benchView(b *testing.B, cold bool) {
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
		if cold {
			s.cache = newTrajCache(4)
		}
		if w := get(b, s, u); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func BenchmarkViewTurn250Warm(b *testing.B) { benchView(b, false) }
func BenchmarkViewTurn250Cold(b *testing.B) { benchView(b, true) }

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

// BenchmarkImportedTrialPage500Cold lists a directory of 500 SWE-agent
// .traj files (10 turns each, ~180 KB) opened with `starter ui DIR`, on
// the first visit: every file is read for its exit status, cost and steps.
func BenchmarkImportedTrialPage500Cold(b *testing.B) {
	f := newFixture(b, 1)
	data := foreignTraj(b, 10, 4000)
	for i := range 500 {
		write(b, filepath.Join(f.importDir, "big", fmt.Sprintf("swe__p-%04d.traj", i)), data)
	}
	s := newServer(b, Config{DataDir: f.dataDir, Imports: []string{f.importDir}})
	u := q("/trial", "s", "@1", "t", "big", "sort", "-cost")
	b.SetBytes(int64(500 * len(data)))
	b.ResetTimer()
	for range b.N {
		s.cache = newTrajCache(4)
		if w := get(b, s, u); w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}
