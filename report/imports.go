package report

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// sweReport is a SWE-bench harness report (seed §11.2): the instance ids
// it covers and those resolved.
type sweReport struct {
	path      string
	stem      string
	ids       []string // every id in any list, first-seen order
	resolved  map[string]bool
	submitted map[string]bool
	harness   string // our run reports' "harness" key; "" in the official ones
}

// reportIDLists are the id lists of a schema-2 report; the first two are
// required.
var reportIDLists = []string{"resolved_ids", "submitted_ids", "completed_ids", "incomplete_ids",
	"empty_patch_ids", "unresolved_ids", "error_ids"}

// addReport reads a SWE-bench report JSON; it is matched to an experiment
// by finish.
func (s *Set) addReport(path string) error {
	var raw map[string]json.RawMessage
	if err := readJSON(path, &raw); err != nil {
		return err
	}
	for _, k := range []string{"total_instances", "resolved_instances"} {
		v, ok := raw[k]
		if !ok {
			return fmt.Errorf("%s: field %q: missing (not a SWE-bench report JSON)", path, k)
		}
		var n int
		if err := json.Unmarshal(v, &n); err != nil {
			return fmt.Errorf("%s: field %q: not an integer: %s", path, k, v)
		}
	}
	r := &sweReport{path: path, resolved: map[string]bool{}, submitted: map[string]bool{}}
	seen := map[string]bool{}
	for i, k := range reportIDLists {
		v, ok := raw[k]
		if !ok {
			if i < 2 {
				return fmt.Errorf("%s: field %q: missing (not a SWE-bench report JSON)", path, k)
			}
			continue
		}
		var ids []string
		if err := json.Unmarshal(v, &ids); err != nil {
			return fmt.Errorf("%s: field %q: not a list of instance ids", path, k)
		}
		for _, id := range ids {
			switch k {
			case "resolved_ids":
				r.resolved[id] = true
			case "submitted_ids":
				r.submitted[id] = true
			}
			if !seen[id] {
				seen[id] = true
				r.ids = append(r.ids, id)
			}
		}
	}
	var n int
	_ = json.Unmarshal(raw["resolved_instances"], &n)
	if n != len(r.resolved) {
		return fmt.Errorf("%s: field \"resolved_instances\": %d, but resolved_ids has %d ids", path, n, len(r.resolved))
	}
	if h, ok := raw["harness"]; ok {
		if err := json.Unmarshal(h, &r.harness); err != nil {
			return fmt.Errorf("%s: field \"harness\": not a string: %s", path, h)
		}
	}
	r.stem = strings.TrimSuffix(filepath.Base(path), ".json")
	s.reports = append(s.reports, r)
	return nil
}

// reportNames lists the experiment names a report file stem may stand for,
// most likely first, and the name to give a new experiment. The harness
// writes `<model>.<run>.json` (often `<run>.<run>.json` or `_.<run>.json`);
// the fixtures use `<experiment>.report.json`.
func reportNames(stem string) (candidates []string, name string) {
	stem = strings.TrimSuffix(stem, ".report")
	name = stem
	if h := len(stem) / 2; len(stem)%2 == 1 && stem[h] == '.' && stem[:h] == stem[h+1:] {
		name = stem[:h]
	} else if rest, ok := strings.CutPrefix(stem, "_."); ok {
		name = rest
	}
	candidates = []string{stem, name}
	for i := range len(stem) {
		if stem[i] == '.' {
			candidates = append(candidates, stem[i+1:])
		}
	}
	return candidates, name
}

// finish applies the reports read: each gives the outcome of every instance
// it lists (resolved iff in resolved_ids, seed §11.1), over any outcome
// from records or CSV rows, and marks those in submitted_ids submitted. Then it fills in models and strategies.
func (s *Set) finish() error {
	for _, r := range s.reports {
		cands, name := reportNames(r.stem)
		var e *Experiment
		for _, c := range cands {
			if e = s.Lookup(c); e != nil {
				break
			}
		}
		if e == nil {
			e = s.get(name)
		}
		e.addSource(r.path)
		if r.harness != "" {
			e.Harness = r.harness
		}
		for _, id := range r.ids {
			e.setOutcome(id, r.resolved[id], 2)
			if r.submitted[id] {
				e.byID[id].Submitted = true
			}
		}
	}
	s.reports = nil
	for _, e := range s.byName {
		e.fillIdentity()
	}
	return nil
}

// csvRequired are the columns of the paper's instance_costs CSVs (seed
// §11.3) that the report needs; strategy and turn_count are used if present.
var csvRequired = []string{"experiment", "instance_id", "cost", "summary_cost", "outcome"}

// addCSV reads a per-instance CSV with the paper's columns. cost is the
// agent cost; mean cost is reported as cost + summary_cost.
func (s *Set) addCSV(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rd := csv.NewReader(f)
	header, err := rd.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: empty file, expected a header with columns %s", path, strings.Join(csvRequired, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, c := range csvRequired {
		if _, ok := col[c]; !ok {
			return fmt.Errorf("%s: column %q: missing (header has %s)", path, c, strings.Join(header, ", "))
		}
	}
	seen := map[[2]string]int{}
	for {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		line, _ := rd.FieldPos(0)
		num := func(c string) (float64, error) {
			v, err := strconv.ParseFloat(strings.TrimSpace(rec[col[c]]), 64)
			if err != nil {
				return 0, fmt.Errorf("%s:%d: column %q: %q is not a number", path, line, c, rec[col[c]])
			}
			return v, nil
		}
		exp, id := rec[col["experiment"]], rec[col["instance_id"]]
		for c, v := range map[string]string{"experiment": exp, "instance_id": id} {
			if v == "" {
				return fmt.Errorf("%s:%d: column %q: empty", path, line, c)
			}
		}
		if prev, dup := seen[[2]string{exp, id}]; dup {
			return fmt.Errorf("%s:%d: column \"instance_id\": %s repeats line %d of experiment %s", path, line, id, prev, exp)
		}
		seen[[2]string{exp, id}] = line
		cost, err := num("cost")
		if err != nil {
			return err
		}
		sumCost, err := num("summary_cost")
		if err != nil {
			return err
		}
		if cost < 0 || sumCost < 0 {
			return fmt.Errorf("%s:%d: a negative cost (%v, summary %v) is not a possible figure", path, line, cost, sumCost)
		}
		outcome, err := num("outcome")
		if err != nil || (outcome != 0 && outcome != 1) {
			return fmt.Errorf("%s:%d: column \"outcome\": %q is not 0 or 1", path, line, rec[col["outcome"]])
		}
		e := s.get(exp)
		e.addSource(path)
		if i, ok := col["strategy"]; ok && e.Strategy == "" {
			e.Strategy = strategyFromLabel(rec[i])
			if e.Strategy == LLMSummary && strategyFromName(exp) == Hybrid {
				e.Strategy = Hybrid // the paper labels hybrid runs LLM-Summary
			}
		}
		in := e.instance(id)
		e.setOutcome(id, outcome == 1, 1)
		in.HasCost, in.Cost, in.SummaryCost = true, cost, sumCost
		if _, ok := col["turn_count"]; ok {
			t, err := num("turn_count")
			if err != nil {
				return err
			}
			in.HasTurns, in.Turns = true, int(t)
		}
	}
}
