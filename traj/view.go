package traj

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
)

// Sources of the summaries in a view.
const (
	SourceStored      = "stored"      // the file's summary, its request matching
	SourcePlaceholder = "placeholder" // no matching stored summary: marked text, no LLM call
	SourceOmitted     = "omitted"     // omit_turns: no LLM call by design
	SourceSkipped     = "skipped"     // stored as skipped (call limit reached)
)

// SummaryInfo describes one summary made before the viewed query.
type SummaryInfo struct {
	Index     int    // 1-based
	From, To  int    // the raw turns it covers
	MadeAfter int    // completed turns when it was made
	Source    string // SourceStored, SourcePlaceholder, SourceOmitted or SourceSkipped
	Why       string // for placeholders: why no stored summary was used
	summary   strategy.Summary
}

// Item is one message of a view with what was done to it.
type Item struct {
	agent.Message
	Turn     int          // turn of the raw item shown (0: system, demonstration, instance, summary)
	Raw      int          // index of the raw history item shown, -1 for summaries
	Masked   bool         // content replaced by the masking placeholder
	Original string       // masked: the original content
	Summary  *SummaryInfo // summary items
}

// View is what the model sees when queried for Turn under Params.
type View struct {
	File      *File
	Turn      int
	Params    strategy.Params
	Items     []Item
	Summaries []SummaryInfo // every summary made before the query, shown or not
	Notes     []string
}

// PlaceholderText is the text of a summary that the file does not store.
func PlaceholderText(index, from, to int) string {
	return fmt.Sprintf("[PLACEHOLDER - summary %d of turns %d-%d is not stored in this trajectory; `starter view` makes no LLM call]", index, from, to)
}

// Build returns the view of f for the query of turn t under p. Summaries
// are made at the states the seed makes them (after every completed turn),
// taken from the file when their request matches, else placeholders.
func Build(f *File, t int, p strategy.Params) (*View, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %v", f.Name, err)
	}
	prefix, err := f.Prefix(t)
	if err != nil {
		return nil, err
	}
	v := &View{File: f, Turn: t, Params: p}
	var done []strategy.Summary
	if p.Summarizes() {
		sys := summarySystemPrompt(f)
		for q := 1; q <= t; q++ {
			h, _ := f.Prefix(q)
			plan, err := strategy.SummaryDue(p, sys, h, done)
			if err != nil {
				return nil, fmt.Errorf("%s: turn %d: %v", f.Name, q, err)
			}
			if plan == nil {
				continue
			}
			info := f.resolve(plan, q-1)
			done = append(done, info.summary)
			v.Summaries = append(v.Summaries, info)
		}
		if !hasTool(f.History) {
			v.Notes = append(v.Notes, "this file's observations are user items (no function calling); the seed's summarizer counts only tool observations as turns (seed-system §1.2), so no summary is ever made")
		}
	} else if len(f.Summaries) > 0 {
		v.Notes = append(v.Notes, fmt.Sprintf("the file stores %d summaries; %s does not use them", len(f.Summaries), p.Strategy))
	}
	msgs, err := strategy.View(p, prefix, done)
	if err != nil {
		return nil, fmt.Errorf("%s: turn %d: %v", f.Name, t, err)
	}
	unmasked := msgs
	if p.Masks() {
		u := p
		u.Strategy = strategy.Raw
		if p.Summarizes() {
			u.Strategy = strategy.LLMSummary
		}
		if unmasked, err = strategy.View(u, prefix, done); err != nil || len(unmasked) != len(msgs) {
			return nil, fmt.Errorf("%s: turn %d: unmasked view: %v", f.Name, t, err)
		}
	}
	next := 0
	for i, m := range msgs {
		it := Item{Message: m, Raw: -1}
		if m.Content != unmasked[i].Content {
			it.Masked, it.Original = true, unmasked[i].Content
		}
		if j := findFrom(prefix, next, unmasked[i]); j >= 0 {
			it.Raw, it.Turn, next = j, f.turnOf(j), j+1
		} else if m.HasTag(agent.TagSummary) {
			for k := range v.Summaries {
				if v.Summaries[k].summary.Content == m.Content {
					it.Summary = &v.Summaries[k]
				}
			}
		}
		v.Items = append(v.Items, it)
	}
	return v, nil
}

// Messages returns the view's message list.
func (v *View) Messages() []agent.Message {
	out := make([]agent.Message, len(v.Items))
	for i, it := range v.Items {
		out[i] = it.Message
	}
	return out
}

// resolve turns a due summary into the stored one when its request matches,
// else into a marked placeholder; madeAfter is the completed turn count.
func (f *File) resolve(plan *strategy.SummaryPlan, madeAfter int) SummaryInfo {
	info := SummaryInfo{Index: plan.Index + 1, From: plan.CoveredTurns - plan.Turns + 1, To: plan.CoveredTurns, MadeAfter: madeAfter}
	if !plan.NeedsCall() {
		info.Source, info.summary = SourceOmitted, plan.Finish("")
		return info
	}
	if plan.Index >= len(f.Summaries) {
		info.Source, info.Why = SourcePlaceholder, fmt.Sprintf("the file stores %d summaries", len(f.Summaries))
		info.summary = plan.Finish(PlaceholderText(info.Index, info.From, info.To))
		return info
	}
	st := f.Summaries[plan.Index]
	switch {
	case len(st.Context) == 0 && st.Content == plan.Skipped().Content:
		info.Source, info.summary = SourceSkipped, plan.Skipped()
	case sameRequest(st.Context, plan.Request):
		info.Source, info.summary = SourceStored, plan.Finish(summaryText(st.Content, plan.Turns))
	default:
		info.Source, info.Why = SourcePlaceholder, fmt.Sprintf("stored summary %d was made from a different request (other hyper-parameters, or an earlier summary is a placeholder)", info.Index)
		info.summary = plan.Finish(PlaceholderText(info.Index, info.From, info.To))
	}
	return info
}

// summaryText recovers the summarizer's response from a stored summary:
// without the checkpoint header and any appended actions, which Finish adds
// again as the viewed parameters ask.
func summaryText(stored string, turns int) string {
	header := fmt.Sprintf("Checkpoint for the last %d turns:\n", turns)
	if !strings.HasPrefix(stored, header) {
		return stored
	}
	text := strings.TrimPrefix(stored, header)
	const actions = "You took the following actions in the checkpoint above:\n<ACTIONS>\n"
	if i := strings.LastIndex(text, actions); i >= 0 && strings.HasSuffix(text, "\n</ACTIONS>") {
		text = text[:i]
	}
	return text
}

func sameRequest(stored, req []agent.Message) bool {
	if len(stored) != len(req) {
		return false
	}
	for i := range req {
		if stored[i].Role != req[i].Role || stored[i].Content != req[i].Content {
			return false
		}
	}
	return true
}

// summarySystemPrompt is the system message of the file's summary requests,
// so that requests rebuilt here can match them.
func summarySystemPrompt(f *File) string {
	for _, s := range f.Summaries {
		if len(s.Context) > 0 && s.Context[0].Role == agent.RoleSystem {
			return s.Context[0].Content
		}
	}
	return ""
}

func hasTool(h []agent.Message) bool {
	for _, m := range h {
		if m.Role == agent.RoleTool {
			return true
		}
	}
	return false
}

// findFrom returns the index of the first item of h at or after from that
// equals m, or -1.
func findFrom(h []agent.Message, from int, m agent.Message) int {
	for j := from; j < len(h); j++ {
		if reflect.DeepEqual(normalize(h[j]), normalize(m)) {
			return j
		}
	}
	return -1
}

// normalize maps empty slices to nil so that clones compare equal.
func normalize(m agent.Message) agent.Message {
	if len(m.ToolCalls) == 0 {
		m.ToolCalls = nil
	}
	if len(m.ToolCallIDs) == 0 {
		m.ToolCallIDs = nil
	}
	if len(m.Tags) == 0 {
		m.Tags = nil
	}
	return m
}
