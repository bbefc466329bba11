package traj

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
)

// Counter counts the prompt tokens of messages (llm.CountMessages).
type Counter func([]agent.Message) int

type wireCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type wireMessage struct {
	Role       string     `json:"role"`
	Content    string     `json:"content"`
	ToolCalls  []wireCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
}

// JSON returns the message list as a chat-completions request carries it:
// role and content, plus tool_calls on assistant items that made function
// calls and tool_call_id on tool items.
func (v *View) JSON() ([]byte, error) {
	out := make([]wireMessage, len(v.Items))
	for i, it := range v.Items {
		w := wireMessage{Role: it.Role, Content: it.Content}
		for _, c := range it.ToolCalls {
			wc := wireCall{ID: c.ID, Type: "function"}
			wc.Function.Name, wc.Function.Arguments = c.Name, c.Arguments
			w.ToolCalls = append(w.ToolCalls, wc)
		}
		if it.Role == agent.RoleTool && len(it.ToolCallIDs) > 0 {
			w.ToolCallID = it.ToolCallIDs[0]
		}
		out[i] = w
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Render writes the view for people: a header, then one block per message
// with role, message_type, turn, token count and what was masked or
// summarised, followed by the content.
func (v *View) Render(w io.Writer, count Counter) error {
	return v.render(w, count, false)
}

// render with brief set prints no content for items shown unchanged from
// the raw history, only their index (the golden tests' compact form).
func (v *View) render(w io.Writer, count Counter, brief bool) error {
	var b strings.Builder
	f := v.File
	raw := f.History[:f.Queries[v.Turn-1]]
	fmt.Fprintf(&b, "trajectory  %s (%s layout, %d model queries)\n", f.Name, f.Layout, len(f.Queries))
	fmt.Fprintf(&b, "query       turn %d (after %d completed turns)\n", v.Turn, v.Turn-1)
	fmt.Fprintf(&b, "strategy    %s\n", describe(v.Params))
	for _, s := range v.Summaries {
		fmt.Fprintf(&b, "summary     S%d: turns %d-%d, made after turn %d, %s", s.Index, s.From, s.To, s.MadeAfter, s.Source)
		if s.Why != "" {
			fmt.Fprintf(&b, ": %s", s.Why)
		}
		b.WriteString("\n")
	}
	msgs := v.Messages()
	fmt.Fprintf(&b, "view        %d messages, %d tokens (raw history: %d messages, %d tokens)\n",
		len(msgs), count(msgs), len(raw), count(raw))
	for _, n := range v.Notes {
		fmt.Fprintf(&b, "note        %s\n", n)
	}
	for i, it := range v.Items {
		fmt.Fprintf(&b, "\n=== [%d] %s · %s", i, it.Role, it.MessageType)
		if it.Turn > 0 {
			fmt.Fprintf(&b, " · turn %d", it.Turn)
		}
		fmt.Fprintf(&b, " · %d tokens", count(msgs[i:i+1]))
		switch {
		case it.Masked:
			orig := it.Message
			orig.Content = it.Original
			fmt.Fprintf(&b, " · MASKED: original %d lines, %d tokens", strategy.LineCount(it.Original), count([]agent.Message{orig}))
		case it.Summary != nil:
			fmt.Fprintf(&b, " · SUMMARY S%d of turns %d-%d (%s)", it.Summary.Index, it.Summary.From, it.Summary.To, it.Summary.Source)
		}
		if brief && it.Raw >= 0 && !it.Masked {
			fmt.Fprintf(&b, " · = history[%d]\n", it.Raw)
			continue
		}
		b.WriteString("\n")
		b.WriteString(it.Content)
		if !strings.HasSuffix(it.Content, "\n") {
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// describe names the strategy and the hyper-parameters it uses.
func describe(p strategy.Params) string {
	sum := fmt.Sprintf("s=%d k=%d static_checkpoint=%v seed_compat=%v extract_actions=%v max_action_length=%d max_reasoning_length=%d omit_turns=%v",
		p.SumN, p.SumKeepM, p.StaticCheckpoint, p.SeedCompat, p.ExtractActions, p.MaxActionLength, p.MaxReasoningLength, p.OmitTurns)
	switch p.Strategy {
	case strategy.ObservationMasking:
		return fmt.Sprintf("%s o=%d", p.Strategy, p.ObsN)
	case strategy.ObservationMaskingCached:
		return fmt.Sprintf("%s o=%d (mask moves every %d observations)", p.Strategy, p.ObsN, p.ObsN)
	case strategy.LLMSummary:
		return p.Strategy + " " + sum
	case strategy.Hybrid:
		return fmt.Sprintf("%s o=%d %s", p.Strategy, p.ObsN, sum)
	}
	return p.Strategy
}
