package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

// audit is what the outputs of a sweep say about its durability.
type audit struct {
	Expected, TrialFiles, Records, Distinct int
	Lost, Duplicated                        int
	ModelCalls, ModelRepeats                int // model_call events, and those beyond the first per (instance, turn, attempt)
	Execs, ExecRepeats                      int
	Restores                                int
}

type record struct {
	InstanceID string `json:"instance_id"`
	ExitStatus string `json:"exit_status"`
}

type event struct {
	Kind    string `json:"kind"`
	Turn    int    `json:"turn"`
	Attempt int    `json:"attempt"`
}

// auditSweep reads runs/<sweep>/*/results.json and every instance's
// events.jsonl under dataDir.
func auditSweep(dataDir, sweepName string, trials, perTrial int) (audit, error) {
	a := audit{Expected: trials * perTrial}
	base := filepath.Join(dataDir, "runs", sweepName)
	files, err := filepath.Glob(filepath.Join(base, "*", "results.json"))
	if err != nil {
		return a, err
	}
	a.TrialFiles = len(files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return a, err
		}
		var recs []record
		if err := json.Unmarshal(data, &recs); err != nil {
			return a, err
		}
		seen := map[string]bool{}
		for _, r := range recs {
			a.Records++
			if seen[r.InstanceID] {
				a.Duplicated++
				continue
			}
			seen[r.InstanceID] = true
			a.Distinct++
		}
	}
	a.Lost = a.Expected - a.Distinct
	logs, err := filepath.Glob(filepath.Join(base, "*", "*", "events.jsonl"))
	if err != nil {
		return a, err
	}
	for _, f := range logs {
		if err := a.events(f); err != nil {
			return a, err
		}
	}
	return a, nil
}

func (a *audit) events(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	count := map[event]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e event
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue // a line cut by a kill
		}
		count[e]++
		switch e.Kind {
		case "model_call":
			a.ModelCalls++
			if count[e] > 1 {
				a.ModelRepeats++
			}
		case "execute":
			a.Execs++
			if count[e] > 1 {
				a.ExecRepeats++
			}
		case "restore":
			a.Restores++
		}
	}
	return sc.Err()
}

// wandbAudit is what the fake W&B server holds after the sweep.
type wandbAudit struct {
	Runs, Rows, LiveRows int
	// Duplicated counts rows logged twice: a global_step or an
	// n_instances value (one live row per finished instance) on more than
	// one history row of a run, plus every run beyond one per trial.
	Duplicated int
	Resent     int // lines re-sent at their own offset with the same content (not rows: the server keeps one)
	Violations []string
}

func auditWandb(wb *fakewandb.Server, trials, perTrial int) wandbAudit {
	a := wandbAudit{Violations: wb.Violations()}
	runs := wb.Runs()
	a.Runs = len(runs)
	if a.Runs > trials {
		a.Duplicated += a.Runs - trials
	}
	for _, r := range runs {
		a.Resent += r.Duplicates
		steps, live := map[float64]int{}, map[float64]int{}
		for _, row := range wb.History(r.Name) {
			a.Rows++
			if v, ok := row["global_step"].(float64); ok {
				if steps[v]++; steps[v] > 1 {
					a.Duplicated++
				}
			}
			if v, ok := row["n_instances"].(float64); ok {
				a.LiveRows++
				if live[v]++; live[v] > 1 {
					a.Duplicated++
				}
			}
		}
	}
	return a
}
