package activities_test

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/store"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// runRef drives the instance workflow for a given ref.
func (l *loop) runRef(t *testing.T, r wf.InstanceRef) wf.InstanceRecord {
	t.Helper()
	l.env.ExecuteWorkflow(wf.InstanceWorkflow, wf.InstanceInput{Ref: r})
	if !l.env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := l.env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var rec wf.InstanceRecord
	if err := l.env.GetWorkflowResult(&rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

// trajDoc is the part of a .traj these tests read.
type trajDoc struct {
	Trajectory []struct {
		Action, Observation, Response, Thought string
		State                                  map[string]string
		Messages                               json.RawMessage
	}
	History        []agent.Message
	Info           map[string]any
	MessagesFormat string `json:"messages_format"`
}

func (l *loop) traj(t *testing.T) trajDoc {
	t.Helper()
	data, err := os.ReadFile(l.store.Path(store.TrajFile(ref(agent.Limits{}).Dir(), "demo__loop-1")))
	if err != nil {
		t.Fatal(err)
	}
	var d trajDoc
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRetryWithOutput: an edit whose search text is not in the window is
// answered, as in the seed (§3.4), with a re-query of the same turn that
// shows the model the editor's error in the next-step template; it is not
// a turn and not a format error. The retried attempt is a step of the
// trajectory, and the submission's edited-files context is in its info.
func TestRetryWithOutput(t *testing.T) {
	l := newLoop(t, tool("open", `{"path":"app.py"}`), tool("edit", `{"search":"return 7","replace":"return 2"}`),
		tool("edit", `{"search":"return 1","replace":"return 2"}`), tool("submit", "{}"))
	rec := l.run(t, limits(nil))
	if rec.ExitStatus != agent.ExitSubmitted || rec.Turns != 3 || rec.APICalls != 4 || rec.Requeries != 1 {
		t.Fatalf("record %+v", rec)
	}
	dir := ref(agent.Limits{}).Dir()
	var retried activities.Observation
	if ok, err := l.store.ReadJSON(activities.RetryObservationFile(dir, 2, 0), &retried); !ok || err != nil || !retried.RetryWithOutput {
		t.Fatalf("retry observation %+v (%v %v)", retried, ok, err)
	}
	if obs := l.observation(t, 2); obs.Attempt != 1 || obs.RetryWithOutput {
		t.Errorf("turn 2's observation %+v", obs)
	}
	// The re-query: the turn's view, the failed reply's text, and the
	// editor's output in the next-step template.
	before, requery := l.model.sent[1], l.model.sent[2]
	if len(requery) != len(before)+2 || !reflect.DeepEqual(requery[:len(before)], before) {
		t.Fatalf("re-query has %d messages, the turn's view %d", len(requery), len(before))
	}
	asst, user := requery[len(before)], requery[len(before)+1]
	if asst.Role != agent.RoleAssistant || asst.Content != "thought 2" || len(asst.ToolCalls) > 0 {
		t.Errorf("failed reply %+v", asst)
	}
	if user.Role != agent.RoleUser || !strings.HasPrefix(user.Content, retried.Output+"\n(Open file: ") || !strings.HasSuffix(user.Content, "bash-$") ||
		!strings.Contains(retried.Output, "return 7") {
		t.Errorf("re-query message %q (output %q)", user.Content, retried.Output)
	}
	d := l.traj(t)
	if len(d.Trajectory) != 4 || d.Trajectory[1].Observation != retried.Output || d.Trajectory[2].Action == d.Trajectory[1].Action {
		t.Errorf("steps %+v", d.Trajectory)
	}
	ef := d.Info["edited_files30"]
	if s, _ := ef.(string); !strings.HasPrefix(s, "[File: app.py]\n     1: def f():\n     2:     return 2") {
		t.Errorf("edited_files30 %q", ef)
	}
	for _, k := range []string{"edited_files50", "edited_files70"} {
		if d.Info[k] != ef {
			t.Errorf("%s %q", k, d.Info[k])
		}
	}
}

// TestContentPolicyResample: a content-filter refusal is a failed attempt
// asked again with the same messages and no feedback; it is no step of the
// trajectory. Three in a row end the turn with exit_format.
func TestContentPolicyResample(t *testing.T) {
	refusal := reply{err: &llm.Error{Kind: llm.KindBadRequest, Provider: "p", Model: "m", Status: 400, Code: "content_filter",
		Message: "The response was filtered due to the prompt triggering the content management policy."}}
	l := newLoop(t, bash("echo hi"), tool("nope", "{}"), refusal, tool("submit", "{}"))
	rec := l.run(t, limits(nil))
	if rec.ExitStatus != agent.ExitSubmitted || rec.Turns != 2 || rec.Requeries != 2 {
		t.Fatalf("record %+v", rec)
	}
	if r := l.reply(t, 2, 1); r.Valid || r.FormatCode != agent.CodeContentPolicy {
		t.Errorf("refused attempt %+v", r)
	}
	if !reflect.DeepEqual(l.model.sent[3], l.model.sent[2]) {
		t.Error("the call after the refusal must send the refused call's messages")
	}
	if d := l.traj(t); len(d.Trajectory) != 3 || d.Trajectory[1].Observation != "Command 'nope' not found in list of available commands." {
		t.Errorf("steps %+v", d.Trajectory)
	}
	l = newLoop(t, refusal, refusal, refusal)
	if rec := l.run(t, limits(nil)); rec.ExitStatus != agent.ExitFormat || l.model.calls() != 3 {
		t.Errorf("three refusals: %+v after %d calls", rec, l.model.calls())
	}
}

// TestFilteredReplyResampled: a reply the provider withheld under its
// content policy (answered with a content_filter finish reason) is paid
// for and asked again like a refused request.
func TestFilteredReplyResampled(t *testing.T) {
	l := newLoop(t, reply{filtered: "finish_reason content_filter"}, tool("submit", "{}"))
	rec := l.run(t, limits(nil))
	if rec.ExitStatus != agent.ExitSubmitted || rec.Turns != 1 || rec.Requeries != 1 || rec.APICalls != 2 {
		t.Fatalf("record %+v", rec)
	}
	if math.Abs(rec.Cost-0.06) > 1e-9 {
		t.Errorf("cost %v, want both calls ($0.06)", rec.Cost)
	}
	r := l.reply(t, 1, 0)
	if r.Valid || r.FormatCode != agent.CodeContentPolicy || !strings.Contains(r.FormatError, "content_filter") {
		t.Errorf("filtered attempt %+v", r)
	}
	if !reflect.DeepEqual(l.model.sent[1], l.model.sent[0]) {
		t.Error("the call after a filtered reply must send the same messages")
	}
}

// TestFormatErrorBranches: each parser error gets its own message, and a
// re-query shows only the latest failure.
func TestFormatErrorBranches(t *testing.T) {
	two := reply{calls: []agent.ToolCall{{Name: "submit"}, {Name: "submit"}}}
	l := newLoop(t, noCall, two, tool("bash", `{"command":"ls","x":1}`))
	if rec := l.run(t, limits(nil)); rec.ExitStatus != agent.ExitFormat {
		t.Fatalf("record %+v", rec)
	}
	last := func(i int) string { m := l.model.sent[i]; return m[len(m)-1].Content }
	if !strings.HasPrefix(last(1), "Your reply did not call a tool.") || !strings.HasPrefix(last(2), "Your reply called several tools at once.") {
		t.Errorf("messages:\n%s\n---\n%s", last(1), last(2))
	}
	if len(l.model.sent[2]) != len(l.model.sent[1]) {
		t.Errorf("re-queries grew: %d then %d messages", len(l.model.sent[1]), len(l.model.sent[2]))
	}
	if r := l.reply(t, 1, 2); r.FormatCode != "unexpected_arg" {
		t.Errorf("third reply %+v", r)
	}
}
