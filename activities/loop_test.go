package activities_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/sweep"
)

func limits(mod func(*agent.Limits)) agent.Limits {
	l := agent.DefaultLimits()
	if mod != nil {
		mod(&l)
	}
	return l
}

// TestExitStatuses drives the real instance loop (workflow, activities,
// local sandbox) with a scripted model into each exit status of
// seed-system §3.7 that the loop produces.
func TestExitStatuses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		replies   []reply
		lim       func(*agent.Limits)
		status    string
		calls     int
		patchHas  string
		patchNone bool
	}{
		{name: "submitted", replies: []reply{bash("echo fixed >> README.md"), tool("submit", "{}")},
			status: "submitted", calls: 2, patchHas: "+fixed"},
		{name: "submitted with an empty patch", replies: []reply{tool("submit", "")},
			status: "submitted", calls: 1, patchNone: true},
		{name: "cost limit after the second call, with the diff so far",
			replies: []reply{bash("echo first >> README.md"), bash("echo second >> README.md"), tool("submit", "{}")},
			lim:     func(l *agent.Limits) { l.CostLimit = 0.05 },
			status:  "submitted (exit_cost)", calls: 2, patchHas: "+first"},
		{name: "cost limit without a diff", replies: []reply{bash("ls"), bash("ls")},
			lim: func(l *agent.Limits) { l.CostLimit = 0.05 }, status: "exit_cost", calls: 2, patchNone: true},
		{name: "call limit", replies: []reply{bash("ls"), bash("ls")},
			lim: func(l *agent.Limits) { l.CallLimit = 1 }, status: "exit_cost", calls: 2, patchNone: true},
		{name: "three format errors", replies: []reply{noCall, tool("nope", "{}"), tool("bash", "{")},
			status: "exit_format", calls: 3, patchNone: true},
		{name: "blocklist and syntax errors count as format errors",
			replies: []reply{bash("echo x >> app.py"), bash("vim app.py"), bash("echo 'unclosed"), bash("python3")},
			status:  "submitted (exit_format)", calls: 4, patchHas: "+x"},
		{name: "command timeouts", replies: []reply{bash("sleep 5"), bash("sleep 5"), bash("sleep 5")},
			lim:    func(l *agent.Limits) { l.ExecutionTimeoutSec = 1 },
			status: "exit_command_timeout", calls: 3, patchNone: true},
		{name: "total execution time", replies: []reply{bash("echo t >> README.md; sleep 1.2"), bash("ls")},
			lim:    func(l *agent.Limits) { l.TotalExecutionTimeoutSec = 1 },
			status: "submitted (exit_total_execution_time)", calls: 1, patchHas: "+t"},
		{name: "exit command (no autosubmission)", replies: []reply{bash("echo x >> README.md"), bash("exit")},
			status: "exit_command", calls: 2, patchNone: true},
		{name: "provider refuses the credentials", replies: []reply{{err: &llm.Error{Kind: llm.KindAuth, Provider: "p", Model: "m"}}},
			status: "exit_error", calls: 1, patchNone: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := newLoop(t, tc.replies...)
			rec := l.run(t, limits(tc.lim))
			paid := tc.calls // a call that failed is not counted
			if tc.status == "exit_error" {
				paid--
			}
			if rec.ExitStatus != tc.status || l.model.calls() != tc.calls || rec.APICalls != paid {
				t.Errorf("status %q after %d calls (record: %d), want %q after %d (error %q)", rec.ExitStatus, l.model.calls(), rec.APICalls, tc.status, tc.calls, rec.Error)
			}
			patch := l.patch()
			if tc.patchHas != "" && !strings.Contains(patch, tc.patchHas) || tc.patchNone && patch != "" {
				t.Errorf("patch:\n%s", patch)
			}
			if math.Abs(rec.Cost-0.03*float64(paid)) > 1e-9 {
				t.Errorf("cost %v for %d calls", rec.Cost, tc.calls)
			}
		})
	}
}

// TestCostLimitStopsAfterSecondCall is the acceptance case: each
// call costs $0.03 and the limit is $0.05, so the second call ends the
// instance; its action is never run and the diff so far is submitted.
func TestCostLimitStopsAfterSecondCall(t *testing.T) {
	l := newLoop(t, bash("echo first >> README.md"), bash("echo second >> README.md"), tool("submit", "{}"))
	rec := l.run(t, limits(func(l *agent.Limits) { l.CostLimit = 0.05 }))
	want := "diff --git a/README.md b/README.md\nindex 1549b67..bc01a0f 100644\n--- a/README.md\n+++ b/README.md\n@@ -1 +1,2 @@\n demo\n+first\n"
	if rec.ExitStatus != agent.Autosubmitted(agent.ExitCost) || l.model.calls() != 2 || rec.Turns != 1 || math.Abs(rec.Cost-0.06) > 1e-9 {
		t.Errorf("record %+v after %d calls", rec, l.model.calls())
	}
	if got := l.patch(); got != want {
		t.Errorf("patch:\n%q\nwant\n%q", got, want)
	}
	data, err := os.ReadFile(l.store.Path(rec.TrajFile))
	if err != nil {
		t.Fatal(err)
	}
	var traj struct {
		Info struct {
			ExitStatus string  `json:"exit_status"`
			Submission *string `json:"submission"`
		} `json:"info"`
		Trajectory []json.RawMessage `json:"trajectory"`
	}
	if err := json.Unmarshal(data, &traj); err != nil || traj.Info.ExitStatus != "submitted (exit_cost)" || traj.Info.Submission == nil || *traj.Info.Submission != want || len(traj.Trajectory) != 2 {
		t.Errorf("traj info %+v, %d steps (%v)", traj.Info, len(traj.Trajectory), err)
	}
}

// TestRefusalsAreRequeries checks the seed's messages for blocked commands
// and bash syntax errors, and that the model sees them on its re-query.
func TestRefusalsAreRequeries(t *testing.T) {
	l := newLoop(t, bash("vim app.py"), bash("if then fi"), tool("submit", "{}"))
	rec := l.run(t, limits(nil))
	if rec.ExitStatus != "submitted" || rec.Requeries != 2 || rec.Turns != 1 {
		t.Fatalf("record %+v", rec)
	}
	blocked, syntax := l.reply(t, 1, 0), l.reply(t, 1, 1)
	if blocked.Valid || blocked.FormatCode != agent.CodeBlocked || blocked.FormatError != "Operation 'vim app.py' is not supported by this environment." || blocked.Action == nil {
		t.Errorf("blocked reply %+v", blocked)
	}
	if syntax.Valid || syntax.FormatCode != agent.CodeBashSyntax || !strings.Contains(syntax.FormatError, "syntax error near unexpected token") {
		t.Errorf("syntax reply %+v", syntax)
	}
	last := func(i int) string { m := l.model.sent[i]; return m[len(m)-1].Content }
	if last(1) != blocked.FormatError || !strings.HasPrefix(last(2), "Your bash command has syntax errors and was NOT run.") {
		t.Errorf("re-query messages:\n%s\n---\n%s", last(1), last(2))
	}
	// The failed attempts are steps of the trajectory, with their action,
	// the refusal as observation and the state trailer's values.
	data, err := os.ReadFile(l.store.Path(store.TrajFile(ref(agent.Limits{}).Dir(), "demo__loop-1")))
	if err != nil {
		t.Fatal(err)
	}
	var traj struct {
		Trajectory []struct {
			Action, Observation string
			State               map[string]string
		}
	}
	if err := json.Unmarshal(data, &traj); err != nil || len(traj.Trajectory) != 3 {
		t.Fatalf("%d steps (%v)", len(traj.Trajectory), err)
	}
	s0 := traj.Trajectory[0]
	if s0.Action != "vim app.py" || s0.Observation != blocked.FormatError || s0.State["open_file"] != "n/a" || s0.State["working_dir"] == "" {
		t.Errorf("first step %+v", s0)
	}
	if traj.Trajectory[2].Action != "submit" {
		t.Errorf("last step %+v", traj.Trajectory[2])
	}
}

// TestExitContext: a context-window overflow reported by the model layer
// is not retried and ends the instance with exit_context (autosubmitted,
// since the first turn changed a file).
func TestExitContext(t *testing.T) {
	l := newLoop(t, bash("echo x >> README.md"), reply{err: &llm.Error{Kind: llm.KindContextExceeded, Provider: "p", Model: "m"}})
	rec := l.run(t, limits(nil))
	if l.model.calls() != 2 {
		t.Fatalf("record %+v after %d calls: the overflow must not be retried", rec, l.model.calls())
	}
	if rec.ExitStatus != "submitted (exit_context)" {
		t.Errorf("status %q, want submitted (exit_context)", rec.ExitStatus)
	}
}

type brokenTask struct{ oneTask }

func (brokenTask) Open(context.Context, sweep.RunConfig, string, activities.OpenOptions) (sandbox.Sandbox, error) {
	return nil, errors.New("no container runtime")
}

// TestExitEnvironmentError: a sandbox that cannot be made ends the
// instance with exit_environment_error before any model call.
func TestExitEnvironmentError(t *testing.T) {
	l := newLoop(t, tool("submit", "{}"))
	l.acts.Tasks = brokenTask{}
	rec := l.run(t, limits(nil))
	if rec.ExitStatus != agent.ExitEnvironmentError || l.model.calls() != 0 || !strings.Contains(rec.Error, "no container runtime") {
		t.Errorf("record %+v after %d calls", rec, l.model.calls())
	}
}
