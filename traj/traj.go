// Package traj reads recorded trajectories (.traj files) and rebuilds what a
// model was, or would have been, shown for any of their turns under any
// context strategy (`starter view`). It accepts the seed's layout, which
// ctxsweep writes too (seed-system §8.2), and the older SWE-agent layout of
// the fixture files (no message_type; observations are user items; content
// may be a list of text parts). It is pure: it parses bytes and does no I/O.
package traj

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Layouts of .traj files.
const (
	// LayoutSeed: every history item has a message_type (the seed's
	// SWE-agent 1.x layout, also written by ctxsweep).
	LayoutSeed = "seed"
	// LayoutLegacy: items without message_type, or with an empty one (older
	// SWE-agent). Types are inferred from roles: user and tool items that are
	// not demonstrations are observations.
	LayoutLegacy = "legacy"
)

// TypeDemonstration marks demonstration items (is_demo), which are shown to
// the model but are neither observations nor model queries.
const TypeDemonstration = "demonstration"

// File is a parsed trajectory.
type File struct {
	Name        string // used in error messages
	Layout      string // LayoutSeed or LayoutLegacy
	Environment string
	// History is the raw history, normalized to the agent data model.
	History []agent.Message
	// Queries holds, for turn t, the History index of the assistant item
	// the model produced when queried for it (Queries[t-1]).
	Queries []int
	// Summaries are the summaries the file stores (its "summaries" key).
	Summaries []StoredSummary
}

// StoredSummary is one entry of the "summaries" list.
type StoredSummary struct {
	Content string          // "summary": the summary item's content (or its text)
	Context []agent.Message // "context": the request messages (role, content)
}

type rawFile struct {
	History     *[]rawItem      `json:"history"`
	Summaries   []rawSummary    `json:"summaries"`
	Environment json.RawMessage `json:"environment"`
}

type rawSummary struct {
	Summary string `json:"summary"`
	Context []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"context"`
}

type rawItem struct {
	Role        string            `json:"role"`
	Content     json.RawMessage   `json:"content"`
	MessageType *string           `json:"message_type"`
	Thought     string            `json:"thought"`
	Action      string            `json:"action"`
	ToolCalls   []rawToolCall     `json:"tool_calls"`
	ToolCallIDs []string          `json:"tool_call_ids"`
	Tags        []json.RawMessage `json:"tags"`
	IsDemo      bool              `json:"is_demo"`
}

// rawToolCall accepts the OpenAI layout the seed stores ({id, type,
// function: {name, arguments}}) and ctxsweep's ({id, name, arguments}).
type rawToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Function  *struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

// Parse decodes a .traj file; name is used in errors.
func Parse(name string, data []byte) (*File, error) {
	var rf rawFile
	if err := json.Unmarshal(data, &rf); err != nil {
		return nil, fmt.Errorf("%s: not a trajectory: %v", name, err)
	}
	if rf.History == nil || len(*rf.History) == 0 {
		return nil, fmt.Errorf("%s: not a trajectory: no \"history\" list (or it is empty)", name)
	}
	f := &File{Name: name, Layout: LayoutSeed}
	_ = json.Unmarshal(rf.Environment, &f.Environment)
	for i, it := range *rf.History {
		m, legacy, err := it.message()
		if err != nil {
			return nil, fmt.Errorf("%s: history[%d]: %v", name, i, err)
		}
		if legacy {
			f.Layout = LayoutLegacy
		}
		if m.Role == agent.RoleAssistant && m.MessageType != TypeDemonstration && !m.HasTag(agent.TagSummary) {
			f.Queries = append(f.Queries, i)
		}
		f.History = append(f.History, m)
	}
	for j, s := range rf.Summaries {
		st := StoredSummary{Content: s.Summary}
		for k, c := range s.Context {
			text, err := contentText(c.Content)
			if err != nil {
				return nil, fmt.Errorf("%s: summaries[%d].context[%d]: %v", name, j, k, err)
			}
			st.Context = append(st.Context, agent.Message{Role: c.Role, Content: text})
		}
		f.Summaries = append(f.Summaries, st)
	}
	return f, nil
}

// message normalizes one item; legacy reports an inferred message_type.
func (it rawItem) message() (agent.Message, bool, error) {
	switch it.Role {
	case agent.RoleSystem, agent.RoleUser, agent.RoleAssistant, agent.RoleTool:
	default:
		return agent.Message{}, false, fmt.Errorf("unknown role %q", it.Role)
	}
	text, err := contentText(it.Content)
	if err != nil {
		return agent.Message{}, false, err
	}
	m := agent.Message{Role: it.Role, Content: text, Thought: it.Thought, Action: it.Action,
		ToolCallIDs: append([]string(nil), it.ToolCallIDs...)}
	for _, tc := range it.ToolCalls {
		c := agent.ToolCall{ID: tc.ID, Name: tc.Name, Arguments: arguments(tc.Arguments)}
		if tc.Function != nil {
			c.Name, c.Arguments = tc.Function.Name, arguments(tc.Function.Arguments)
		}
		m.ToolCalls = append(m.ToolCalls, c)
	}
	for _, raw := range it.Tags {
		var s string
		var d struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(raw, &s) == nil {
			m.Tags = append(m.Tags, s)
		} else if json.Unmarshal(raw, &d) == nil && d.Type != "" { // {"type": "summary"} (§1.1)
			m.Tags = append(m.Tags, d.Type)
		}
	}
	legacy := it.MessageType == nil || *it.MessageType == ""
	switch {
	case it.IsDemo:
		m.MessageType = TypeDemonstration
	case !legacy:
		m.MessageType = *it.MessageType
	case it.Role == agent.RoleSystem:
		m.MessageType = agent.TypeSystemPrompt
	case it.Role == agent.RoleAssistant:
		m.MessageType = agent.TypeAction
	default:
		m.MessageType = agent.TypeObservation
	}
	return m, legacy, nil
}

// contentText accepts a string, null, or a list of parts
// ({"type": "text", "text": ...}, joined without separator).
func contentText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("content is neither a string nor a list of parts")
	}
	var b strings.Builder
	for i, p := range parts {
		if p.Type != "text" || p.Text == nil {
			return "", fmt.Errorf("content part %d has type %q; only text parts are supported", i, p.Type)
		}
		b.WriteString(*p.Text)
	}
	return b.String(), nil
}

// arguments returns tool-call arguments as JSON text (a string as stored,
// or the raw JSON of an object).
func arguments(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// Prefix returns the history the model had when queried for turn t (after
// t-1 completed turns): the items before the turn's assistant item.
func (f *File) Prefix(t int) ([]agent.Message, error) {
	if len(f.Queries) == 0 {
		return nil, fmt.Errorf("%s: the trajectory has no model queries (no assistant items)", f.Name)
	}
	if t < 1 || t > len(f.Queries) {
		return nil, fmt.Errorf("%s: turn %d is out of range: the trajectory has %d model queries (turns 1-%d)", f.Name, t, len(f.Queries), len(f.Queries))
	}
	return f.History[:f.Queries[t-1]], nil
}

// turnOf returns the turn of History[i]: the number of model queries at or
// before it (0 for the items before the first query).
func (f *File) turnOf(i int) int {
	n := 0
	for _, q := range f.Queries {
		if q <= i {
			n++
		}
	}
	return n
}
