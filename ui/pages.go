package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ctxresearch/ctxsweep/report"
)

// errBadRequest makes a handler answer 400.
var errBadRequest = errors.New("bad request")

func (s *Server) fail(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, errNotFound):
		code = http.StatusNotFound
	case errors.Is(err, errBadRequest):
		code = http.StatusBadRequest
	}
	http.Error(w, err.Error(), code)
}

// render executes a page template into memory first, so that a failing
// template answers 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, name string, data any) {
	var b bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&b, name, data); err != nil {
		log.Printf("ui: rendering %s: %v", name, err)
		http.Error(w, "rendering "+name+": "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

func link(path string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// ---- sweeps ----

func (s *Server) handleSweeps(w http.ResponseWriter, r *http.Request) {
	s.render(w, "sweeps.html", map[string]any{"Title": "Sweeps", "Sweeps": s.progressAll(r.Context()), "DataDir": s.cfg.DataDir,
		"Live": s.cfg.Live != nil})
}

func (s *Server) handleSweepsJSON(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.progressAll(r.Context()))
}

// ---- one sweep ----

type trialLine struct {
	Trial       trialRef
	Href        string
	Row         *report.Row
	HP          string
	Exits       string
	WandbURL    string
	WandbNote   string
	TemporalID  string
	TemporalURL string
}

func (s *Server) sweepReport(sw sweepRef, ts []trialRef) (*report.Report, error) {
	var set *report.Set
	var err error
	if sw.Imported {
		var dirs []string
		for _, t := range ts {
			dirs = append(dirs, t.Dir)
		}
		if len(dirs) == 0 {
			return nil, fmt.Errorf("no .traj files under %s", sw.Dir)
		}
		set, err = report.Load("", dirs)
	} else {
		set, err = report.Load(s.cfg.DataDir, []string{sw.Dir})
	}
	if err != nil {
		return nil, err
	}
	return report.Analyze(set, report.Options{}) // `starter report`'s defaults
}

func (s *Server) handleSweep(w http.ResponseWriter, r *http.Request) {
	sw, err := s.sweep(r.URL.Query().Get("s"))
	if err != nil {
		s.fail(w, err)
		return
	}
	ts, err := s.trials(sw)
	if err != nil {
		s.fail(w, err)
		return
	}
	rep, repErr := s.sweepReport(sw, ts)
	var lines []trialLine
	ids := map[string]int{}
	var idOrder []string
	for _, t := range ts {
		l := trialLine{Trial: t, Href: link("/trial", "s", sw.Key, "t", t.Key), HP: hyperparams(t)}
		if rep != nil {
			for i := range rep.Rows {
				if slices.Contains(rep.Rows[i].Sources, t.Dir) {
					l.Row = &rep.Rows[i]
					l.Exits = exitMix(rep.Rows[i].ExitStatuses)
				}
			}
		}
		l.WandbURL, l.WandbNote = wandbLink(t.Dir)
		if t.Meta.TrialID != "" {
			l.TemporalID = t.Meta.TrialID
			if s.cfg.TemporalUI != "" {
				l.TemporalURL = strings.TrimRight(s.cfg.TemporalUI, "/") + "/namespaces/" + url.PathEscape(s.cfg.Namespace) + "/workflows/" + url.PathEscape(t.Meta.TrialID)
			}
		}
		lines = append(lines, l)
		if rows, err := s.instances(t); err == nil {
			for _, in := range rows {
				if ids[in.ID] == 0 {
					idOrder = append(idOrder, in.ID)
				}
				ids[in.ID]++
			}
		}
	}
	slices.Sort(idOrder)
	var compare []map[string]any
	for _, id := range idOrder {
		compare = append(compare, map[string]any{"ID": id, "N": ids[id], "Href": link("/compare", "s", sw.Key, "i", id)})
	}
	var fig *figure
	if rep != nil {
		fig = newFigure(rep)
	}
	repMsg := ""
	if repErr != nil {
		repMsg = repErr.Error()
	}
	sweepURL := ""
	if s.cfg.TemporalUI != "" && !sw.Imported {
		sweepURL = strings.TrimRight(s.cfg.TemporalUI, "/") + "/namespaces/" + url.PathEscape(s.cfg.Namespace) + "/workflows/" + url.PathEscape("sweep/"+sw.Key)
	}
	s.render(w, "sweep.html", map[string]any{"Title": "Sweep " + sw.Title, "Sweep": sw, "Trials": lines, "Figure": fig,
		"ReportErr": repMsg, "Compare": compare, "Progress": s.progressOf(r.Context(), sw, s.liveStates(r)), "TemporalURL": sweepURL,
		"Report": rep})
}

func hyperparams(t trialRef) string {
	if !t.HasMeta {
		return ""
	}
	p := t.Meta.Strategy
	switch p.Strategy {
	case "observation_masking", "observation_masking_cached":
		return fmt.Sprintf("o=%d", p.ObsN)
	case "llm_summary":
		return fmt.Sprintf("s=%d k=%d", p.SumN, p.SumKeepM)
	case "hybrid":
		return fmt.Sprintf("o=%d s=%d k=%d", p.ObsN, p.SumN, p.SumKeepM)
	}
	return "–"
}

func exitMix(m map[string]int) string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// wandbLink is the trial's W&B run page once synced (wandb/sync.json), or
// a note for a run kept offline.
func wandbLink(dir string) (string, string) {
	var st struct {
		RunID   string `json:"run_id"`
		Entity  string `json:"entity"`
		Project string `json:"project"`
	}
	if b, err := os.ReadFile(filepath.Join(dir, "wandb", "sync.json")); err == nil && json.Unmarshal(b, &st) == nil && st.Entity != "" && st.RunID != "" {
		app := strings.TrimRight(os.Getenv("WANDB_APP_URL"), "/")
		if app == "" {
			app = "https://wandb.ai"
		}
		return app + "/" + url.PathEscape(st.Entity) + "/" + url.PathEscape(st.Project) + "/runs/" + url.PathEscape(st.RunID), ""
	}
	if exists(filepath.Join(dir, "wandb")) {
		return "", "offline (starter wandb sync)"
	}
	return "", ""
}

func (s *Server) liveStates(r *http.Request) map[string]string {
	if s.cfg.Live == nil {
		return nil
	}
	st, _ := s.cfg.Live.Sweeps(r.Context())
	return st
}

// ---- one trial ----

const trialPageSize = 100

func (s *Server) handleTrial(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, err := s.trial(q.Get("s"), q.Get("t"))
	if err != nil {
		s.fail(w, err)
		return
	}
	rows, err := s.instances(t)
	if err != nil {
		s.fail(w, err)
		return
	}
	exitCounts := map[string]int{}
	for _, row := range rows {
		exitCounts[row.ExitStatus]++
	}
	exitF, resF, sortBy := q.Get("exit"), q.Get("resolved"), q.Get("sort")
	var shown []instRow
	for _, row := range rows {
		if exitF != "" && row.ExitStatus != exitF {
			continue
		}
		switch resF {
		case "yes":
			if row.Resolved == nil || !*row.Resolved {
				continue
			}
		case "no":
			if row.Resolved == nil || *row.Resolved {
				continue
			}
		case "unknown":
			if row.Resolved != nil {
				continue
			}
		case "":
		default:
			s.fail(w, fmt.Errorf("%w: resolved=%q: want yes, no or unknown", errBadRequest, resF))
			return
		}
		shown = append(shown, row)
	}
	key := map[string]func(instRow) float64{
		"cost": func(r instRow) float64 { return r.Cost }, "turns": func(r instRow) float64 { return float64(r.Turns) },
		"tokens": func(r instRow) float64 { return float64(r.Tokens()) },
	}
	if sortBy != "" {
		k, ok := key[strings.TrimPrefix(sortBy, "-")]
		if !ok {
			s.fail(w, fmt.Errorf("%w: sort=%q: want cost, turns or tokens (prefix - for descending)", errBadRequest, sortBy))
			return
		}
		desc := strings.HasPrefix(sortBy, "-")
		slices.SortStableFunc(shown, func(a, b instRow) int {
			c := 0
			switch va, vb := k(a), k(b); {
			case va < vb:
				c = -1
			case va > vb:
				c = 1
			}
			if desc {
				c = -c
			}
			return c
		})
	}
	page, pages, lo, hi, err := paginate(q.Get("page"), len(shown), trialPageSize)
	if err != nil {
		s.fail(w, err)
		return
	}
	var exits []map[string]any
	for _, k := range sortedKeys(exitCounts) {
		exits = append(exits, map[string]any{"Status": k, "N": exitCounts[k]})
	}
	pageLink := func(p int) string {
		return link("/trial", "s", t.Sweep.Key, "t", t.Key, "exit", exitF, "resolved", resF, "sort", sortBy, "page", strconv.Itoa(p))
	}
	sortLink := func(by string) string {
		if sortBy == by {
			by = "-" + by
		}
		return link("/trial", "s", t.Sweep.Key, "t", t.Key, "exit", exitF, "resolved", resF, "sort", by)
	}
	var items []map[string]any
	for _, row := range shown[lo:hi] {
		items = append(items, map[string]any{"Row": row, "Href": link("/instance", "s", t.Sweep.Key, "t", t.Key, "i", row.ID)})
	}
	s.render(w, "trial.html", map[string]any{"Title": "Trial " + t.Name(), "Trial": t, "Items": items, "Total": len(rows), "Shown": len(shown),
		"Exits": exits, "Exit": exitF, "Resolved": resF, "Sort": sortBy, "Page": page, "Pages": pages,
		"Prev": pageLink(page - 1), "Next": pageLink(page + 1), "SweepHref": link("/sweep", "s", t.Sweep.Key),
		"SortCost": sortLink("cost"), "SortTurns": sortLink("turns"), "SortTokens": sortLink("tokens")})
}

func sortedKeys(m map[string]int) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	slices.Sort(k)
	return k
}

// paginate returns the 1-based page, the page count and the slice bounds.
func paginate(param string, n, size int) (page, pages, lo, hi int, err error) {
	pages = max(1, (n+size-1)/size)
	page = 1
	if param != "" {
		if page, err = strconv.Atoi(param); err != nil || page < 1 || page > pages {
			return 0, 0, 0, 0, fmt.Errorf("%w: page=%q: want 1-%d", errBadRequest, param, pages)
		}
	}
	lo, hi = (page-1)*size, min(page*size, n)
	return page, pages, lo, hi, nil
}
