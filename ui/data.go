package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// errNotFound makes a handler answer 404.
var errNotFound = errors.New("not found")

// sweepRef is a sweep of the data directory (runs/<name>) or an imported
// directory of .traj files (key "@N", N counting from 1).
type sweepRef struct {
	Key      string
	Title    string
	Dir      string
	Imported bool
}

// trialRef is a trial directory, or a directory of imported .traj files.
type trialRef struct {
	Sweep sweepRef
	Key   string // directory name (data directory) or path relative to the import root
	Dir   string
	Meta  workflows.TrialRef // trial.json (zero for imports)
	// HasMeta says trial.json was read.
	HasMeta bool
}

// Name is the run name, or the key.
func (t trialRef) Name() string {
	if t.Meta.RunName != "" {
		return t.Meta.RunName
	}
	return t.Key
}

// Params are the trial's strategy parameters (raw defaults for imports).
func (t trialRef) Params() strategy.Params {
	if t.HasMeta && t.Meta.Strategy.Strategy != "" {
		return t.Meta.Strategy
	}
	return strategy.Defaults(strategy.Raw)
}

func (s *Server) runsDir() string { return filepath.Join(s.cfg.DataDir, "runs") }

// sweeps lists the data directory's sweeps, then the imports.
func (s *Server) sweeps() []sweepRef {
	var out []sweepRef
	if s.cfg.DataDir != "" {
		ents, _ := os.ReadDir(s.runsDir())
		for _, e := range ents {
			if e.IsDir() {
				out = append(out, sweepRef{Key: e.Name(), Title: e.Name(), Dir: filepath.Join(s.runsDir(), e.Name())})
			}
		}
	}
	for i, d := range s.cfg.Imports {
		out = append(out, sweepRef{Key: "@" + strconv.Itoa(i+1), Title: d, Dir: d, Imported: true})
	}
	return out
}

// sweep finds a sweep by key, by listing (never by joining the key to a path).
func (s *Server) sweep(key string) (sweepRef, error) {
	for _, sw := range s.sweeps() {
		if sw.Key == key {
			return sw, nil
		}
	}
	return sweepRef{}, fmt.Errorf("%w: no sweep %q", errNotFound, key)
}

// trials lists a sweep's trials: the directories with trial.json or
// results.json, or for an import every directory holding .traj files
// (directly, or as <id>/<id>.traj).
func (s *Server) trials(sw sweepRef) ([]trialRef, error) {
	var out []trialRef
	if !sw.Imported {
		ents, err := os.ReadDir(sw.Dir)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			d := filepath.Join(sw.Dir, e.Name())
			if !e.IsDir() || !(exists(filepath.Join(d, "trial.json")) || exists(filepath.Join(d, "results.json"))) {
				continue
			}
			t := trialRef{Sweep: sw, Key: e.Name(), Dir: d}
			if b, err := os.ReadFile(filepath.Join(d, "trial.json")); err == nil && json.Unmarshal(b, &t.Meta) == nil {
				t.HasMeta = true
			}
			out = append(out, t)
		}
		return out, nil
	}
	seen := map[string]bool{}
	err := filepath.WalkDir(sw.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable parts are skipped
		}
		if d.IsDir() || !strings.HasSuffix(p, ".traj") {
			return nil
		}
		run := filepath.Dir(p)
		if filepath.Base(run) == strings.TrimSuffix(filepath.Base(p), ".traj") && run != filepath.Clean(sw.Dir) {
			run = filepath.Dir(run) // <run>/<id>/<id>.traj
		}
		if !seen[run] {
			seen[run] = true
			rel, _ := filepath.Rel(sw.Dir, run)
			out = append(out, trialRef{Sweep: sw, Key: filepath.ToSlash(rel), Dir: run})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b trialRef) int { return strings.Compare(a.Key, b.Key) })
	return out, err
}

func (s *Server) trial(sweepKey, trialKey string) (trialRef, error) {
	sw, err := s.sweep(sweepKey)
	if err != nil {
		return trialRef{}, err
	}
	ts, err := s.trials(sw)
	if err != nil {
		return trialRef{}, err
	}
	for _, t := range ts {
		if t.Key == trialKey {
			return t, nil
		}
	}
	return trialRef{}, fmt.Errorf("%w: sweep %s has no trial %q", errNotFound, sw.Title, trialKey)
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// instRow is one instance of a trial.
type instRow struct {
	ID           string
	ExitStatus   string
	Resolved     *bool
	Submitted    bool
	Running      bool
	Turns        int
	Cost         float64 // agent + summary
	InputTokens  int
	OutputTokens int
	Traj         string // .traj path, "" while running
	Record       *workflows.InstanceRecord
}

// Tokens is input + output tokens.
func (r instRow) Tokens() int { return r.InputTokens + r.OutputTokens }

// instances lists a trial's instances: records (results.json, else each
// record.json), then the started ones without a record (running); for an
// import, one per .traj file.
func (s *Server) instances(t trialRef) ([]instRow, error) {
	if t.Sweep.Imported {
		return s.importedInstances(t)
	}
	var recs []workflows.InstanceRecord
	have := map[string]bool{}
	b, err := os.ReadFile(filepath.Join(t.Dir, "results.json"))
	finished := err == nil
	if finished {
		if err := json.Unmarshal(b, &recs); err != nil {
			return nil, fmt.Errorf("%s: %v", filepath.Join(t.Dir, "results.json"), err)
		}
	} else {
		ms, _ := filepath.Glob(filepath.Join(t.Dir, "*", "record.json"))
		slices.Sort(ms)
		for _, m := range ms {
			var r workflows.InstanceRecord
			if b, err := os.ReadFile(m); err == nil && json.Unmarshal(b, &r) == nil && r.InstanceID != "" {
				recs = append(recs, r)
			}
		}
	}
	out := make([]instRow, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		have[r.InstanceID] = true
		row := instRow{ID: r.InstanceID, ExitStatus: r.ExitStatus, Resolved: r.Resolved, Submitted: r.Submitted, Turns: r.Turns,
			Cost: r.Cost + r.SummaryCost, InputTokens: r.Usage.Input + r.SummaryUsage.Input, OutputTokens: r.Usage.Output + r.SummaryUsage.Output, Record: r}
		if p := filepath.Join(s.cfg.DataDir, filepath.FromSlash(r.TrajFile)); r.TrajFile != "" && exists(p) {
			row.Traj = p
		} else if p := filepath.Join(t.Dir, r.InstanceID, r.InstanceID+".traj"); exists(p) {
			row.Traj = p
		}
		out = append(out, row)
	}
	if finished { // results.json: the trial has ended
		return out, nil
	}
	heads, _ := filepath.Glob(filepath.Join(t.Dir, "*", filepath.Base(store.HeadFile(""))))
	slices.Sort(heads)
	for _, h := range heads {
		id := filepath.Base(filepath.Dir(h))
		if !have[id] {
			out = append(out, instRow{ID: id, Running: true, ExitStatus: "running"})
		}
	}
	return out, nil
}

func (s *Server) importedInstances(t trialRef) ([]instRow, error) {
	files := trajFiles(t.Dir)
	// The first listing reads every file: spread over the cores.
	sums := make([]trajSummary, len(files))
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(files); i = int(next.Add(1)) - 1 {
				sums[i] = s.cache.summary(files[i])
			}
		})
	}
	wg.Wait()
	var out []instRow
	for i, p := range files {
		sum := sums[i]
		row := instRow{ID: strings.TrimSuffix(filepath.Base(p), ".traj"), Traj: p, ExitStatus: sum.ExitStatus, Turns: sum.Steps,
			Cost: sum.Cost, InputTokens: sum.InputTokens, OutputTokens: sum.OutputTokens, Resolved: sum.Resolved,
			Submitted: strings.HasPrefix(sum.ExitStatus, "submitted") || sum.Submission != ""}
		if sum.Err != nil {
			row.ExitStatus = "unreadable: " + sum.Err.Error()
		}
		out = append(out, row)
	}
	return out, nil
}

// trajFiles are a run directory's trajectories: <id>.traj or <id>/<id>.traj.
func trajFiles(dir string) []string {
	a, _ := filepath.Glob(filepath.Join(dir, "*.traj"))
	b, _ := filepath.Glob(filepath.Join(dir, "*", "*.traj"))
	for _, p := range b {
		if filepath.Base(filepath.Dir(p))+".traj" == filepath.Base(p) {
			a = append(a, p)
		}
	}
	slices.Sort(a)
	return a
}

func (s *Server) instance(t trialRef, id string) (instRow, error) {
	rows, err := s.instances(t)
	if err != nil {
		return instRow{}, err
	}
	for _, r := range rows {
		if r.ID == id {
			return r, nil
		}
	}
	return instRow{}, fmt.Errorf("%w: trial %s has no instance %q", errNotFound, t.Name(), id)
}
