package traj

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
)

// longFile writes a seed-layout .traj of n turns whose stored summaries were
// made with p, as the engine's loop makes them, and returns it with its
// history and summaries.
func longFile(t *testing.T, n int, p strategy.Params) ([]byte, []agent.Message, []strategy.Summary) {
	t.Helper()
	h := []agent.Message{
		{Role: agent.RoleSystem, Content: "You are an agent.", MessageType: agent.TypeSystemPrompt},
		{Role: agent.RoleUser, Content: "Fix the issue.\nDetails.", MessageType: agent.TypeObservation},
	}
	var done []strategy.Summary
	for T := 1; T <= n; T++ {
		id := fmt.Sprintf("call_%d", T)
		cmd := fmt.Sprintf("step %d", T)
		h = append(h,
			agent.Message{Role: agent.RoleAssistant, Content: "Run " + cmd, MessageType: agent.TypeAction, Thought: "Run " + cmd, Action: cmd,
				ToolCalls: []agent.ToolCall{{ID: id, Name: "bash", Arguments: fmt.Sprintf(`{"command":%q}`, cmd)}}},
			agent.Message{Role: agent.RoleTool, Content: strings.Repeat(fmt.Sprintf("output %d\n", T), T%5+1), MessageType: agent.TypeObservation, ToolCallIDs: []string{id}})
		plan, err := strategy.SummaryDue(p, "SUMMARY SYSTEM", h, done)
		if err != nil {
			t.Fatal(err)
		}
		if plan != nil {
			done = append(done, plan.Finish(fmt.Sprintf("stored summary %d", len(done)+1)))
		}
	}
	var sums []map[string]any
	for _, s := range done {
		sums = append(sums, map[string]any{"summary": s.Content, "context": s.Request})
	}
	data, err := json.Marshal(map[string]any{"environment": "long", "trajectory": []any{}, "history": h, "summaries": sums})
	if err != nil {
		t.Fatal(err)
	}
	return data, h, done
}

// TestLongTrajectory views a 60-turn trajectory at the turns with the
// paper's defaults: the stored summaries (made after 31 and 52 turns) are
// found, and every view equals strategy.View on the same state.
func TestLongTrajectory(t *testing.T) {
	for _, name := range strategy.Names() {
		p := strategy.Defaults(name)
		data, h, done := longFile(t, 60, strategy.Defaults(strategy.LLMSummary))
		f, err := Parse("long.traj", data)
		if err != nil {
			t.Fatal(err)
		}
		for _, turn := range append(goldenTurns, 54, 60) {
			v := build(t, f, turn, p)
			prefix := h[:2+2*(turn-1)]
			var want []strategy.Summary
			if p.Summarizes() {
				for _, s := range done {
					if s.HistoryLen <= len(prefix) {
						want = append(want, s)
					}
				}
			}
			exp, err := strategy.View(p, prefix, want)
			if err != nil {
				t.Fatal(err)
			}
			if got := v.Messages(); !reflect.DeepEqual(normalizeAll(got), normalizeAll(exp)) {
				t.Errorf("%s turn %d: view differs from strategy.View", name, turn)
			}
			if len(v.Summaries) != len(want) {
				t.Errorf("%s turn %d: %d summaries, want %d", name, turn, len(v.Summaries), len(want))
			}
			for _, s := range v.Summaries {
				if s.Source != SourceStored {
					t.Errorf("%s turn %d: summary %d is %s", name, turn, s.Index, s.Source)
				}
			}
		}
	}
	f, _ := Parse("long.traj", func() []byte { d, _, _ := longFile(t, 60, strategy.Defaults(strategy.LLMSummary)); return d }())
	shown := func(turn int) string {
		var s []string
		for _, it := range build(t, f, turn, strategy.Defaults(strategy.Hybrid)).Items {
			if it.Summary != nil {
				s = append(s, fmt.Sprintf("S%d", it.Summary.Index))
			}
		}
		return strings.Join(s, " ")
	}
	for turn, want := range map[int]string{31: "", 32: "S1", 52: "S1", 53: "S2", 54: "S1 S2"} {
		if got := shown(turn); got != want {
			t.Errorf("hybrid turn %d shows %q, want %q", turn, got, want)
		}
	}
}

func normalizeAll(ms []agent.Message) []agent.Message {
	out := make([]agent.Message, len(ms))
	for i, m := range ms {
		out[i] = normalize(m)
	}
	return out
}
