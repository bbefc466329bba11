package activities_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
)

func keysOf(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestTrajShape: our .traj has every key of the fixture trajectories (top
// level, steps, info), plus per-step messages and edited_files30/50/70.
func TestTrajShape(t *testing.T) {
	l := newLoop(t, bash("echo a"), tool("submit", "{}"))
	l.run(t, limits(nil))
	data, err := os.ReadFile(l.store.Path(store.TrajFile(ref(agent.Limits{}).Dir(), "demo__loop-1")))
	if err != nil {
		t.Fatal(err)
	}
	var ours map[string]json.RawMessage
	if err := json.Unmarshal(data, &ours); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"swe-agent__test-repo-i1.traj", "pydicom-1458-gpt4/pydicom__pydicom-1458.traj"} {
		raw, err := os.ReadFile(filepath.Join("/work/shared/fixtures/trajectories", name))
		if err != nil {
			t.Skipf("fixtures: %v", err)
		}
		var fx map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fx); err != nil {
			t.Fatal(err)
		}
		sub := func(what string, a, b json.RawMessage, extra ...string) {
			var am, bm map[string]json.RawMessage
			if a != nil {
				_ = json.Unmarshal(a, &am)
				_ = json.Unmarshal(b, &bm)
			} else {
				am, bm = fx, ours
			}
			for _, k := range append(keysOf(am), extra...) {
				if _, ok := bm[k]; !ok {
					t.Errorf("%s: %s lacks %q (has %v)", name, what, k, keysOf(bm))
				}
			}
		}
		sub("top level", nil, nil)
		sub("info", fx["info"], ours["info"], "edited_files30", "edited_files50", "edited_files70", "agent_model_stats")
		var fs, os_ []json.RawMessage
		_ = json.Unmarshal(fx["trajectory"], &fs)
		_ = json.Unmarshal(ours["trajectory"], &os_)
		sub("step", fs[0], os_[0], "messages", "execution_time", "turn_statistics", "extra_info")
	}
}

// TestTrajMessages: each step's messages are the processed context after
// it (seed-system §2.1 c): for an accepted attempt of turn t the history
// after t; for a failed attempt the history its own query saw. Past the
// size limit they refer to history items by index, masked placeholders
// staying in full.
func TestTrajMessages(t *testing.T) {
	replies := []reply{bash("echo a"), noCall, bash("echo b"), tool("submit", "{}")}
	l := newLoop(t, replies...)
	l.run(t, limits(nil))
	d := l.traj(t)
	if len(d.History) != 8 || len(d.Trajectory) != 4 || d.MessagesFormat != "" {
		t.Fatalf("%d history items, %d steps, format %q", len(d.History), len(d.Trajectory), d.MessagesFormat)
	}
	for i, after := range []int{1, 1, 2, 3} {
		var got []agent.Message
		if err := json.Unmarshal(d.Trajectory[i].Messages, &got); err != nil || !reflect.DeepEqual(got, d.History[:2+2*after]) {
			t.Errorf("step %d: %d messages, want the history after %d turns (%v)", i, len(got), after, err)
		}
	}

	defer activities.SetMaxFullMessagesBytes(0)()
	l = newLoop(t, replies...)
	r := ref(limits(nil))
	r.Trial.Strategy = strategy.Defaults(strategy.ObservationMasking)
	r.Trial.Strategy.ObsN = 1
	l.runRef(t, r)
	d = l.traj(t)
	if d.MessagesFormat != "history_index" {
		t.Fatalf("messages_format %q", d.MessagesFormat)
	}
	var last []map[string]any
	if err := json.Unmarshal(d.Trajectory[3].Messages, &last); err != nil || len(last) != 8 {
		t.Fatalf("last step: %d messages (%v)", len(last), err)
	}
	for i, m := range last {
		masked := i == 3 || i == 5 // O1 and O2: only the last observation and the task stay
		if idx, isRef := m["history_index"]; isRef == masked || !masked && idx != float64(i) {
			t.Errorf("message %d: %v", i, m)
		}
		if c, _ := m["content"].(string); masked && !strings.HasPrefix(c, "Old environment output: (") {
			t.Errorf("masked message %d: %v", i, m)
		}
	}
}

// TestTrialAgentConfig: a configuration stored in the data directory and
// named in the trial reaches every activity: its templates (system,
// instance with strategy template, next step), its tool bundles and its
// limits; an instance started with one configuration refuses another, and
// history processors must agree with the trial's strategy.
func TestTrialAgentConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "agent.yaml")
	yaml := `templates:
  system_template: "CUSTOM {{WINDOW}} {{repo}}"
  instance_template: "{{problem_statement}}"
  strategy_template: "STRATEGY"
  next_step_template: "OBS {{observation}}"
env: {WINDOW: 20}
tools: {bundles: [submit]}
limits: {max_requeries: 2}
`
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	l := newLoop(t, tool("open", `{"path":"app.py"}`), bash("echo x"), noCall, noCall)
	cref, _, err := config.StoreAgentFile(l.store.Root, file)
	if err != nil {
		t.Fatal(err)
	}
	r := ref(limits(nil))
	r.Trial.Tuning.Agent = &cref
	rec := l.runRef(t, r)
	if rec.ExitStatus != agent.ExitFormat || l.model.calls() != 4 || rec.Turns != 1 {
		t.Fatalf("record %+v after %d calls", rec, l.model.calls())
	}
	sys, inst := l.model.sent[0][0].Content, l.model.sent[0][1].Content
	if !strings.HasPrefix(sys, "CUSTOM 20 ") || inst != "Fix the bug.\nSTRATEGY" {
		t.Errorf("system %q, instance %q", sys, inst)
	}
	if rep := l.reply(t, 1, 0); rep.FormatCode != "invalid_command" {
		t.Errorf("open is not offered: %+v", rep)
	}
	if obs := l.model.sent[2][3].Content; obs != "OBS x\n" {
		t.Errorf("observation %q", obs)
	}
	var head activities.Head
	if _, err := l.store.ReadJSON(store.HeadFile(r.Dir()), &head); err != nil || head.AgentConfig != cref.Hash {
		t.Errorf("head config %q (%v)", head.AgentConfig, err)
	}

	// The same instance under the built-in configuration is refused.
	l2 := newLoop(t, tool("submit", "{}"))
	l2.acts.Store, l2.store = l.store, l.store
	if rec := l2.run(t, limits(nil)); !strings.Contains(rec.Error, "was started with agent configuration") || l2.model.calls() != 0 {
		t.Errorf("record %+v", rec)
	}
	// History processors that disagree with the trial's strategy.
	if err := os.WriteFile(file, []byte(yaml+"history_processors: [{type: last_n_observations, n: 10}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l3 := newLoop(t, tool("submit", "{}"))
	cref, _, err = config.StoreAgentFile(l3.store.Root, file)
	if err != nil {
		t.Fatal(err)
	}
	r.Trial.Tuning.Agent = &cref
	if rec := l3.runRef(t, r); !strings.Contains(rec.Error, "strategy observation_masking (trial: raw)") || l3.model.calls() != 0 {
		t.Errorf("record %+v", rec)
	}
}

// TestTrajMessagesSummaryDueAtEnd: a summary strategy whose next summary
// falls due on the last turn (the instance ended before making it) still
// writes every step's messages: the last ones show the context as it
// stood, with the turns the summary would have condensed in full.
func TestTrajMessagesSummaryDueAtEnd(t *testing.T) {
	for _, s := range []string{strategy.LLMSummary, strategy.Hybrid} {
		t.Run(s, func(t *testing.T) {
			l := newLoop(t, bash("echo a"), bash("echo b"), bash("echo c"), tool("submit", "{}"))
			r := ref(limits(nil))
			r.Trial.Strategy = strategy.Defaults(s)
			r.Trial.Strategy.SumN, r.Trial.Strategy.SumKeepM, r.Trial.Strategy.OmitTurns = 2, 0, true
			l.runRef(t, r)
			d := l.traj(t)
			if len(d.Trajectory) != 4 {
				t.Fatalf("%d steps", len(d.Trajectory))
			}
			for i, st := range d.Trajectory {
				var got []agent.Message
				if err := json.Unmarshal(st.Messages, &got); err != nil || len(got) < 2 {
					t.Errorf("step %d: %d messages (%v)", i, len(got), err)
				}
			}
			var last []agent.Message
			_ = json.Unmarshal(d.Trajectory[3].Messages, &last)
			if n := len(last); n == 0 || last[n-1].Role != d.History[len(d.History)-1].Role || last[n-1].Content != d.History[len(d.History)-1].Content {
				t.Errorf("last step does not end with the last turn's observation: %+v", last)
			}
		})
	}
}
