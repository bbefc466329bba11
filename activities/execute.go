package activities

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Setup creates the instance's sandbox on this worker and, the first time,
// stores the system and instance messages.
func (a *Activities) Setup(ctx context.Context, in workflows.SetupInput) (workflows.SetupResult, error) {
	cfg := in.Ref.Trial.Config
	stop := keepAlive(ctx)
	defer stop()
	sb, err := a.Tasks.Open(ctx, cfg, in.Ref.InstanceID, a.openOptions(in.Ref, "agent"))
	if err != nil {
		return workflows.SetupResult{}, fmt.Errorf("instance %s: setting up the sandbox: %w", in.Ref.InstanceID, err)
	}
	a.mu.Lock()
	a.sandboxes[sb.ID()] = sb
	a.mu.Unlock()
	dir := in.Ref.Dir()
	a.event(dir, Event{Kind: EventSetup, Note: "sandbox " + sb.ID()})
	if !a.Store.Exists(store.HeadFile(dir)) {
		problem, err := a.Tasks.Problem(cfg, in.Ref.InstanceID)
		if err != nil {
			return workflows.SetupResult{}, configError("instance %s: %v", in.Ref.InstanceID, err)
		}
		head, err := a.head(problem, sb.Workdir())
		if err != nil {
			return workflows.SetupResult{}, err
		}
		if err := a.Store.WriteJSON(store.HeadFile(dir), head); err != nil {
			return workflows.SetupResult{}, err
		}
	}
	return workflows.SetupResult{SandboxID: sb.ID()}, nil
}

func (a *Activities) head(problem, workdir string) (Head, error) {
	vars := map[string]string{"problem_statement": problem, "open_file": "n/a", "working_dir": workdir}
	for k, v := range a.Agent.Env {
		vars[k] = v
	}
	sys, err := agent.Render(a.Agent.Templates.System, vars)
	if err != nil {
		return Head{}, configError("system_template: %v", err)
	}
	inst, err := agent.Render(a.Agent.Templates.Instance, vars)
	if err != nil {
		return Head{}, configError("instance_template: %v", err)
	}
	return Head{
		System:   agent.Message{Role: agent.RoleSystem, Content: sys, MessageType: agent.TypeSystemPrompt},
		Instance: agent.Message{Role: agent.RoleUser, Content: inst, MessageType: agent.TypeObservation},
		Workdir:  workdir,
	}, nil
}

// Execute runs a turn's accepted action in the sandbox and stores the
// observation with the viewer state after it. A turn whose observation is
// already stored is not run again.
func (a *Activities) Execute(ctx context.Context, in workflows.ExecuteInput) (workflows.ExecuteResult, error) {
	dir := in.Ref.Dir()
	var obs Observation
	if ok, err := a.Store.ReadJSON(store.ObservationFile(dir, in.Turn), &obs); err != nil {
		return workflows.ExecuteResult{}, err
	} else if ok {
		return execResult(obs), nil
	}
	sb, err := a.sandbox(in.SandboxID)
	if err != nil {
		return workflows.ExecuteResult{}, err
	}
	var rep Reply
	if ok, err := a.Store.ReadJSON(store.ReplyFile(dir, in.Turn, in.Attempt), &rep); err != nil || !ok || rep.Action == nil || !rep.Valid {
		return workflows.ExecuteResult{}, fmt.Errorf("turn %d attempt %d: no accepted reply to execute (%v)", in.Turn, in.Attempt, err)
	}
	stop := keepAlive(ctx)
	defer stop()
	a.event(dir, Event{Kind: EventExecute, Turn: in.Turn, Attempt: in.Attempt})
	st, err := a.stateBefore(dir, in.Turn, sb.Workdir())
	if err != nil {
		return workflows.ExecuteResult{}, err
	}
	obs, err = a.run(ctx, in.Ref, sb, *rep.Action, st)
	if err != nil {
		return workflows.ExecuteResult{}, err
	}
	obs.Turn, obs.Attempt = in.Turn, in.Attempt
	if obs.Content, err = a.Agent.Templates.Observation(obs.Output, obs.State.Vars()); err != nil {
		return workflows.ExecuteResult{}, configError("observation template: %v", err)
	}
	if obs.TimedOut {
		msg, _ := agent.Render(a.Agent.Templates.CommandTimeout, map[string]string{"command": rep.Action.Command, "timeout": fmt.Sprint(a.execTimeout(in.Ref).Seconds())})
		obs.Content = msg
	}
	if err := a.Store.WriteJSON(store.ObservationFile(dir, in.Turn), obs); err != nil {
		return workflows.ExecuteResult{}, err
	}
	return execResult(obs), nil
}

// stateBefore is the viewer state after turn-1 (the start state for turn
// 1), moved to root when the sandbox was rebuilt under another path.
func (a *Activities) stateBefore(dir string, turn int, root string) (agent.ViewerState, error) {
	start := agent.ViewerState{Cwd: root, Root: root}
	if turn <= 1 {
		return start, nil
	}
	var prev Observation
	ok, err := a.Store.ReadJSON(store.ObservationFile(dir, turn-1), &prev)
	if err != nil {
		return start, err
	}
	if !ok || prev.State.Cwd == "" {
		return start, nil // observations stored before the viewer state existed
	}
	return prev.State.Rebase(root), nil
}

func execResult(o Observation) workflows.ExecuteResult {
	return workflows.ExecuteResult{Submitted: o.Submitted, ExitCommand: o.ExitCommand, TimedOut: o.TimedOut,
		ExecSeconds: o.ExecSeconds, ObsBytes: len(o.Content), PatchBytes: o.PatchBytes}
}

func (a *Activities) execTimeout(ref workflows.InstanceRef) time.Duration {
	if s := ref.Trial.Limits.ExecutionTimeoutSec; s > 0 {
		return time.Duration(s) * time.Second
	}
	return sandbox.DefaultTimeout
}

func (a *Activities) tools(sb sandbox.Sandbox, ref workflows.InstanceRef, st agent.ViewerState) *toolRun {
	return &toolRun{sb: sb, w: agent.WindowFromEnv(a.Agent.Env), timeout: a.execTimeout(ref), st: st}
}

// run performs one action from viewer state st.
func (a *Activities) run(ctx context.Context, ref workflows.InstanceRef, sb sandbox.Sandbox, act agent.Action, st agent.ViewerState) (Observation, error) {
	start := time.Now()
	switch {
	case act.Call.Name == "submit":
		patch, err := sandbox.Diff(ctx, sb)
		if err != nil {
			return Observation{}, err
		}
		if err := a.savePatch(ref, patch); err != nil {
			return Observation{}, err
		}
		return Observation{Output: patch, Submitted: true, PatchBytes: len(patch), ExecSeconds: time.Since(start).Seconds(), State: st}, nil
	case strings.TrimSpace(act.Command) == "exit":
		return Observation{Output: "Exited", ExitCommand: true, State: st}, nil
	}
	res, err := a.tools(sb, ref, st).run(ctx, act)
	if err != nil {
		return Observation{}, err
	}
	return Observation{Output: res.Output, ExitCode: res.ExitCode, TimedOut: res.TimedOut, ExecSeconds: res.Duration.Seconds(),
		State: res.State, RetryWithOutput: res.Retry}, nil
}

func (a *Activities) savePatch(ref workflows.InstanceRef, patch string) error {
	if strings.TrimSpace(patch) == "" {
		return nil
	}
	return a.Store.WriteFile(store.PatchFile(ref.Dir(), ref.InstanceID), []byte(patch))
}

// Restore replays the recorded actions that change files (bash commands,
// create, edit, insert) of the completed turns into a new sandbox, each
// from the viewer state it ran in, so the agent continues where it was
// after its worker died.
func (a *Activities) Restore(ctx context.Context, in workflows.RestoreInput) error {
	sb, err := a.sandbox(in.SandboxID)
	if err != nil {
		return err
	}
	stop := keepAlive(ctx)
	defer stop()
	dir := in.Ref.Dir()
	a.event(dir, Event{Kind: EventRestore, Turn: in.Turns, Note: "replaying recorded commands into sandbox " + in.SandboxID})
	for t := 1; t <= in.Turns; t++ {
		obs, rep, err := a.turn(dir, t)
		if err != nil {
			return err
		}
		if rep.Action == nil || !mutates(rep.Action.Call.Name) || obs.TimedOut || obs.RetryWithOutput {
			continue
		}
		st, err := a.stateBefore(dir, t, sb.Workdir())
		if err != nil {
			return err
		}
		if _, err := a.tools(sb, in.Ref, st).run(ctx, *rep.Action); err != nil {
			return fmt.Errorf("restoring turn %d: %w", t, err)
		}
	}
	return nil
}

// Autosubmit collects the diff after an exit other than submit.
func (a *Activities) Autosubmit(ctx context.Context, in workflows.AutosubmitInput) (workflows.AutosubmitResult, error) {
	sb, err := a.sandbox(in.SandboxID)
	if err != nil {
		return workflows.AutosubmitResult{}, err
	}
	patch, err := sandbox.Diff(ctx, sb)
	if err != nil {
		return workflows.AutosubmitResult{}, err
	}
	if strings.TrimSpace(patch) == "" {
		return workflows.AutosubmitResult{}, nil
	}
	return workflows.AutosubmitResult{PatchBytes: len(patch)}, a.savePatch(in.Ref, patch)
}

// Teardown removes a sandbox; a sandbox already gone is not an error.
func (a *Activities) Teardown(ctx context.Context, in workflows.TeardownInput) error {
	a.mu.Lock()
	sb, ok := a.sandboxes[in.SandboxID]
	delete(a.sandboxes, in.SandboxID)
	a.mu.Unlock()
	if !ok {
		return nil
	}
	return sb.Close(ctx)
}

// SandboxRootFor is where a worker keeps its local sandboxes.
func SandboxRootFor(dataDir string) string { return filepath.Join(dataDir, "sandboxes") }
