package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/traj"
)

const (
	stepsPerPage = 25
	previewBytes = 2000 // longer thoughts and observations are folded and loaded on demand
	logPreview   = 4000
)

// text is a possibly folded text: Head is shown, Full says whether more is
// loaded on demand from More.
type text struct {
	Head  string
	Len   int
	Cut   bool
	More  string
	Lines int
}

func fold(s string, limit int, more string) text {
	t := text{Head: s, Len: len(s), Lines: strings.Count(s, "\n") + 1, More: more}
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		t.Head, t.Cut = s[:cut], true
	}
	return t
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

type stepView struct {
	N           int
	Thought     text
	Action      string
	Observation text
	Stats       *stepStats
}

type diffLine struct {
	Kind string // add, del, hunk, meta, ctx
	Text string
}

func diffLines(patch string) []diffLine {
	var out []diffLine
	for _, l := range strings.Split(strings.TrimSuffix(patch, "\n"), "\n") {
		k := "ctx"
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"), strings.HasPrefix(l, "diff "), strings.HasPrefix(l, "index "):
			k = "meta"
		case strings.HasPrefix(l, "@@"):
			k = "hunk"
		case strings.HasPrefix(l, "+"):
			k = "add"
		case strings.HasPrefix(l, "-"):
			k = "del"
		}
		out = append(out, diffLine{k, l})
	}
	return out
}

type testGroup struct {
	Name    string
	Success []string
	Failure []string
}

// trajOf is the instance's trajectory: its .traj, or for a running
// instance the steps so far; nil when there is none.
func (s *Server) trajOf(t trialRef, row instRow) *trajData {
	switch {
	case row.Traj != "":
		return s.cache.load(row.Traj)
	case row.Running:
		return s.cache.loadLive(filepath.Join(t.Dir, row.ID))
	}
	return nil
}

// handleLive tells a running instance's page when to show more: whether
// it still runs and how many steps it has.
func (s *Server) handleLive(w http.ResponseWriter, r *http.Request) {
	t, row, err := s.lookup(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := struct {
		Running bool `json:"running"`
		Steps   int  `json:"steps"`
	}{Running: row.Running}
	if d := s.trajOf(t, row); d != nil && d.Err == nil {
		out.Steps = d.NumSteps()
	}
	writeJSON(w, out)
}

// lookup finds the trial and instance a request names (s, t, i).
func (s *Server) lookup(r *http.Request) (trialRef, instRow, error) {
	q := r.URL.Query()
	t, err := s.trial(q.Get("s"), q.Get("t"))
	if err != nil {
		return t, instRow{}, err
	}
	row, err := s.instance(t, q.Get("i"))
	return t, row, err
}

func (s *Server) handleInstance(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, row, err := s.lookup(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	base := []string{"s", t.Sweep.Key, "t", t.Key, "i", row.ID}
	data := map[string]any{"Title": row.ID, "Trial": t, "Row": row, "SweepHref": link("/sweep", "s", t.Sweep.Key),
		"TrialHref": link("/trial", "s", t.Sweep.Key, "t", t.Key), "CompareHref": link("/compare", "s", t.Sweep.Key, "i", row.ID)}
	data["StepCount"] = 0
	d := s.trajOf(t, row)
	if d != nil && d.Err != nil {
		data["TrajErr"] = d.Err.Error()
	}
	if row.Running {
		data["LiveURL"] = link("/api/live", base...)
	}
	if d != nil && d.Err == nil {
		page, pages, lo, hi, err := paginate(q.Get("page"), d.NumSteps(), stepsPerPage)
		if err != nil {
			s.fail(w, err)
			return
		}
		var steps []stepView
		for i := lo; i < hi; i++ {
			st := d.step(i)
			n := strconv.Itoa(i + 1)
			steps = append(steps, stepView{N: i + 1, Action: st.Action, Stats: st.Stats,
				Thought:     fold(st.Thought, previewBytes, link("/api/text", append(base, "what", "thought", "n", n)...)),
				Observation: fold(st.Observation, previewBytes, link("/api/text", append(base, "what", "observation", "n", n)...))})
		}
		pageLink := func(p int) string { return link("/instance", append(base, "page", strconv.Itoa(p))...) + "#steps" }
		data["Steps"], data["Page"], data["Pages"], data["StepCount"] = steps, page, pages, d.NumSteps()
		data["Prev"], data["Next"] = pageLink(page-1), pageLink(page+1)
		data["Chart"] = newTurnChart(d.stats())
		if d.ViewErr == nil {
			data["Turns"] = d.Turns
			if s.cache.prefetch {
				go func() { _, _ = d.File() }()
			}
			data["ViewURL"] = link("/api/view", base...)
			data["Params"] = t.Params()
			data["Strategies"] = strategy.Names()
		} else if !d.Live {
			data["ViewErr"] = d.ViewErr.Error()
		}
	}
	patch := ""
	if row.Record != nil && row.Record.PatchFile != "" {
		if b, err := os.ReadFile(filepath.Join(s.cfg.DataDir, filepath.FromSlash(row.Record.PatchFile))); err == nil {
			patch = string(b)
		}
	} else if d != nil {
		patch = d.Info.Submission
	}
	if strings.TrimSpace(patch) != "" {
		data["Patch"] = diffLines(patch)
	}
	if row.Record != nil {
		dir := filepath.Join(t.Dir, row.ID)
		var rec struct {
			Tests map[string]struct {
				Success []string `json:"success"`
				Failure []string `json:"failure"`
			} `json:"tests_status"`
		}
		if b, err := os.ReadFile(filepath.Join(dir, "record.json")); err == nil && json.Unmarshal(b, &rec) == nil {
			var groups []testGroup
			for _, k := range []string{"FAIL_TO_PASS", "PASS_TO_PASS", "FAIL_TO_FAIL", "PASS_TO_FAIL"} {
				if g, ok := rec.Tests[k]; ok && len(g.Success)+len(g.Failure) > 0 {
					groups = append(groups, testGroup{k, g.Success, g.Failure})
				}
			}
			data["Tests"] = groups
		}
		data["Eval"] = row.Record.Eval
		if b, err := os.ReadFile(filepath.Join(dir, "eval", "test_output.txt")); err == nil {
			data["TestLog"] = fold(string(b), logPreview, link("/api/text", append(base, "what", "testlog")...))
		}
	}
	s.render(w, "instance.html", data)
}

// viewJSON is one turn's view for the page's slider: the messages with
// what was done to them, and the exact `starter view --json` text.
type viewJSON struct {
	Turn      int           `json:"turn"`
	Turns     int           `json:"turns"`
	Strategy  string        `json:"strategy"`
	Params    string        `json:"params"`
	Tokens    int           `json:"tokens"`
	RawTokens int           `json:"raw_tokens"`
	RawCount  int           `json:"raw_messages"`
	Summaries []string      `json:"summaries"`
	Notes     []string      `json:"notes"`
	Messages  []viewMessage `json:"messages"`
	// JSON is the `starter view --json` text; for a big view it is left
	// out and JSONURL serves it.
	JSON    string `json:"json"`
	JSONURL string `json:"json_url,omitempty"`
}

// viewBudget is the size of message texts above which a view's long
// messages are folded (their full text at a message's More URL): a raw
// view of a 250-turn trajectory with 50 KB observations is ~12 MB of text.
const viewBudget = 1 << 20

type viewMessage struct {
	Role        string `json:"role"`
	MessageType string `json:"message_type"`
	Turn        int    `json:"turn"`
	Tokens      int    `json:"tokens"`
	Masked      bool   `json:"masked"`
	Original    int    `json:"original_tokens,omitempty"`
	Summary     string `json:"summary,omitempty"`
	Content     string `json:"content"`
	// Bytes and More are set when Content is folded: its full length and
	// where the full text is.
	Bytes     int      `json:"content_bytes,omitempty"`
	More      string   `json:"more,omitempty"`
	ToolCalls []string `json:"tool_calls,omitempty"`
}

// viewParams reads the strategy and o/s/k from the query over the trial's.
func viewParams(q map[string][]string, p strategy.Params) (strategy.Params, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if v := get("strategy"); v != "" {
		p.Strategy = v
	}
	for _, f := range []struct {
		key string
		dst *int
	}{{"o", &p.ObsN}, {"n", &p.SumN}, {"k", &p.SumKeepM}} {
		if v := get(f.key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return p, fmt.Errorf("%w: %s=%q is not a number", errBadRequest, f.key, v)
			}
			*f.dst = n
		}
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return p, nil
}

func (s *Server) loadView(r *http.Request) (*traj.View, error) {
	q := r.URL.Query()
	t, row, err := s.lookup(r)
	if err != nil {
		return nil, err
	}
	d := s.trajOf(t, row)
	if d == nil {
		return nil, fmt.Errorf("%w: instance %s has no trajectory yet", errNotFound, row.ID)
	}
	if d.Err != nil {
		return nil, d.Err
	}
	f, err := d.File()
	if err != nil {
		return nil, fmt.Errorf("%w: no views of this trajectory: %v", errNotFound, err)
	}
	turn, err := strconv.Atoi(q.Get("turn"))
	if err != nil || turn < 1 || turn > len(f.Queries) {
		return nil, fmt.Errorf("%w: turn=%q: want 1-%d", errBadRequest, q.Get("turn"), len(f.Queries))
	}
	p, err := viewParams(q, t.Params())
	if err != nil {
		return nil, err
	}
	v, err := traj.Build(f, turn, p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadRequest, err)
	}
	return v, nil
}

func (s *Server) handleView(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadView(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	js, err := v.JSON()
	if err != nil {
		s.fail(w, err)
		return
	}
	// Parts of a big view, asked for one at a time.
	again := func(k, val string) string {
		q := r.URL.Query()
		q.Set(k, val)
		return "/api/view?" + q.Encode()
	}
	q := r.URL.Query()
	if q.Get("format") == "json" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(js)
		return
	}
	if m := q.Get("msg"); m != "" {
		i, err := strconv.Atoi(m)
		if err != nil || i < 0 || i >= len(v.Items) {
			s.fail(w, fmt.Errorf("%w: msg=%q: want a message 0-%d", errBadRequest, m, len(v.Items)-1))
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(v.Items[i].Content))
		return
	}
	total := 0
	for _, it := range v.Items {
		total += len(it.Content)
	}
	folding := total > viewBudget
	msgs := v.Messages()
	raw := v.File.History[:v.File.Queries[v.Turn-1]]
	out := viewJSON{Turn: v.Turn, Turns: len(v.File.Queries), Strategy: v.Params.Strategy, Tokens: llm.CountMessages(msgs),
		RawTokens: llm.CountMessages(raw), RawCount: len(raw), Notes: v.Notes, Summaries: []string{},
		Params: fmt.Sprintf("o=%d s=%d k=%d", v.Params.ObsN, v.Params.SumN, v.Params.SumKeepM)}
	for _, sm := range v.Summaries {
		line := fmt.Sprintf("S%d: turns %d-%d, made after turn %d, %s", sm.Index, sm.From, sm.To, sm.MadeAfter, sm.Source)
		if sm.Why != "" {
			line += ": " + sm.Why
		}
		out.Summaries = append(out.Summaries, line)
	}
	if len(js) <= viewBudget {
		out.JSON = string(js)
	} else {
		out.JSONURL = again("format", "json")
	}
	for i, it := range v.Items {
		m := viewMessage{Role: it.Role, MessageType: it.MessageType, Turn: it.Turn, Tokens: llm.CountMessages(msgs[i : i+1]),
			Masked: it.Masked, Content: it.Content}
		if folding && len(it.Content) > previewBytes {
			m.Content, _ = cutText(it.Content, previewBytes)
			m.Bytes, m.More = len(it.Content), again("msg", strconv.Itoa(i))
		}
		if it.Masked {
			orig := it.Message
			orig.Content = it.Original
			m.Original = llm.CountMessages([]agent.Message{orig})
		}
		if it.Summary != nil {
			m.Summary = fmt.Sprintf("S%d of turns %d-%d (%s)", it.Summary.Index, it.Summary.From, it.Summary.To, it.Summary.Source)
		}
		for _, c := range it.ToolCalls {
			m.ToolCalls = append(m.ToolCalls, c.Name+" "+c.Arguments)
		}
		out.Messages = append(out.Messages, m)
	}
	writeJSON(w, out)
}

// handleText serves one folded text in full, as plain text.
func (s *Server) handleText(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, row, err := s.lookup(r)
	if err != nil {
		s.fail(w, err)
		return
	}
	var out string
	switch what := q.Get("what"); what {
	case "testlog":
		b, err := os.ReadFile(filepath.Join(t.Dir, row.ID, "eval", "test_output.txt"))
		if err != nil {
			s.fail(w, fmt.Errorf("%w: no test log for %s", errNotFound, row.ID))
			return
		}
		out = string(b)
	case "thought", "observation":
		d := s.trajOf(t, row)
		if d == nil {
			s.fail(w, fmt.Errorf("%w: instance %s has no trajectory yet", errNotFound, row.ID))
			return
		}
		if d.Err != nil {
			s.fail(w, d.Err)
			return
		}
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n < 1 || n > d.NumSteps() {
			s.fail(w, fmt.Errorf("%w: n=%q: want a step 1-%d", errBadRequest, q.Get("n"), d.NumSteps()))
			return
		}
		st := d.step(n - 1)
		out = st.Observation
		if what == "thought" {
			out = st.Thought
		}
	default:
		s.fail(w, fmt.Errorf("%w: what=%q: want thought, observation or testlog", errBadRequest, what))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(out))
}
