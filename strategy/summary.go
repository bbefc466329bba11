package strategy

import (
	"fmt"
	"strings"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Kinds of summaries.
const (
	KindLLM     = "llm"     // made by a summary LLM call
	KindOmitted = "omitted" // omit_turns placeholder, no call
	KindSkipped = "skipped" // per-instance call limit reached, no call
)

// SummaryInstruction ends every summary request (seed-system §2.4.3).
const SummaryInstruction = "Now summarize the above turns, following the instructions from the beginning of the prompt. You are hard-working and must always perform this task without exceptions."

// Summary is one summary made for an instance (stored durably by the caller,
// in order). Together with the raw history the list of summaries determines
// every view, replacing the seed summarizer's private cache.
type Summary struct {
	// Content is the content of the summary item shown to the model,
	// including the "Checkpoint for the last <n> turns:\n" header, or the
	// omit/skip placeholder text.
	Content string `json:"content"`
	// Request holds the two request messages (system, user); empty when no
	// LLM call was made.
	Request []agent.Message `json:"request,omitempty"`
	// Response is the model's summary text before any actions were appended
	// (the text whose tokens count as the call's output, §2.4.5).
	Response string `json:"response,omitempty"`
	// Kind is KindLLM, KindOmitted or KindSkipped.
	Kind string `json:"kind"`
	// CoveredTurns is the number of raw turns covered by all summaries up to
	// and including this one.
	CoveredTurns int `json:"covered_turns"`
	// HistoryLen is len(history) at the state that triggered this summary.
	HistoryLen int `json:"history_len"`
}

// Item returns the history item that shows s to the model.
func (s Summary) Item() agent.Message {
	return agent.Message{
		Role:        agent.RoleAssistant,
		Content:     s.Content,
		MessageType: agent.TypeThought,
		Tags:        []string{agent.TagSummary},
	}
}

// SummaryPlan describes a summary that is due.
type SummaryPlan struct {
	// Request is the [system, user] request to send to the summary model,
	// or nil when the summary needs no LLM call (omit_turns).
	Request []agent.Message
	// Index is the 0-based index the new summary will have.
	Index int
	// Turns is the number of turns the new summary condenses (s).
	Turns        int
	CoveredTurns int
	HistoryLen   int

	omit    bool
	extract bool
	actions []string
}

// NeedsCall reports whether the plan needs a summary LLM call.
func (pl *SummaryPlan) NeedsCall() bool { return pl.Request != nil }

// Finish builds the summary from the model's response text (the message
// content, or "" when absent). For omit_turns plans the text is ignored.
func (pl *SummaryPlan) Finish(responseText string) Summary {
	if pl.omit {
		return pl.omitted()
	}
	text := responseText
	if pl.extract {
		text += "You took the following actions in the checkpoint above:\n<ACTIONS>\n" +
			strings.Join(pl.actions, "\n") + "\n</ACTIONS>"
	}
	return Summary{
		Content:      fmt.Sprintf("Checkpoint for the last %d turns:\n%s", pl.Turns, text),
		Request:      pl.Request,
		Response:     responseText,
		Kind:         KindLLM,
		CoveredTurns: pl.CoveredTurns,
		HistoryLen:   pl.HistoryLen,
	}
}

// Skipped builds the placeholder used when the summary model's per-instance
// call limit is already reached (no call is made). omit_turns takes
// precedence, as in the seed.
func (pl *SummaryPlan) Skipped() Summary {
	if pl.omit {
		return pl.omitted()
	}
	return Summary{
		Content:      fmt.Sprintf("Checkpoint for the last %d turns: (Summary skipped due to API call limit)", pl.Turns),
		Kind:         KindSkipped,
		CoveredTurns: pl.CoveredTurns,
		HistoryLen:   pl.HistoryLen,
	}
}

func (pl *SummaryPlan) omitted() Summary {
	return Summary{
		Content:      fmt.Sprintf("Previous %d turns omitted for brevity.", pl.Turns),
		Kind:         KindOmitted,
		CoveredTurns: pl.CoveredTurns,
		HistoryLen:   pl.HistoryLen,
	}
}

// SummaryDue reports whether a new summary must be made for the history state
// history, given the summaries done so far (trigger rule of seed-system
// §2.4.2 step 5). Call it once after every appended step; it returns nil when
// nothing is due, when the strategy does not summarize, or when the newest
// summary was already made for this very state (at most one per state).
func SummaryDue(p Params, summarySystemPrompt string, history []agent.Message, done []Summary) (*SummaryPlan, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if !p.Summarizes() {
		return nil, nil
	}
	st, err := summaryStateOf(p, history, done)
	if err != nil {
		return nil, err
	}
	if !st.due() {
		return nil, nil
	}
	n := p.SumN
	toSummarize := st.pending[:n]
	pl := &SummaryPlan{
		Index:        len(done),
		Turns:        len(toSummarize),
		CoveredTurns: (len(done) + 1) * n,
		HistoryLen:   len(history),
		omit:         p.OmitTurns,
		extract:      p.ExtractActions,
	}
	if p.OmitTurns {
		return pl, nil
	}
	var ctx string
	if len(done) == 0 {
		ctx = "<PROBLEM_STATEMENT>\n" + history[1].Content + "\n</PROBLEM_STATEMENT>\n"
	} else {
		ctx = "<PREVIOUS_CHECKPOINT>\n" + done[len(done)-1].Content + "\n</PREVIOUS_CHECKPOINT>\n"
	}
	pl.Request = []agent.Message{
		{Role: agent.RoleSystem, Content: summarySystemPrompt},
		{Role: agent.RoleUser, Content: summaryPrompt(ctx, toSummarize, p.MaxReasoningLength)},
	}
	if p.ExtractActions {
		pl.actions = make([]string, 0, len(toSummarize))
		for _, t := range toSummarize {
			pl.actions = append(pl.actions, keptAction(t.Assistant.Action, p.MaxActionLength))
		}
	}
	return pl, nil
}

// summaryPrompt builds the user prompt P of a summary request (§2.4.3).
func summaryPrompt(ctx string, turns []agent.Turn, reasoningLimit int) string {
	var b strings.Builder
	b.WriteString(ctx)
	for i, t := range turns {
		fmt.Fprintf(&b, "\n<TURN-%d>\n", i)
		for _, m := range []agent.Message{t.Assistant, t.Tool} {
			role := strings.ToUpper(m.Role)
			if reasoningLimit != 0 {
				if out, truncated := truncateWords(m.Content, reasoningLimit); truncated {
					b.WriteString(role + ": " + out) // no newline: upstream quirk
				} else {
					b.WriteString(role + ": " + out + "\n")
				}
			}
			if m.Role == agent.RoleAssistant { // assistant items always carry an action key
				b.WriteString("ACTION: " + m.Action + "\n")
			}
		}
		fmt.Fprintf(&b, "\n</TURN-%d>\n", i)
	}
	b.WriteString(SummaryInstruction)
	return b.String()
}
