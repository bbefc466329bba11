package strategy

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const instContent = "We're currently solving the following issue within our repository.\nISSUE:\nFloat formatting is wrong.\n\nINSTRUCTIONS: ...\n(Open file: n/a)\n(Current directory: /testbed)\nbash-$"

const trailer = "(Open file: n/a)\n(Current directory: /testbed)\nbash-$"

// obsContent is the rendered observation of synthetic turn i. Its Python
// splitlines count is obsLines(i), computed independently below.
func obsContent(i int) string {
	switch i % 4 {
	case 0:
		return "Your command ran successfully and did not produce any output.\n" + trailer
	case 3: // CRLF output lines
		return strings.Repeat(fmt.Sprintf("out %d\r\n", i), 3) + trailer
	default:
		return strings.Repeat(fmt.Sprintf("out %d\n", i), i%4) + trailer
	}
}

func obsLines(i int) int {
	if i%4 == 0 {
		return 4
	}
	return i%4 + 3
}

func sysMsg() agent.Message {
	return agent.Message{Role: agent.RoleSystem, Content: "You are an autonomous programmer.", MessageType: agent.TypeSystemPrompt}
}

func instMsg(content string) agent.Message {
	return agent.Message{Role: agent.RoleUser, Content: content, MessageType: agent.TypeObservation}
}

func assistantMsg(content, action, id string) agent.Message {
	return agent.Message{
		Role: agent.RoleAssistant, Content: content, MessageType: agent.TypeAction,
		Thought: content, Action: action,
		ToolCalls: []agent.ToolCall{{ID: id, Name: "bash", Arguments: fmt.Sprintf("{\"command\":%q}", action)}},
	}
}

func toolMsg(content, id string) agent.Message {
	return agent.Message{Role: agent.RoleTool, Content: content, MessageType: agent.TypeObservation, ToolCallIDs: []string{id}}
}

// synthHistory returns SYS INST A1 O1 … AT OT.
func synthHistory(turns int) []agent.Message {
	h := []agent.Message{sysMsg(), instMsg(instContent)}
	for i := 1; i <= turns; i++ {
		id := fmt.Sprintf("call_%d", i)
		h = append(h, assistantMsg(fmt.Sprintf("I will run command %d.", i), fmt.Sprintf("cmd_%d --flag", i), id), toolMsg(obsContent(i), id))
	}
	return h
}

// simulation replays the caller's loop over every history state 0…maxT.
type simulation struct {
	history   []agent.Message
	doneAt    [][]Summary // summaries stored after processing state T
	triggered []int       // the T at which summaries were made
}

func simulate(t *testing.T, p Params, maxT int) simulation {
	t.Helper()
	sim := simulation{history: synthHistory(maxT)}
	var done []Summary
	for T := 0; T <= maxT; T++ {
		h := sim.history[:2+2*T]
		plan, err := SummaryDue(p, "SUMMARY SYSTEM PROMPT", h, done)
		if err != nil {
			t.Fatalf("SummaryDue at T=%d: %v", T, err)
		}
		if plan != nil {
			done = append(done, plan.Finish(fmt.Sprintf("summary text %d", len(done)+1)))
			sim.triggered = append(sim.triggered, T)
		}
		sim.doneAt = append(sim.doneAt, append([]Summary(nil), done...))
	}
	return sim
}

// viewAtQuery returns the view for query q (made after q-1 completed turns).
func (s simulation) viewAtQuery(t *testing.T, p Params, q int) ([]agent.Message, []Summary) {
	t.Helper()
	T := q - 1
	done := s.doneAt[T]
	v, err := View(p, s.history[:2+2*T], done)
	if err != nil {
		t.Fatalf("View at query %d: %v", q, err)
	}
	return v, done
}

// sig labels each message: SYS, INST, Ai, Oi (full), Mi (masked with the
// expected line count), Sj (summary j).
func sig(v []agent.Message, done []Summary) string {
	var parts []string
	for _, m := range v {
		var id int
		switch {
		case m.Role == agent.RoleSystem:
			parts = append(parts, "SYS")
		case m.Role == agent.RoleUser && m.Content == instContent:
			parts = append(parts, "INST")
		case m.HasTag(agent.TagSummary):
			label := "S?"
			for j, s := range done {
				if s.Content == m.Content && m.Role == agent.RoleAssistant && m.MessageType == agent.TypeThought {
					label = fmt.Sprintf("S%d", j+1)
				}
			}
			parts = append(parts, label)
		case m.Role == agent.RoleAssistant && sscan(m.Action, "cmd_%d --flag", &id):
			parts = append(parts, fmt.Sprintf("A%d", id))
		case m.Role == agent.RoleTool && len(m.ToolCallIDs) == 1 && sscan(m.ToolCallIDs[0], "call_%d", &id):
			switch m.Content {
			case obsContent(id):
				parts = append(parts, fmt.Sprintf("O%d", id))
			case fmt.Sprintf("Old environment output: (%d lines omitted)", obsLines(id)):
				parts = append(parts, fmt.Sprintf("M%d", id))
			default:
				parts = append(parts, fmt.Sprintf("O?%d", id))
			}
		default:
			parts = append(parts, "?")
		}
	}
	return strings.Join(parts, " ")
}

func sscan(s, format string, id *int) bool {
	n, err := fmt.Sscanf(s, format, id)
	return err == nil && n == 1
}

// expSig builds an expected signature: prefix, then turns from…to with
// observations up to maskThrough masked.
func expSig(prefix string, from, to, maskThrough int) string {
	parts := []string{prefix}
	for i := from; i <= to; i++ {
		o := "O"
		if i <= maskThrough {
			o = "M"
		}
		parts = append(parts, fmt.Sprintf("A%d %s%d", i, o, i))
	}
	return strings.Join(parts, " ")
}

func render(v []agent.Message) string {
	var b strings.Builder
	for i, m := range v {
		fmt.Fprintf(&b, "[%d] %s/%s", i, m.Role, m.MessageType)
		if len(m.Tags) > 0 {
			fmt.Fprintf(&b, " tags=%v", m.Tags)
		}
		if m.Action != "" {
			fmt.Fprintf(&b, " action=%q", m.Action)
		}
		if len(m.ToolCallIDs) > 0 {
			fmt.Fprintf(&b, " ids=%v", m.ToolCallIDs)
		}
		fmt.Fprintf(&b, ": %q\n", m.Content)
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./strategy -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s", path, i+1, g, w)
		}
	}
}
