package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Set is the experiments read from some inputs.
type Set struct {
	byName  map[string]*Experiment
	order   []string
	reports []*sweReport // applied by finish, whatever the argument order
	notes   []string
}

// Notes are things the report dropped or chose (duplicate records, a
// sweep name preferred to a same-named folder), to tell the user.
func (s *Set) Notes() []string { return s.notes }

// NewSet returns an empty set.
func NewSet() *Set { return &Set{byName: map[string]*Experiment{}} }

// Experiments returns the experiments in the order they were first read.
func (s *Set) Experiments() []*Experiment {
	out := make([]*Experiment, len(s.order))
	for i, n := range s.order {
		out[i] = s.byName[n]
	}
	return out
}

// Lookup finds an experiment by name or alias.
func (s *Set) Lookup(name string) *Experiment {
	if e, ok := s.byName[name]; ok {
		return e
	}
	for _, n := range s.order {
		if slices.Contains(s.byName[n].aliases, name) {
			return s.byName[n]
		}
	}
	return nil
}

// get returns the experiment with the name, adding it if new.
func (s *Set) get(name string) *Experiment {
	if e, ok := s.byName[name]; ok {
		return e
	}
	e := newExperiment(name)
	s.byName[name] = e
	s.order = append(s.order, name)
	return e
}

// fresh adds a new experiment for a run directory; a name already taken by
// another directory is qualified with that directory's parent.
func (s *Set) fresh(name, dir string) *Experiment {
	if _, taken := s.byName[name]; taken {
		name = filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)
	}
	return s.get(name)
}

// Load reads each argument: a sweep name (its trials under
// <dataDir>/runs/<name>), a trial directory, a sweep's runs directory, a
// SWE-agent trajectory directory, a directory of report JSON and CSV files,
// or one such file. No arguments read every sweep under <dataDir>/runs.
func Load(dataDir string, args []string) (*Set, error) {
	s := NewSet()
	if len(args) == 0 {
		runs := filepath.Join(dataDir, "runs")
		ents, err := os.ReadDir(runs)
		if err != nil {
			return nil, fmt.Errorf("no sweeps to report in %s: %w", runs, err)
		}
		for _, e := range ents {
			if e.IsDir() {
				args = append(args, filepath.Join(runs, e.Name()))
			}
		}
	}
	for _, a := range args {
		if err := s.Add(dataDir, a); err != nil {
			return nil, err
		}
	}
	if err := s.finish(); err != nil {
		return nil, err
	}
	if len(s.order) == 0 {
		return nil, fmt.Errorf("no experiments found in %s", strings.Join(args, ", "))
	}
	return s, nil
}

// Add reads one argument (see Load); call finish after the last one.
func (s *Set) Add(dataDir, arg string) error {
	if sweepDir := filepath.Join(dataDir, "runs", arg); !strings.ContainsAny(arg, `/\`) && arg != "." && arg != ".." && exists(sweepDir) {
		// A sweep name comes before a folder of the same name in the
		// working directory (say `starter report demo` from the repository).
		if exists(arg) {
			s.notes = append(s.notes, fmt.Sprintf("%q: reporting the sweep in %s, not the folder ./%s (pass ./%s for the folder)", arg, sweepDir, arg, arg))
		}
		return s.addDir(sweepDir)
	}
	st, err := os.Stat(arg)
	if errors.Is(err, fs.ErrNotExist) {
		sweepDir := filepath.Join(dataDir, "runs", arg)
		if !exists(sweepDir) {
			return fmt.Errorf("%s: neither a file, a directory nor a sweep in %s", arg, filepath.Join(dataDir, "runs"))
		}
		return s.addDir(sweepDir)
	}
	if err != nil {
		return err
	}
	if st.IsDir() {
		return s.addDir(arg)
	}
	return s.addFile(arg)
}

func (s *Set) addFile(path string) error {
	switch {
	case strings.HasSuffix(path, ".csv"):
		return s.addCSV(path)
	case strings.HasSuffix(path, ".json"):
		return s.addReport(path)
	}
	return fmt.Errorf("%s: not a report JSON (.json) or per-instance CSV (.csv)", path)
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func (s *Set) addDir(dir string) error {
	if exists(filepath.Join(dir, "results.json")) || exists(filepath.Join(dir, "trial.json")) {
		return s.addTrial(dir)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var trials, files []string
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir() && (exists(filepath.Join(p, "results.json")) || exists(filepath.Join(p, "trial.json"))):
			trials = append(trials, p)
		case !e.IsDir() && (strings.HasSuffix(e.Name(), ".csv") || strings.HasSuffix(e.Name(), ".json")):
			files = append(files, p)
		}
	}
	if len(trials) > 0 {
		for _, t := range trials {
			if err := s.addTrial(t); err != nil {
				return err
			}
		}
		return nil
	}
	if hasTraj(dir) {
		return s.addTrajDir(dir)
	}
	if len(files) == 0 {
		return fmt.Errorf("%s: no trial outputs, trajectories, report JSON or CSV files", dir)
	}
	for _, f := range files {
		if filepath.Base(f) == "preds.json" {
			continue
		}
		if err := s.addFile(f); err != nil {
			return err
		}
	}
	return nil
}

// trialFile is the part of trial.json (workflows.TrialRef) the report uses.
type trialFile struct {
	Sweep   string `json:"sweep"`
	RunName string `json:"run_name"`
	Config  struct {
		Model    string `json:"model"`
		Strategy string `json:"strategy"`
	} `json:"config"`
	Tuning struct {
		Harness string `json:"harness"`
	} `json:"tuning"`
}

// recordFile is the part of an instance record (workflows.InstanceRecord in
// results.json and record.json) the report uses.
type recordFile struct {
	InstanceID  *string  `json:"instance_id"`
	ExitStatus  string   `json:"exit_status"`
	Submitted   bool     `json:"submitted"`
	Resolved    *bool    `json:"resolved"`
	Turns       int      `json:"turns"`
	Cost        *float64 `json:"cost"`
	SummaryCost float64  `json:"summary_cost"`
	Tokens      struct {
		Input       int `json:"input"`
		CachedInput int `json:"cached_input"`
	} `json:"tokens"`
	SummaryTokens struct {
		Input       int `json:"input"`
		CachedInput int `json:"cached_input"`
	} `json:"summary_tokens"`
}

// addTrial reads one of our trial directories: trial.json for the run name,
// model and strategy; results.json for the records, or the instances'
// record.json files while the trial is unfinished.
func (s *Set) addTrial(dir string) error {
	var t trialFile
	if err := readJSON(filepath.Join(dir, "trial.json"), &t); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var recs []recordFile
	var recFiles []string
	resPath := filepath.Join(dir, "results.json")
	if err := readJSON(resPath, &recs); err == nil {
		for range recs {
			recFiles = append(recFiles, resPath)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	} else {
		matches, _ := filepath.Glob(filepath.Join(dir, "*", "record.json"))
		for _, m := range matches {
			var r recordFile
			if err := readJSON(m, &r); err != nil {
				return err
			}
			recs, recFiles = append(recs, r), append(recFiles, m)
		}
	}
	name := t.RunName
	if name == "" {
		name = strings.SplitN(filepath.Base(dir), "__", 2)[0]
	}
	e := s.fresh(name, dir)
	e.Model, e.Strategy = t.Config.Model, t.Config.Strategy
	if e.Harness = t.Tuning.Harness; e.Harness == "" {
		e.Harness = "v4.1" // ctxsweep's default rules
	}
	e.aliases = append(e.aliases, filepath.Base(dir))
	e.addSource(dir)
	first := map[string]int{}
	for i, r := range recs {
		if r.InstanceID == nil || *r.InstanceID == "" {
			return fmt.Errorf("%s: record %d: field \"instance_id\": missing", recFiles[i], i)
		}
		if r.Cost == nil {
			return fmt.Errorf("%s: record %d (%s): field \"cost\": missing", recFiles[i], i, *r.InstanceID)
		}
		for field, v := range map[string]float64{"cost": *r.Cost, "summary_cost": r.SummaryCost} {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s: record %d (%s): field %q: %v is not a possible cost (negative or not a number)", recFiles[i], i, *r.InstanceID, field, v)
			}
		}
		if j, dup := first[*r.InstanceID]; dup {
			s.notes = append(s.notes, fmt.Sprintf("%s: record %d repeats instance %s of record %d; the later one is used, the earlier dropped", recFiles[i], i, *r.InstanceID, j))
		} else {
			first[*r.InstanceID] = i
		}
		in := e.instance(*r.InstanceID)
		if r.Resolved != nil {
			e.setOutcome(in.ID, *r.Resolved, 1)
		}
		in.HasCost, in.Cost, in.SummaryCost = true, *r.Cost, r.SummaryCost
		in.HasTurns, in.Turns = true, r.Turns
		in.ExitStatus, in.Submitted = r.ExitStatus, r.Submitted
		in.InputTokens = r.Tokens.Input + r.SummaryTokens.Input
		in.CachedTokens = r.Tokens.CachedInput + r.SummaryTokens.CachedInput
	}
	return nil
}

// readJSON decodes a file; errors name the file and, for a value of the
// wrong type, the field.
func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "(top level)"
			}
			return fmt.Errorf("%s: field %q: %s where %s is expected", path, field, te.Value, te.Type)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
