package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/traj"
)

// stepIndex is where one trajectory step's texts are in the file; its
// statistics are decoded (they are small and the chart needs them all).
type stepIndex struct {
	thought, action, observation span
	stats                        *stepStats
}

// trajData is an indexed trajectory: its bytes, where each step's values
// are, its info, and how many model queries its history holds. Texts are
// decoded when shown; the history (for the turn views) when first asked.
// Err says the file is unreadable; ViewErr that it has no history to
// rebuild views from (the steps are still shown).
type trajData struct {
	name    string
	data    []byte
	steps   []stepIndex
	Info    trajInfo
	Summary trajSummary
	// Turns is the number of model queries in the history: the turns
	// `starter view` offers.
	Turns   int
	Err     error
	ViewErr error
	// Live says the steps were read from a running instance's turn files.
	Live bool

	history, summaries, environment span

	once    sync.Once
	file    *traj.File
	fileErr error
}

// NumSteps is the number of trajectory steps.
func (d *trajData) NumSteps() int { return len(d.steps) }

// step decodes step i (0-based).
func (d *trajData) step(i int) step {
	x := d.steps[i]
	return step{Thought: decodeString(d.data, x.thought), Action: decodeString(d.data, x.action),
		Observation: decodeString(d.data, x.observation), Stats: x.stats}
}

// action decodes step i's action.
func (d *trajData) action(i int) string { return decodeString(d.data, d.steps[i].action) }

// stats are every step's statistics (for the chart).
func (d *trajData) stats() []step {
	out := make([]step, len(d.steps))
	for i, x := range d.steps {
		out[i].Stats = x.stats
	}
	return out
}

// File parses the history, summaries and environment with traj.Parse (what
// `starter view` uses), once; the other parts of the file are not read.
func (d *trajData) File() (*traj.File, error) {
	d.once.Do(func() {
		if d.ViewErr != nil {
			d.fileErr = d.ViewErr
			return
		}
		d.file, d.fileErr = traj.Parse(d.name, d.subDocument())
	})
	return d.file, d.fileErr
}

// subDocument is a JSON object of the history, summaries and environment.
func (d *trajData) subDocument() []byte {
	var b bytes.Buffer
	b.Grow(d.history.hi - d.history.lo + d.summaries.hi - d.summaries.lo + d.environment.hi - d.environment.lo + 64)
	b.WriteByte('{')
	sep := ""
	for _, p := range []struct {
		key string
		s   span
	}{{"history", d.history}, {"summaries", d.summaries}, {"environment", d.environment}} {
		if p.s.ok() {
			fmt.Fprintf(&b, "%s%q:", sep, p.key)
			b.Write(d.data[p.s.lo:p.s.hi])
			sep = ","
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// indexTraj reads and indexes a .traj in one pass over its bytes.
func indexTraj(path string) *trajData {
	b, err := os.ReadFile(path)
	if err != nil {
		return &trajData{Err: err}
	}
	d := &trajData{name: path, data: b}
	if err := d.index(); err != nil {
		d.Err = fmt.Errorf("%s: not a trajectory: %v", path, err)
	}
	return d
}

func (d *trajData) index() error {
	sc := &scanner{b: d.data}
	var info, trajectory span
	badHistory := false
	items := 0
	end, err := sc.object(0, func(key []byte, at int) (int, error) {
		switch string(key) {
		case "trajectory":
			if at < len(d.data) && d.data[at] == '[' {
				trajectory.lo = at
				e, err := sc.array(at, func(at int) (int, error) { return d.indexStep(sc, at) })
				trajectory.hi = e
				return e, err
			}
		case "history":
			if at < len(d.data) && d.data[at] == '[' {
				d.history.lo = at
				e, err := sc.array(at, func(at int) (int, error) {
					items++
					q, ok, e, err := d.indexItem(sc, at)
					if !ok {
						badHistory = true
					} else if q {
						d.Turns++
					}
					return e, err
				})
				d.history.hi = e
				return e, err
			}
		case "summaries":
			return sc.keep(&d.summaries, at)
		case "environment":
			return sc.keep(&d.environment, at)
		case "info":
			return sc.keep(&info, at)
		}
		return sc.value(at)
	})
	if err != nil {
		return err
	}
	if e := sc.ws(end); e != len(d.data) {
		return sc.errAt(e, "data after the top-level object")
	}
	if err := d.readInfo(info); err != nil {
		return err
	}
	d.Summary.Steps = len(d.steps)
	if items == 0 || badHistory {
		// No views: traj.Parse names what is wrong (a missing or empty
		// history, an unknown role, ...).
		d.ViewErr = fmt.Errorf("no usable history")
		if _, err := traj.Parse(d.name, d.subDocument()); err != nil {
			d.ViewErr = err
		}
	}
	return nil
}

// indexStep records where a step's texts are and decodes its statistics.
func (d *trajData) indexStep(sc *scanner, at int) (int, error) {
	var x stepIndex
	var stats span
	end, err := sc.object(at, func(key []byte, at int) (int, error) {
		switch string(key) {
		case "thought":
			return sc.keep(&x.thought, at)
		case "action":
			return sc.keep(&x.action, at)
		case "observation":
			return sc.keep(&x.observation, at)
		case "turn_statistics":
			return sc.keep(&stats, at)
		}
		return sc.value(at)
	})
	if err != nil {
		return 0, err
	}
	if stats.ok() && d.data[stats.lo] == '{' {
		var st stepStats
		if json.Unmarshal(d.data[stats.lo:stats.hi], &st) == nil {
			x.stats = &st
		}
	}
	d.steps = append(d.steps, x)
	return end, nil
}

// indexItem reads what decides whether a history item is a model query
// (as traj.Parse does: an assistant item that is no demonstration and no
// summary); ok is false for an item traj.Parse refuses.
func (d *trajData) indexItem(sc *scanner, at int) (query, ok bool, end int, err error) {
	if at >= len(d.data) || d.data[at] != '{' {
		end, err = sc.value(at)
		return false, false, end, err
	}
	var role, mtype, demo, tags span
	end, err = sc.object(at, func(key []byte, at int) (int, error) {
		switch string(key) {
		case "role":
			return sc.keep(&role, at)
		case "message_type":
			return sc.keep(&mtype, at)
		case "is_demo":
			return sc.keep(&demo, at)
		case "tags":
			return sc.keep(&tags, at)
		}
		return sc.value(at)
	})
	if err != nil {
		return false, false, 0, err
	}
	r := decodeString(d.data, role)
	switch r {
	case agent.RoleSystem, agent.RoleUser, agent.RoleAssistant, agent.RoleTool:
	default:
		return false, false, end, nil
	}
	if r != agent.RoleAssistant || string(d.data[demo.lo:demo.hi]) == "true" || decodeString(d.data, mtype) == traj.TypeDemonstration {
		return false, true, end, nil
	}
	if tags.ok() {
		var ts []json.RawMessage
		_ = json.Unmarshal(d.data[tags.lo:tags.hi], &ts)
		for _, raw := range ts {
			var s string
			var o struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(raw, &s) == nil && s == agent.TagSummary || json.Unmarshal(raw, &o) == nil && o.Type == agent.TagSummary {
				return false, true, end, nil
			}
		}
	}
	return true, true, end, nil
}

// readInfo decodes the info object (exit status, submission, model stats).
func (d *trajData) readInfo(s span) error {
	if !s.ok() || d.data[s.lo] == 'n' { // absent or null
		return nil
	}
	var f struct {
		trajInfo
		Agent   *modelStats `json:"agent_model_stats"`
		Summary *modelStats `json:"summary_model_stats"`
	}
	if err := json.Unmarshal(d.data[s.lo:s.hi], &f); err != nil {
		return fmt.Errorf("info: %v", err)
	}
	d.Info = f.trajInfo
	sum := &d.Summary
	sum.trajInfo = f.trajInfo
	st := f.ModelStats
	if f.Agent != nil {
		st = f.Agent
	}
	if st != nil {
		sum.Cost = st.InstanceCost
		sum.InputTokens, sum.OutputTokens = st.io()
	}
	if sm := f.Summary; sm != nil && f.Agent != nil {
		sum.Cost += sm.InstanceCost
		i, o := sm.io()
		sum.InputTokens, sum.OutputTokens = sum.InputTokens+i, sum.OutputTokens+o
	}
	return nil
}
