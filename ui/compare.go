package ui

import (
	"fmt"
	"net/http"
	"strconv"
)

const compareActionBytes = 400 // longer actions are cut in the steps table

// compareLine is one trial's column: its figures, its actions, and the
// first step where they differ from the reference trial's.
type compareLine struct {
	Trial    trialRef
	Row      instRow
	Href     string
	Actions  []string
	HasSteps bool
	Diverge  int    // first step whose action differs from the reference's (0: none)
	Action   string // this trial's action at Diverge
	RefShown string // the reference's action at Diverge
	Ended    bool   // this trial has no step Diverge (the reference went on)
	RefEnded bool   // the reference has no step Diverge (this trial went on)
	Err      string
}

// compareStep is one row of the steps table: each trial's action at step N.
type compareStep struct {
	N     int
	Cells []compareCell
	// First marks the first step where the trials' actions diverge.
	First bool
}

type compareCell struct {
	Action  string
	Cut     bool
	Missing bool // the trial has no step N (it ended before, or has no trajectory)
	Differs bool // not the reference's action
	Href    string
}

// handleCompare shows one instance across every trial of a sweep that ran
// it, side by side: a column per trial (turns, cost, exit status,
// resolved), then each step's action per trial aligned by step, with the
// first step where the trials' actions diverge marked. The reference is
// the raw trial if there is one.
func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sw, err := s.sweep(q.Get("s"))
	if err != nil {
		s.fail(w, err)
		return
	}
	id := q.Get("i")
	ts, err := s.trials(sw)
	if err != nil {
		s.fail(w, err)
		return
	}
	var lines []compareLine
	ref := -1
	for _, t := range ts {
		row, err := s.instance(t, id)
		if err != nil {
			continue
		}
		l := compareLine{Trial: t, Row: row, Href: link("/instance", "s", sw.Key, "t", t.Key, "i", id)}
		if d := s.trajOf(t, row); d != nil && d.Err != nil {
			l.Err = d.Err.Error()
		} else if d != nil {
			l.HasSteps = true
			for i := range d.NumSteps() {
				l.Actions = append(l.Actions, d.action(i))
			}
		}
		if ref < 0 && t.Params().Strategy == "raw" && t.HasMeta {
			ref = len(lines)
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		s.fail(w, fmt.Errorf("%w: no trial of sweep %s has instance %q", errNotFound, sw.Title, id))
		return
	}
	if ref < 0 {
		ref = 0
	}
	// The reference is the first column.
	lines = append(append([]compareLine{lines[ref]}, lines[:ref]...), lines[ref+1:]...)
	ref = 0
	refActs := lines[ref].Actions
	for i := range lines {
		if i == ref || !lines[i].HasSteps {
			continue
		}
		if k, ok := firstDifference(lines[i].Actions, refActs); ok {
			lines[i].Diverge, lines[i].Action, lines[i].RefShown = k+1, at(lines[i].Actions, k), at(refActs, k)
			lines[i].Ended, lines[i].RefEnded = k >= len(lines[i].Actions), k >= len(refActs)
		}
	}
	steps, first := compareSteps(lines, ref)
	s.render(w, "compare.html", map[string]any{"Title": "Compare " + id, "Sweep": sw, "ID": id, "Lines": lines, "Ref": ref,
		"Steps": steps, "First": first, "SweepHref": link("/sweep", "s", sw.Key)})
}

func at(a []string, k int) string {
	if k < len(a) {
		return a[k]
	}
	return ""
}

// firstDifference is the first index where a and b differ (one ending
// before the other counts).
func firstDifference(a, b []string) (int, bool) {
	for k := range max(len(a), len(b)) {
		if k >= len(a) || k >= len(b) || a[k] != b[k] {
			return k, true
		}
	}
	return 0, false
}

// compareSteps lays the trials' actions side by side, one row per step,
// and returns the first step (1-based) where the trials that have steps
// do not all take the same action (0: they never diverge).
func compareSteps(lines []compareLine, ref int) ([]compareStep, int) {
	n := 0
	for _, l := range lines {
		n = max(n, len(l.Actions))
	}
	first := 0
	steps := make([]compareStep, n)
	for k := range n {
		st := compareStep{N: k + 1}
		var acts []string
		same := true
		for _, l := range lines {
			c := compareCell{Missing: k >= len(l.Actions)}
			if !c.Missing {
				a := l.Actions[k]
				c.Action, c.Cut = cutText(a, compareActionBytes)
				c.Differs = k >= len(lines[ref].Actions) || a != lines[ref].Actions[k]
				c.Href = link("/instance", "s", l.Trial.Sweep.Key, "t", l.Trial.Key, "i", l.Row.ID,
					"page", strconv.Itoa(k/stepsPerPage+1)) + "#step-" + strconv.Itoa(k+1)
				acts = append(acts, a)
			}
			if l.HasSteps && (c.Missing || acts[0] != acts[len(acts)-1]) {
				same = false
			}
			st.Cells = append(st.Cells, c)
		}
		if !same && first == 0 {
			first, st.First = k+1, true
		}
		steps[k] = st
	}
	return steps, first
}

// cutText cuts s to at most limit bytes on a character boundary.
func cutText(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	cut := limit
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut], true
}
