package strategy

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
)

const (
	smallInst = "Fix the bug.\nIt crashes."
	tool1     = "a.py\nb.py\n(Open file: n/a)\n(Current directory: /testbed)\nbash-$"
	tool2     = "[File: a.py]\n1:x = 1\n(Open file: /testbed/a.py)\n(Current directory: /testbed)\nbash-$"
)

// smallHistory has hand-written turns: 1 "ls -la", 2 "open a.py", 3…
func smallHistory(turns int) []agent.Message {
	h := []agent.Message{sysMsg(), instMsg(smallInst),
		assistantMsg("Let me look at the files", "ls -la", "c1"), toolMsg(tool1, "c1"),
		assistantMsg("Open a.py", "open a.py", "c2"), toolMsg(tool2, "c2"),
		assistantMsg("Edit it now", "edit 1:1", "c3"), toolMsg("done", "c3"),
		assistantMsg("Run tests", "pytest", "c4"), toolMsg("1 passed", "c4"),
		assistantMsg("Submit", "submit", "c5"), toolMsg("diff", "c5"),
	}
	return h[:2+2*turns]
}

func smallParams() Params {
	p := Defaults(LLMSummary)
	p.SumN, p.SumKeepM = 2, 1
	return p
}

func mustPlan(t *testing.T, p Params, h []agent.Message, done []Summary) *SummaryPlan {
	t.Helper()
	plan, err := SummaryDue(p, "SYS PROMPT", h, done)
	if err != nil || plan == nil {
		t.Fatalf("SummaryDue = %v, %v; want a plan", plan, err)
	}
	return plan
}

func TestSummaryRequestText(t *testing.T) {
	first := "<PROBLEM_STATEMENT>\nFix the bug.\nIt crashes.\n</PROBLEM_STATEMENT>\n"
	cases := []struct {
		name      string
		reasoning int
		want      string
	}{
		{"unlimited", -1, first +
			"\n<TURN-0>\nASSISTANT: Let me look at the files\nACTION: ls -la\nTOOL: " + tool1 + "\n\n</TURN-0>\n" +
			"\n<TURN-1>\nASSISTANT: Open a.py\nACTION: open a.py\nTOOL: " + tool2 + "\n\n</TURN-1>\n" + SummaryInstruction},
		// Truncated entries get no newline (upstream quirk); the limit also
		// applies to tool output; "Open a.py" has 2 ≤ 3 words and is kept.
		{"three words", 3, first +
			"\n<TURN-0>\nASSISTANT: Let me look...ACTION: ls -la\nTOOL: a.py\nb.py\n(Open file: n/a)\n(Current...\n</TURN-0>\n" +
			"\n<TURN-1>\nASSISTANT: Open a.py\nACTION: open a.py\nTOOL: [File: a.py]\n1:x =...\n</TURN-1>\n" + SummaryInstruction},
		{"zero drops contents", 0, first +
			"\n<TURN-0>\nACTION: ls -la\n\n</TURN-0>\n\n<TURN-1>\nACTION: open a.py\n\n</TURN-1>\n" + SummaryInstruction},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := smallParams()
			p.MaxReasoningLength = c.reasoning
			plan := mustPlan(t, p, smallHistory(3), nil)
			want := []agent.Message{{Role: "system", Content: "SYS PROMPT"}, {Role: "user", Content: c.want}}
			if !reflect.DeepEqual(plan.Request, want) {
				t.Errorf("request user text\n got %q\nwant %q", plan.Request[1].Content, c.want)
			}
			if !plan.NeedsCall() || plan.Index != 0 || plan.Turns != 2 || plan.CoveredTurns != 2 || plan.HistoryLen != 8 {
				t.Errorf("plan fields: %+v", plan)
			}
		})
	}
}

func TestLaterSummaryRequest(t *testing.T) {
	p := smallParams()
	s1 := mustPlan(t, p, smallHistory(3), nil).Finish("S1 text")
	done := []Summary{s1}
	for T := 3; T <= 4; T++ {
		if plan, err := SummaryDue(p, "SYS PROMPT", smallHistory(T), done); plan != nil || err != nil {
			t.Fatalf("T=%d: unexpected plan %+v, %v", T, plan, err)
		}
	}
	plan := mustPlan(t, p, smallHistory(5), done)
	want := "<PREVIOUS_CHECKPOINT>\nCheckpoint for the last 2 turns:\nS1 text\n</PREVIOUS_CHECKPOINT>\n" +
		"\n<TURN-0>\nASSISTANT: Edit it now\nACTION: edit 1:1\nTOOL: done\n\n</TURN-0>\n" +
		"\n<TURN-1>\nASSISTANT: Run tests\nACTION: pytest\nTOOL: 1 passed\n\n</TURN-1>\n" + SummaryInstruction
	if got := plan.Request[1].Content; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if plan.Index != 1 || plan.CoveredTurns != 4 {
		t.Errorf("plan index %d covered %d", plan.Index, plan.CoveredTurns)
	}
}

func TestFinishExtractActions(t *testing.T) {
	cases := []struct {
		extract bool
		limit   int
		want    string
	}{
		{false, 1, "Checkpoint for the last 2 turns:\nThe agent listed files."},
		{true, -1, "Checkpoint for the last 2 turns:\nThe agent listed files.You took the following actions in the checkpoint above:\n<ACTIONS>\nls -la\nopen a.py\n</ACTIONS>"},
		{true, 1, "Checkpoint for the last 2 turns:\nThe agent listed files.You took the following actions in the checkpoint above:\n<ACTIONS>\nls...\nopen...\n</ACTIONS>"},
		{true, 2, "Checkpoint for the last 2 turns:\nThe agent listed files.You took the following actions in the checkpoint above:\n<ACTIONS>\nls -la\nopen a.py\n</ACTIONS>"},
		{true, 0, "Checkpoint for the last 2 turns:\nThe agent listed files.You took the following actions in the checkpoint above:\n<ACTIONS>\n\n\n</ACTIONS>"},
	}
	for _, c := range cases {
		p := smallParams()
		p.ExtractActions, p.MaxActionLength = c.extract, c.limit
		plan := mustPlan(t, p, smallHistory(3), nil)
		s := plan.Finish("The agent listed files.")
		if s.Content != c.want {
			t.Errorf("extract=%v limit=%d:\n got %q\nwant %q", c.extract, c.limit, s.Content, c.want)
		}
		if s.Response != "The agent listed files." || s.Kind != KindLLM || len(s.Request) != 2 {
			t.Errorf("summary fields: %+v", s)
		}
		if strings.Contains(s.Request[1].Content, "<ACTIONS>") {
			t.Error("actions leaked into the request")
		}
	}
}

func TestOmitAndSkipped(t *testing.T) {
	p := smallParams()
	p.OmitTurns = true
	h := smallHistory(3)
	plan := mustPlan(t, p, h, nil)
	if plan.Request != nil || plan.NeedsCall() {
		t.Fatalf("omit_turns plan wants a call: %+v", plan.Request)
	}
	for _, s := range []Summary{plan.Finish("ignored"), plan.Skipped()} {
		if s.Content != "Previous 2 turns omitted for brevity." || s.Kind != KindOmitted || s.Request != nil || s.CoveredTurns != 2 {
			t.Errorf("omitted summary: %+v", s)
		}
	}
	v, err := View(p, h, []Summary{plan.Finish("")})
	if err != nil {
		t.Fatal(err)
	}
	item := agent.Message{Role: "assistant", Content: "Previous 2 turns omitted for brevity.", MessageType: "thought", Tags: []string{"summary"}}
	if len(v) != 5 || !reflect.DeepEqual(v[2], item) || v[3].Action != "edit 1:1" || v[4].Content != "done" {
		t.Errorf("omit view:\n%s", render(v))
	}

	sk := mustPlan(t, smallParams(), h, nil).Skipped()
	if sk.Content != "Checkpoint for the last 2 turns: (Summary skipped due to API call limit)" || sk.Kind != KindSkipped || sk.Request != nil {
		t.Errorf("skipped summary: %+v", sk)
	}
}

func TestSummaryDueNone(t *testing.T) {
	h := smallHistory(5)
	for _, name := range []string{Raw, ObservationMasking} {
		if plan, err := SummaryDue(Defaults(name), "x", h, nil); plan != nil || err != nil {
			t.Errorf("%s: %+v, %v", name, plan, err)
		}
	}
	if plan, err := SummaryDue(smallParams(), "x", smallHistory(2), nil); plan != nil || err != nil {
		t.Errorf("below s+k: %+v, %v", plan, err)
	}
	bad := smallParams()
	bad.SumKeepM = 5
	if _, err := SummaryDue(bad, "x", h, nil); err == nil {
		t.Error("invalid params accepted")
	}
}
