package llm

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Replay is the offline model: it answers agent queries with the actions of
// a recorded trajectory, in order, whatever it is shown, and answers summary
// requests (queries without tools) with a deterministic text. Its token
// counts are computed from what it is actually sent, so strategies change
// its cost as they would a real model's.
type Replay struct {
	steps []replayStep
	// Latency is added to every call (a simulated provider delay).
	Latency time.Duration
}

type replayStep struct {
	thought string
	call    agent.ToolCall
}

// NewReplay reads a trajectory in the seed's .traj layout: the assistant
// items of "history" that carry a tool call, in order.
func NewReplay(traj []byte) (*Replay, error) {
	var doc struct {
		History []struct {
			Role      string `json:"role"`
			Content   any    `json:"content"`
			Thought   string `json:"thought"`
			ToolCalls []struct {
				ID       string `json:"id"`
				Function struct {
					Name      string `json:"name"`
					Arguments any    `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"history"`
	}
	if err := json.Unmarshal(traj, &doc); err != nil {
		return nil, fmt.Errorf("replay trajectory is not valid .traj JSON: %w", err)
	}
	r := &Replay{}
	for _, h := range doc.History {
		if h.Role != agent.RoleAssistant || len(h.ToolCalls) == 0 {
			continue
		}
		tc := h.ToolCalls[0]
		args, ok := tc.Function.Arguments.(string)
		if !ok {
			b, _ := json.Marshal(tc.Function.Arguments)
			args = string(b)
		}
		thought := h.Thought
		if thought == "" {
			if s, ok := h.Content.(string); ok {
				thought = s
			}
		}
		r.steps = append(r.steps, replayStep{thought: thought, call: agent.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: args}})
	}
	if len(r.steps) == 0 {
		return nil, fmt.Errorf("replay trajectory has no assistant tool calls to replay")
	}
	return r, nil
}

// Len is the number of recorded actions.
func (r *Replay) Len() int { return len(r.steps) }

// Complete implements Model.
func (r *Replay) Complete(ctx context.Context, req Request) (Response, error) {
	start := time.Now()
	if r.Latency > 0 {
		select {
		case <-time.After(r.Latency):
		case <-ctx.Done():
			return Response{}, ctx.Err()
		}
	}
	var resp Response
	if len(req.Tools) == 0 {
		resp.Content = replaySummary(req.Messages)
	} else {
		i := req.Turn - 1
		if i < 0 {
			i = 0
		}
		if i >= len(r.steps) {
			resp.Content = "The recorded trajectory has no more actions; submitting."
			resp.ToolCalls = []agent.ToolCall{{ID: fmt.Sprintf("replay_%d", req.Turn), Name: "submit", Arguments: "{}"}}
		} else {
			resp.Content = r.steps[i].thought
			resp.ToolCalls = []agent.ToolCall{r.steps[i].call}
		}
	}
	resp.Usage.Input = CountMessages(req.Messages)
	resp.Usage.Output = CountText(resp.Content)
	for _, c := range resp.ToolCalls {
		resp.Usage.Output += CountText(c.Name) + CountText(c.Arguments)
	}
	resp.Latency = time.Since(start)
	return resp, nil
}

// replaySummary is a deterministic stand-in summary whose size grows with
// the request, like a real model's would.
func replaySummary(msgs []agent.Message) string {
	h := sha256.New()
	lines := 0
	for _, m := range msgs {
		h.Write([]byte(m.Role + "\x00" + m.Content + "\x00"))
		lines += strings.Count(m.Content, "\n") + 1
	}
	return fmt.Sprintf("USER_CONTEXT: replayed task\nCOMPLETED: %d request lines condensed\nPENDING: continue with the recorded plan\nCURRENT_STATE: digest %x",
		lines, h.Sum(nil)[:6])
}
