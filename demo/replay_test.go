package demo

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/sandbox"
)

// replayActions extracts the tool calls of a recorded history.
func replayActions(t *testing.T, tr *Traj) []step {
	t.Helper()
	var steps []step
	for _, m := range tr.Messages() {
		if m.Role != agent.RoleAssistant {
			continue
		}
		tc := m.ToolCalls[0]
		switch tc.Name {
		case "submit":
			if tc.Arguments != "{}" || m.Action != submitCommand {
				t.Fatalf("submit call %+v, action %q", tc, m.Action)
			}
			steps = append(steps, step{m.Thought, submitCommand})
		case "bash":
			var args map[string]string
			if err := json.Unmarshal([]byte(tc.Arguments), &args); err != nil || len(args) != 1 || args["command"] != m.Action {
				t.Fatalf("bash call %+v does not match action %q (%v)", tc, m.Action, err)
			}
			steps = append(steps, step{m.Thought, args["command"]})
		default:
			t.Fatalf("unknown tool %q", tc.Name)
		}
		if m.Content != m.Thought || m.Thought == "" {
			t.Fatalf("assistant content %q differs from thought %q", m.Content, m.Thought)
		}
	}
	return steps
}

func TestReplayResolves(t *testing.T) {
	tasks, err := Tasks()
	if err != nil {
		t.Fatal(err)
	}
	turns := map[string]int{}
	for _, task := range tasks {
		data, err := Replay(task.InstanceID)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := ParseTraj(data)
		if err != nil {
			t.Fatalf("%s: %v", task.InstanceID, err)
		}
		turns[task.InstanceID] = tr.Turns()
		t.Run(task.InstanceID, func(t *testing.T) {
			t.Parallel()
			checkReplay(t, task, tr)
		})
	}
	long, distinct := 0, map[int]bool{}
	for _, n := range turns {
		distinct[n] = true
		long = max(long, n)
	}
	if long < 15 || len(distinct) < 3 {
		t.Errorf("turn counts lack variety: %v", turns)
	}
}

func checkReplay(t *testing.T, task Task, tr *Traj) {
	ctx := context.Background()
	id := task.InstanceID
	if n := tr.Turns(); n < 6 || n > 20 || len(tr.Trajectory) != n || tr.Environment != id {
		t.Fatalf("%d turns, %d steps, environment %q", n, len(tr.Trajectory), tr.Environment)
	}
	if !strings.Contains(tr.History[1].Content, task.ProblemStatement) {
		t.Fatal("instance message lacks the problem statement")
	}
	steps := replayActions(t, tr)
	if want, ok := scripts[id]; !ok || len(want) != len(steps) {
		t.Fatalf("replay.traj is out of date with its script (re-record with -update)")
	} else {
		for i := range want {
			if want[i] != steps[i] {
				t.Fatalf("step %d differs from the script (re-record with -update):\n%q\n%q", i+1, steps[i], want[i])
			}
		}
	}
	if steps[len(steps)-1].Command != submitCommand || tr.Info.Submission == nil || tr.Info.ExitStatus != "submitted" {
		t.Fatal("trajectory does not end with a submission")
	}

	repo, err := RepoFS(id)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.NewLocal(ctx, repo, sandbox.LocalOptions{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close(ctx)
	var patch string
	for i, st := range steps {
		if st.Command == submitCommand {
			if patch, err = sandbox.Diff(ctx, sb); err != nil {
				t.Fatal(err)
			}
			break
		}
		res, err := sb.Exec(ctx, st.Command, stepTimeout)
		if err != nil || res.TimedOut {
			t.Fatalf("step %d: err %v, timed out %v", i+1, err, res.TimedOut)
		}
		// Commands that do not run Python are deterministic: the recorded
		// observation must be what the command prints today.
		if !strings.Contains(st.Command, "python3") {
			if got := normalize(res.Output, sb); got != tr.Trajectory[i].Observation {
				t.Errorf("step %d (%s): observation differs from the recording:\n got %q\nwant %q",
					i+1, st.Command, got, tr.Trajectory[i].Observation)
			}
		}
	}
	if patch != *tr.Info.Submission || patch != tr.Trajectory[len(steps)-1].Observation {
		t.Fatalf("replayed patch differs from the recorded submission:\n%s", patch)
	}
	rep, err := Evaluate(ctx, task, patch, sandbox.LocalOptions{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.PatchApplied || !rep.Resolved {
		t.Fatalf("replayed patch does not resolve %s: %+v", id, rep)
	}
}
