package traj

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
)

func TestParseLegacyFixture(t *testing.T) {
	f := load(t, filepath.Join(fixtureDir, "pydicom-1458-gpt4", "pydicom__pydicom-1458.traj"))
	if f.Layout != LayoutLegacy || len(f.History) != 26 || len(f.Queries) != 12 || f.Environment != "swe_main" {
		t.Fatalf("layout %s, %d items, %d queries, env %q", f.Layout, len(f.History), len(f.Queries), f.Environment)
	}
	want := []string{agent.TypeSystemPrompt, TypeDemonstration, agent.TypeObservation, agent.TypeAction, agent.TypeObservation}
	for i, w := range want {
		if f.History[i].MessageType != w {
			t.Errorf("history[%d] message_type %q, want %q", i, f.History[i].MessageType, w)
		}
	}
	if f.Queries[0] != 3 || f.Queries[11] != 25 || f.History[25].Action != "submit\n" {
		t.Errorf("queries %v", f.Queries)
	}
	if p, _ := f.Prefix(1); len(p) != 3 {
		t.Errorf("prefix of turn 1 has %d items, want system, demonstration, instance", len(p))
	}
}

func TestParseOwnFile(t *testing.T) {
	f := load(t, ownFile)
	if f.Layout != LayoutSeed || len(f.Queries) != 11 || len(f.Summaries) != 2 || f.Environment != "demo__semver-2" {
		t.Fatalf("layout %s, %d queries, %d summaries, env %q", f.Layout, len(f.Queries), len(f.Summaries), f.Environment)
	}
	a, o := f.History[2], f.History[3]
	if len(a.ToolCalls) != 1 || a.ToolCalls[0].Name != "bash" || a.ToolCalls[0].ID != "call_1" ||
		!strings.HasPrefix(a.ToolCalls[0].Arguments, `{"command":`) || o.ToolCallIDs[0] != "call_1" {
		t.Errorf("tool call fields: %+v / %+v", a.ToolCalls, o.ToolCallIDs)
	}
	s := f.Summaries[0]
	if len(s.Context) != 2 || s.Context[0].Role != "system" || !strings.HasPrefix(s.Context[1].Content, "<PROBLEM_STATEMENT>\n") ||
		!strings.HasPrefix(s.Content, "Checkpoint for the last 4 turns:\n") {
		t.Errorf("stored summary: %+v", s)
	}
}

// TestParseVariants covers what older and other writers put in a file:
// content as a list of text parts or null, OpenAI-layout tool calls with
// object arguments, summary tags as {"type": ...} dicts, demonstrations.
func TestParseVariants(t *testing.T) {
	data := `{"history": [
	 {"role": "system", "content": [{"type": "text", "text": "sys "}, {"type": "text", "text": "prompt"}], "message_type": "system_prompt"},
	 {"role": "user", "content": "demo", "message_type": "demonstration", "is_demo": true},
	 {"role": "user", "content": [{"type": "text", "text": "issue", "cache_control": {"type": "ephemeral"}}], "message_type": "observation"},
	 {"role": "assistant", "content": null, "message_type": "action", "action": "ls",
	  "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "bash", "arguments": {"command": "ls"}}}]},
	 {"role": "tool", "content": "a.py", "message_type": "observation", "tool_call_ids": ["c1"], "tags": ["keep_output"]},
	 {"role": "assistant", "content": "S", "message_type": "thought", "tags": [{"type": "summary"}]}
	], "summaries": null, "environment": "x"}`
	f, err := Parse("v.traj", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	h := f.History
	if h[0].Content != "sys prompt" || h[2].Content != "issue" || h[3].Content != "" {
		t.Errorf("contents %q %q %q", h[0].Content, h[2].Content, h[3].Content)
	}
	if h[3].ToolCalls[0].Name != "bash" || h[3].ToolCalls[0].Arguments != `{"command": "ls"}` {
		t.Errorf("tool call %+v", h[3].ToolCalls)
	}
	if !h[4].HasTag(agent.TagKeepOutput) || !h[5].HasTag(agent.TagSummary) || h[1].MessageType != TypeDemonstration {
		t.Errorf("tags/types: %+v %+v %+v", h[4].Tags, h[5].Tags, h[1])
	}
	if f.Layout != LayoutSeed || len(f.Queries) != 1 || f.Queries[0] != 3 {
		t.Errorf("layout %s queries %v (summary items are not queries)", f.Layout, f.Queries)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		`{"history": [`:                    "x.traj: not a trajectory",
		`[1, 2]`:                           "x.traj: not a trajectory",
		`{"trajectory": []}`:               `x.traj: not a trajectory: no "history" list`,
		`{"history": []}`:                  `x.traj: not a trajectory: no "history" list (or it is empty)`,
		`{"history": [{"role": "robot"}]}`: `x.traj: history[0]: unknown role "robot"`,
		`{"history": [{"role": "user", "content": 5}]}`:                       "history[0]: content is neither a string nor a list of parts",
		`{"history": [{"role": "user", "content": [{"type": "image_url"}]}]}`: `history[0]: content part 0 has type "image_url"`,
	}
	for data, want := range cases {
		_, err := Parse("x.traj", []byte(data))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s): %v, want %q", data, err, want)
		}
	}
	f, err := Parse("y.traj", []byte(`{"history": [{"role": "system", "content": "s"}, {"role": "user", "content": "i"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Prefix(1); err == nil || !strings.Contains(err.Error(), "y.traj: the trajectory has no model queries") {
		t.Errorf("no queries: %v", err)
	}
}
