package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/sandbox"
)

var update = flag.Bool("update", false, "re-record tasks/*/replay.traj by running the scripted actions")

// step is one scripted agent turn. The command "submit" calls the submit
// tool; every other command goes to the bash tool.
type step struct {
	Thought string
	Command string
}

const submitCommand = "submit"

// scripts holds the scripted turns of every task (scripts_*_test.go).
var scripts = map[string][]step{}

const stepTimeout = 60 * time.Second

const systemPrompt = `You are an autonomous software engineer working in a Linux shell on a checked-out code repository. You act only through tool calls:

- bash: runs one shell command in the repository root and shows its combined stdout and stderr. Each command starts in a fresh shell in the repository root, so chain dependent steps with &&. Interactive programs (editors, REPLs, pagers) are not available.
- submit: ends the session; your changes are collected with git diff.

In every reply, first think briefly about what you have learned and what to do next, then make exactly one tool call.`

const instanceTemplate = `A repository has been checked out at /testbed, and a user has reported the following issue.

ISSUE:
%s

INSTRUCTIONS:
Make the smallest change to the non-test source files that resolves the issue. Reproduce the problem first, then locate and fix its cause, and run the existing tests before you submit. You work alone and cannot ask questions. Do not modify the tests and do not install packages.`

const noOutput = "(the command completed without output)"

// normalize maps sandbox paths to the stable names an agent would see in a
// SWE-bench container, so recordings do not depend on temp directory names.
func normalize(out string, sb *sandbox.Local) string {
	out = strings.ReplaceAll(out, sb.Workdir(), "/testbed")
	out = strings.ReplaceAll(out, filepath.Join(sb.Dir(), "home"), "/root")
	return strings.ReplaceAll(out, filepath.Join(sb.Dir(), "tmp"), "/tmp")
}

// record runs the scripted turns of task in a fresh sandbox and returns the
// resulting trajectory with the real observations.
func record(ctx context.Context, task Task, steps []step) (*Traj, error) {
	repo, err := RepoFS(task.InstanceID)
	if err != nil {
		return nil, err
	}
	sb, err := sandbox.NewLocal(ctx, repo, sandbox.LocalOptions{})
	if err != nil {
		return nil, err
	}
	defer sb.Close(ctx)

	tr := &Traj{Environment: task.InstanceID}
	tr.History = []TrajItem{
		{Role: agent.RoleSystem, Content: systemPrompt, MessageType: agent.TypeSystemPrompt, Agent: task.InstanceID},
		{Role: agent.RoleUser, Content: fmt.Sprintf(instanceTemplate, task.ProblemStatement), MessageType: agent.TypeObservation, Agent: task.InstanceID},
	}
	for i, st := range steps {
		callID := fmt.Sprintf("call_%d", i+1)
		call := TrajToolCall{ID: callID, Type: "function", Function: TrajFunction{Name: "bash"}}
		var obs string
		start := time.Now()
		if st.Command == submitCommand {
			if i != len(steps)-1 {
				return nil, fmt.Errorf("%s: submit must be the last step", task.InstanceID)
			}
			call.Function = TrajFunction{Name: "submit", Arguments: "{}"}
			if obs, err = sandbox.Diff(ctx, sb); err != nil {
				return nil, err
			}
			tr.Info.Submission = &obs
			tr.Info.ExitStatus = "submitted"
		} else {
			args, _ := json.Marshal(map[string]string{"command": st.Command})
			call.Function.Arguments = string(args)
			res, err := sb.Exec(ctx, st.Command, stepTimeout)
			if err != nil {
				return nil, err
			}
			if res.TimedOut {
				return nil, fmt.Errorf("%s: step %d timed out", task.InstanceID, i+1)
			}
			obs = normalize(res.Output, sb)
		}
		elapsed := time.Since(start).Seconds()
		content := obs
		if strings.TrimSpace(content) == "" {
			content = noOutput
		}
		tr.History = append(tr.History,
			TrajItem{Role: agent.RoleAssistant, Content: st.Thought, MessageType: agent.TypeAction, Agent: task.InstanceID,
				Thought: st.Thought, Action: st.Command, ToolCalls: []TrajToolCall{call}},
			TrajItem{Role: agent.RoleTool, Content: content, MessageType: agent.TypeObservation, Agent: task.InstanceID,
				ToolCallIDs: []string{callID}})
		tr.Trajectory = append(tr.Trajectory, TrajStep{
			Action: st.Command, Observation: obs, Response: st.Thought, Thought: st.Thought,
			ExecutionTime: float64(int(elapsed*1000)) / 1000,
			State:         map[string]string{"open_file": "n/a", "working_dir": "/testbed"},
			ExtraInfo:     map[string]any{},
		})
	}
	if tr.Info.ExitStatus != "submitted" {
		return nil, fmt.Errorf("%s: script does not end with submit", task.InstanceID)
	}
	stats := ModelStats{APICalls: len(steps)}
	tr.Info.ModelStats, tr.Info.AgentModelStats = stats, stats
	return tr, tr.Validate()
}

func encodeTraj(tr *Traj) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(tr); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func TestRecord(t *testing.T) {
	if !*update {
		t.Skip("run `go test ./demo -run TestRecord -update` to re-record the replay trajectories")
	}
	tasks, err := Tasks()
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		steps, ok := scripts[task.InstanceID]
		if !ok {
			t.Errorf("no script for %s", task.InstanceID)
			continue
		}
		tr, err := record(context.Background(), task, steps)
		if err != nil {
			t.Errorf("recording %s: %v", task.InstanceID, err)
			continue
		}
		rep, err := Evaluate(context.Background(), task, *tr.Info.Submission, sandbox.LocalOptions{})
		if err != nil || !rep.Resolved {
			t.Errorf("%s: recorded patch does not resolve the task (err %v, report %+v)", task.InstanceID, err, rep)
			continue
		}
		data, err := encodeTraj(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("tasks", task.InstanceID, "replay.traj"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d turns, %d bytes", task.InstanceID, len(steps), len(data))
	}
}
