package activities

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Setup creates the instance's sandbox on this worker and, the first time,
// stores the system and instance messages.
func (a *Activities) Setup(ctx context.Context, in workflows.SetupInput) (workflows.SetupResult, error) {
	cfg := in.Ref.Trial.Config
	ac, err := a.agentConfig(in.Ref)
	if err != nil {
		return workflows.SetupResult{}, err
	}
	if err := config.CheckTrialAgent(ac, in.Ref.Trial.Tuning.Agent, in.Ref.Trial.Config, in.Ref.Trial.Strategy); err != nil {
		return workflows.SetupResult{}, configError("instance %s: %v", in.Ref.InstanceID, err)
	}
	if err := a.pollTrialQueues(in.Ref.Trial); err != nil {
		return workflows.SetupResult{}, err
	}
	hash := ""
	if cr := in.Ref.Trial.Tuning.Agent; cr != nil {
		hash = cr.Hash
	}
	dir := in.Ref.Dir()
	var head Head
	if ok, err := a.Store.ReadJSON(store.HeadFile(dir), &head); err != nil {
		return workflows.SetupResult{}, err
	} else if ok && head.AgentConfig != hash {
		return workflows.SetupResult{}, configError("instance %s was started with agent configuration %q, this trial has %q: "+
			"run it under another sweep name", in.Ref.InstanceID, head.AgentConfig, hash)
	}
	stop := keepAlive(ctx)
	defer stop()
	sb, err := a.Tasks.Open(ctx, cfg, in.Ref.InstanceID, a.openOptions(in.Ref, "agent"))
	if err != nil {
		return workflows.SetupResult{}, fmt.Errorf("instance %s: setting up the sandbox: %w", in.Ref.InstanceID, err)
	}
	a.mu.Lock()
	a.sandboxes[sb.ID()] = sb
	a.mu.Unlock()
	a.event(dir, Event{Kind: EventSetup, Note: "sandbox " + sb.ID()})
	if !a.Store.Exists(store.HeadFile(dir)) {
		problem, err := a.Tasks.Problem(cfg, in.Ref.InstanceID)
		if err != nil {
			return workflows.SetupResult{}, configError("instance %s: %v", in.Ref.InstanceID, err)
		}
		head, err := a.head(ac, problem, sb.Workdir())
		if err != nil {
			return workflows.SetupResult{}, err
		}
		head.AgentConfig = hash
		if err := a.Store.WriteJSON(store.HeadFile(dir), head); err != nil {
			return workflows.SetupResult{}, err
		}
	}
	return workflows.SetupResult{SandboxID: sb.ID()}, nil
}

// head renders the system and instance messages (the instance message
// followed by the strategy template, when there is one).
func (a *Activities) head(ac agent.Config, problem, workdir string) (Head, error) {
	sys, inst, err := agent.RenderHead(ac, problem, workdir)
	if err != nil {
		return Head{}, configError("%v", err)
	}
	return Head{System: sys, Instance: inst, Workdir: workdir}, nil
}

// Execute runs a turn's accepted action in the sandbox and stores the
// observation with the viewer state after it. An attempt whose observation
// is already stored is not run again. An editor failure that the seed
// answers with a re-query (retry-with-output, §3.4) is stored apart
// (RetryObservationFile) and reported; the turn then continues with its
// next attempt.
func (a *Activities) Execute(ctx context.Context, in workflows.ExecuteInput) (workflows.ExecuteResult, error) {
	dir := in.Ref.Dir()
	var obs Observation
	for _, file := range []string{store.ObservationFile(dir, in.Turn), RetryObservationFile(dir, in.Turn, in.Attempt)} {
		if ok, err := a.Store.ReadJSON(file, &obs); err != nil {
			return workflows.ExecuteResult{}, err
		} else if ok {
			return execResult(obs), nil
		}
	}
	ac, err := a.agentConfig(in.Ref)
	if err != nil {
		return workflows.ExecuteResult{}, err
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
	obs, err = a.run(ctx, in.Ref, ac, sb, *rep.Action, st)
	if err != nil {
		return workflows.ExecuteResult{}, err
	}
	obs.Turn, obs.Attempt = in.Turn, in.Attempt
	file := store.ObservationFile(dir, in.Turn)
	switch {
	case obs.RetryWithOutput:
		// The seed re-queries with the next-step template around the output.
		vars := obs.State.Vars()
		vars["observation"] = obs.Output
		obs.Content, err = agent.Render(ac.Templates.NextStep, vars)
		file = RetryObservationFile(dir, in.Turn, in.Attempt)
	case obs.TimedOut:
		obs.Content, err = agent.Render(ac.Templates.CommandTimeout, map[string]string{"command": rep.Action.Command, "timeout": fmt.Sprint(a.execTimeout(in.Ref).Seconds())})
	default:
		obs.Content, err = ac.Templates.Observation(obs.Output, obs.State.Vars())
	}
	if err != nil {
		return workflows.ExecuteResult{}, configError("observation template: %v", err)
	}
	if err := a.Store.WriteJSON(file, obs); err != nil {
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
		ExecSeconds: o.ExecSeconds, ObsBytes: len(o.Content), PatchBytes: o.PatchBytes, RetryWithOutput: o.RetryWithOutput}
}

func (a *Activities) execTimeout(ref workflows.InstanceRef) time.Duration {
	if s := ref.Trial.AgentLimits().ExecutionTimeoutSec; s > 0 {
		return time.Duration(s) * time.Second
	}
	return sandbox.DefaultTimeout
}

func (a *Activities) tools(sb sandbox.Sandbox, ref workflows.InstanceRef, ac agent.Config, st agent.ViewerState) *toolRun {
	return &toolRun{sb: sb, w: ac.Window(), timeout: a.execTimeout(ref), st: st}
}

// run performs one action from viewer state st.
func (a *Activities) run(ctx context.Context, ref workflows.InstanceRef, ac agent.Config, sb sandbox.Sandbox, act agent.Action, st agent.ViewerState) (Observation, error) {
	start := time.Now()
	switch {
	case act.Call.Name == "submit":
		patch, err := sandbox.Diff(ctx, sb)
		if err != nil {
			return Observation{}, err
		}
		if err := a.savePatch(ctx, ref, sb, patch); err != nil {
			return Observation{}, err
		}
		return Observation{Output: patch, Submitted: true, PatchBytes: len(patch), ExecSeconds: time.Since(start).Seconds(), State: st}, nil
	case strings.TrimSpace(act.Command) == "exit":
		return Observation{Output: "Exited", ExitCommand: true, State: st}, nil
	}
	res, err := a.tools(sb, ref, ac, st).run(ctx, act)
	if err != nil {
		return Observation{}, err
	}
	return Observation{Output: res.Output, ExitCode: res.ExitCode, TimedOut: res.TimedOut, ExecSeconds: res.Duration.Seconds(),
		State: res.State, RetryWithOutput: res.Retry}, nil
}

// savePatch stores a non-empty patch and the edited-files context of the
// trajectory's info (read from the sandbox now: it is gone by Finalize).
func (a *Activities) savePatch(ctx context.Context, ref workflows.InstanceRef, sb sandbox.Sandbox, patch string) error {
	if strings.TrimSpace(patch) == "" {
		return nil
	}
	if err := a.saveEditedFiles(ctx, ref, sb, patch); err != nil {
		return err
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
	ac, err := a.agentConfig(in.Ref)
	if err != nil {
		return err
	}
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
		if _, err := a.tools(sb, in.Ref, ac, st).run(ctx, *rep.Action); err != nil {
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
	return workflows.AutosubmitResult{PatchBytes: len(patch)}, a.savePatch(ctx, in.Ref, sb, patch)
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
