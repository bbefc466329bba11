package strategy

import (
	"fmt"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Turns enumerates the turns of a history (seed-system §1.2): every tool item
// paired with the item right before it. A tool item at index 0, or one not
// preceded by an assistant item, is an error; pairs whose assistant item is a
// summary are skipped. Items with role user never form turns.
func Turns(history []agent.Message) ([]agent.Turn, error) {
	var turns []agent.Turn
	for i, m := range history {
		if m.Role != agent.RoleTool {
			continue
		}
		if i == 0 {
			return nil, fmt.Errorf("strategy: tool item at index 0 has no preceding assistant item")
		}
		prev := history[i-1]
		if prev.Role != agent.RoleAssistant {
			return nil, fmt.Errorf("strategy: tool item at index %d is preceded by a %q item, want %q", i, prev.Role, agent.RoleAssistant)
		}
		if prev.HasTag(agent.TagSummary) {
			continue
		}
		turns = append(turns, agent.Turn{Assistant: prev, Tool: m})
	}
	return turns, nil
}

// flatten lists the items of turns in order (assistant, tool, assistant, …).
func flatten(turns []agent.Turn) []agent.Message {
	out := make([]agent.Message, 0, 2*len(turns))
	for _, t := range turns {
		out = append(out, t.Assistant, t.Tool)
	}
	return out
}

// clone copies m and its slices so the result shares no memory with m.
func clone(m agent.Message) agent.Message {
	m.ToolCalls = append([]agent.ToolCall(nil), m.ToolCalls...)
	m.ToolCallIDs = append([]string(nil), m.ToolCallIDs...)
	m.Tags = append([]string(nil), m.Tags...)
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

func cloneAll(ms []agent.Message) []agent.Message {
	out := make([]agent.Message, len(ms))
	for i, m := range ms {
		out[i] = clone(m)
	}
	return out
}
