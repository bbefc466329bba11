package demo

import (
	"encoding/json"
	"fmt"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Traj is the subset of the seed's .traj layout (seed-system §8.2) that the
// demo trajectories carry. Trajectory steps omit the per-step "messages"
// snapshot, which for the raw strategy equals the history prefix.
type Traj struct {
	Trajectory  []TrajStep        `json:"trajectory"`
	History     []TrajItem        `json:"history"`
	Info        TrajInfo          `json:"info"`
	Summaries   []json.RawMessage `json:"summaries"` // always null here
	Environment string            `json:"environment"`
}

// TrajItem is one raw history item (seed-system §1.1).
type TrajItem struct {
	Role        string         `json:"role"`
	Content     string         `json:"content"`
	MessageType string         `json:"message_type"`
	Agent       string         `json:"agent,omitempty"`
	Thought     string         `json:"thought,omitempty"`
	Action      string         `json:"action,omitempty"`
	ToolCalls   []TrajToolCall `json:"tool_calls,omitempty"`
	ToolCallIDs []string       `json:"tool_call_ids,omitempty"`
}

// TrajToolCall is a tool call in the OpenAI layout the seed stores.
type TrajToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function TrajFunction `json:"function"`
}

// TrajFunction names the called tool and carries its JSON arguments text.
type TrajFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// TrajStep is one entry of the "trajectory" list.
type TrajStep struct {
	Action        string            `json:"action"`
	Observation   string            `json:"observation"`
	Response      string            `json:"response"`
	Thought       string            `json:"thought"`
	ExecutionTime float64           `json:"execution_time"`
	State         map[string]string `json:"state"`
	ExtraInfo     map[string]any    `json:"extra_info"`
}

// TrajInfo is the "info" object.
type TrajInfo struct {
	Submission        *string     `json:"submission"`
	ExitStatus        string      `json:"exit_status"`
	ModelStats        ModelStats  `json:"model_stats"`
	AgentModelStats   ModelStats  `json:"agent_model_stats"`
	SummaryModelStats *ModelStats `json:"summary_model_stats"`
}

// ModelStats are the seed's per-instance model statistics.
type ModelStats struct {
	InstanceCost float64    `json:"instance_cost"`
	Tokens       TokenStats `json:"tokens"`
	APICalls     int        `json:"api_calls"`
}

// TokenStats counts tokens by kind.
type TokenStats struct {
	RawInput          int `json:"raw_input"`
	CachedInput       int `json:"cached_input"`
	Output            int `json:"output"`
	InternalReasoning int `json:"internal_reasoning"`
}

// ParseTraj decodes a .traj file and checks the turn structure of its
// history (seed-system §1.2).
func ParseTraj(data []byte) (*Traj, error) {
	var t Traj
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("demo: parsing trajectory: %w", err)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

// Validate checks that the history starts with the system and instance
// messages and then alternates assistant items carrying exactly one tool
// call with the tool items answering them.
func (t *Traj) Validate() error {
	h := t.History
	if len(h) < 2 || h[0].Role != agent.RoleSystem || h[1].Role != agent.RoleUser {
		return fmt.Errorf("demo: trajectory history must start with system and user items")
	}
	if (len(h)-2)%2 != 0 {
		return fmt.Errorf("demo: trajectory history has an unanswered assistant item")
	}
	for i := 2; i < len(h); i += 2 {
		a, o := h[i], h[i+1]
		if a.Role != agent.RoleAssistant || a.MessageType != agent.TypeAction || len(a.ToolCalls) != 1 {
			return fmt.Errorf("demo: history[%d] is not an assistant action with one tool call", i)
		}
		if o.Role != agent.RoleTool || o.MessageType != agent.TypeObservation ||
			len(o.ToolCallIDs) != 1 || o.ToolCallIDs[0] != a.ToolCalls[0].ID {
			return fmt.Errorf("demo: history[%d] does not answer tool call %q", i+1, a.ToolCalls[0].ID)
		}
		if !json.Valid([]byte(a.ToolCalls[0].Function.Arguments)) {
			return fmt.Errorf("demo: history[%d] has invalid tool arguments", i)
		}
	}
	return nil
}

// Turns returns the number of (assistant, tool) pairs in the history.
func (t *Traj) Turns() int { return max(0, (len(t.History)-2)/2) }

// Messages converts the history to the agent's data model.
func (t *Traj) Messages() []agent.Message {
	msgs := make([]agent.Message, len(t.History))
	for i, it := range t.History {
		m := agent.Message{
			Role:        it.Role,
			Content:     it.Content,
			MessageType: it.MessageType,
			Thought:     it.Thought,
			Action:      it.Action,
			ToolCallIDs: append([]string(nil), it.ToolCallIDs...),
		}
		for _, tc := range it.ToolCalls {
			m.ToolCalls = append(m.ToolCalls, agent.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
		}
		msgs[i] = m
	}
	return msgs
}
