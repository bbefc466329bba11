// Package agent holds the pure data model of one agent run: history items,
// turns, actions, limits and exit statuses. It has no I/O.
package agent

// Roles of history items.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
	RoleTool      = "tool"
)

// Message types (the seed's message_type field).
const (
	TypeSystemPrompt = "system_prompt"
	TypeObservation  = "observation"
	TypeAction       = "action"
	TypeThought      = "thought"
)

// TagSummary marks synthetic summary items; TagKeepOutput and TagRemoveOutput
// are the masking processor's override tags.
const (
	TagSummary      = "summary"
	TagKeepOutput   = "keep_output"
	TagRemoveOutput = "remove_output"
)

// ToolCall is one function call requested by the model.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"` // JSON object text, as the model sent it
}

// Message is one history item, as the seed stores it (seed-system §1.1).
type Message struct {
	Role        string     `json:"role"`
	Content     string     `json:"content"`
	MessageType string     `json:"message_type"`
	Thought     string     `json:"thought,omitempty"`
	Action      string     `json:"action,omitempty"`
	ToolCalls   []ToolCall `json:"tool_calls,omitempty"`
	ToolCallIDs []string   `json:"tool_call_ids,omitempty"`
	Tags        []string   `json:"tags,omitempty"`
}

// HasTag reports whether m carries tag.
func (m Message) HasTag(tag string) bool {
	for _, t := range m.Tags {
		if t == tag {
			return true
		}
	}
	return false
}

// Turn is an (assistant, tool) pair of the raw history.
type Turn struct {
	Assistant Message
	Tool      Message
}
