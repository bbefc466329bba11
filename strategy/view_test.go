package strategy

import (
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
)

func TestTurns(t *testing.T) {
	summary := agent.Message{Role: agent.RoleAssistant, Content: "Checkpoint", MessageType: agent.TypeThought, Tags: []string{agent.TagSummary}}
	user := agent.Message{Role: agent.RoleUser, Content: "Exited", MessageType: agent.TypeObservation}
	h := append(synthHistory(2), summary, toolMsg("odd", "x"), assistantMsg("bye", "exit", "c9"), user)
	turns, err := Turns(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(turns) != 2 || turns[0].Assistant.Action != "cmd_1 --flag" || turns[1].Tool.Content != obsContent(2) {
		t.Errorf("turns = %+v", turns)
	}

	errCases := map[string][]agent.Message{
		"index 0":         {toolMsg("x", "c")},
		"after user item": {sysMsg(), instMsg("i"), toolMsg("x", "c")},
		"after tool item": append(synthHistory(1), toolMsg("x", "c")),
	}
	for name, h := range errCases {
		if _, err := Turns(h); err == nil {
			t.Errorf("%s: no error", name)
		}
		if _, err := View(Defaults(LLMSummary), h, nil); err == nil {
			t.Errorf("%s: View accepted a malformed history", name)
		}
	}
}

// After the first summary only assistant/tool pairs are shown; items that
// are not turns (here an exit step with a user observation) disappear, as in
// the seed. Before it the history is shown unchanged.
func TestSummaryViewDropsNonTurnItems(t *testing.T) {
	p := smallParams()
	exit := []agent.Message{assistantMsg("give up", "exit", "c9"),
		{Role: agent.RoleUser, Content: "Exited", MessageType: agent.TypeObservation}}

	before := append(smallHistory(2), exit...)
	v, err := View(p, before, nil)
	if err != nil || len(v) != 8 || v[7].Content != "Exited" {
		t.Fatalf("before first summary: %v\n%s", err, render(v))
	}

	s1 := mustPlan(t, p, smallHistory(3), nil).Finish("S1")
	after := append(smallHistory(3), exit...)
	if plan, err := SummaryDue(p, "x", after, []Summary{s1}); plan != nil || err != nil {
		t.Fatalf("non-turn step triggered: %+v %v", plan, err)
	}
	v, err = View(p, after, []Summary{s1})
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 5 || v[2].Content != s1.Content || v[3].Action != "edit 1:1" || v[4].Content != "done" {
		t.Errorf("after first summary:\n%s", render(v))
	}
}

// A state without a new turn after a trigger is a later state: in seed mode
// it shows all summaries again (the quirk is per history state, not per turn).
func TestStaticQuirkIsPerState(t *testing.T) {
	p := smallParams() // s=2, k=1: summaries at T=3 and T=5
	s1 := mustPlan(t, p, smallHistory(3), nil).Finish("S1")
	s2 := mustPlan(t, p, smallHistory(5), []Summary{s1}).Finish("S2")
	done := []Summary{s1, s2}
	user := agent.Message{Role: agent.RoleUser, Content: "note", MessageType: agent.TypeObservation}

	count := func(v []agent.Message) int {
		n := 0
		for _, m := range v {
			if m.HasTag(agent.TagSummary) {
				n++
			}
		}
		return n
	}
	at, _ := View(p, smallHistory(5), done)
	later, err := View(p, append(smallHistory(5), assistantMsg("hm", "x", "c"), user), done)
	if err != nil {
		t.Fatal(err)
	}
	if count(at) != 1 || at[2].Content != s2.Content || count(later) != 2 {
		t.Errorf("at trigger %d summaries, later %d; want 1 and 2", count(at), count(later))
	}
	p.SeedCompat = false
	later, _ = View(p, append(smallHistory(5), assistantMsg("hm", "x", "c"), user), done)
	if count(later) != 1 || later[2].Content != s2.Content {
		t.Errorf("corrected: %d summaries", count(later))
	}
}

func TestViewErrors(t *testing.T) {
	p := smallParams()
	s1 := mustPlan(t, p, smallHistory(3), nil).Finish("S1")
	cases := []struct {
		name string
		p    Params
		h    []agent.Message
		done []Summary
		want string
	}{
		{"summary due but not made", p, smallHistory(3), nil, "is due"},
		{"second summary due", p, smallHistory(5), []Summary{s1}, "summary 2 is due"},
		{"summaries for masking", Defaults(ObservationMasking), smallHistory(3), []Summary{s1}, "makes no summaries"},
		{"summary newer than history", p, smallHistory(2), []Summary{s1}, "do not fit"},
		{"parameters changed", func() Params { q := p; q.SumN = 3; return q }(), smallHistory(5), []Summary{s1}, "covers 2 turns, want 3"},
		{"invalid params", Params{Strategy: "nope"}, smallHistory(1), nil, "unknown strategy"},
	}
	for _, c := range cases {
		_, err := View(c.p, c.h, c.done)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// The summary made for this exact state is accepted, and SummaryDue
	// does not ask for another one.
	if _, err := View(p, smallHistory(3), []Summary{s1}); err != nil {
		t.Errorf("view at trigger state: %v", err)
	}
	if plan, err := SummaryDue(p, "x", smallHistory(3), []Summary{s1}); plan != nil || err != nil {
		t.Errorf("SummaryDue repeated at the same state: %+v, %v", plan, err)
	}
}
