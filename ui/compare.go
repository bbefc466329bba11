package ui

import (
	"fmt"
	"net/http"
)

type compareLine struct {
	Trial    trialRef
	Row      instRow
	Href     string
	Actions  []string
	Diverge  int    // first step whose action differs from the reference's (0: none)
	Action   string // this trial's action at Diverge
	RefShown string // the reference's action at Diverge
	Err      string
}

// handleCompare shows one instance across every trial of a sweep that ran
// it: turns, cost, exit status, resolved, and the first step whose action
// differs from the reference trial's (raw if there is one).
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
		if row.Traj != "" {
			if d := s.cache.load(row.Traj); d.Err != nil {
				l.Err = d.Err.Error()
			} else {
				for i := range d.NumSteps() {
					l.Actions = append(l.Actions, d.action(i))
				}
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
	refActs := lines[ref].Actions
	for i := range lines {
		if i == ref {
			continue
		}
		a := lines[i].Actions
		for k := 0; k < max(len(a), len(refActs)); k++ {
			var x, y string
			if k < len(a) {
				x = a[k]
			}
			if k < len(refActs) {
				y = refActs[k]
			}
			if x != y {
				lines[i].Diverge, lines[i].Action, lines[i].RefShown = k+1, x, y
				break
			}
		}
	}
	s.render(w, "compare.html", map[string]any{"Title": "Compare " + id, "Sweep": sw, "ID": id, "Lines": lines, "Ref": ref,
		"SweepHref": link("/sweep", "s", sw.Key)})
}
