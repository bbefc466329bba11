package activities

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// ModelCall queries the model for one attempt of a turn: the strategy's view
// of the stored history (plus the last format error, on a re-query), then
// the provider. The reply is stored before the activity returns, and a reply
// already stored is returned without calling the model again, so a retried
// or replayed activity never pays twice.
func (a *Activities) ModelCall(ctx context.Context, in workflows.ModelCallInput) (workflows.ModelCallResult, error) {
	dir := in.Ref.Dir()
	file := store.ReplyFile(dir, in.Turn, in.Attempt)
	var rep Reply
	if ok, err := a.Store.ReadJSON(file, &rep); err != nil {
		return workflows.ModelCallResult{}, err
	} else if ok {
		return resultOf(rep, true), nil
	}
	cfg := in.Ref.Trial.Config
	presets, err := a.presets(in.Ref.Trial)
	if err != nil {
		return workflows.ModelCallResult{}, err
	}
	preset, err := presets.Get(cfg.Model)
	if err != nil {
		return workflows.ModelCallResult{}, configError("%v", err)
	}
	model, err := a.Models(preset, cfg, in.Ref.InstanceID)
	if err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "model "+cfg.Model+":") { // said once
			msg = "model " + cfg.Model + ": " + msg
		}
		return workflows.ModelCallResult{}, configError("%s", msg)
	}
	ac, err := a.agentConfig(in.Ref)
	if err != nil {
		return workflows.ModelCallResult{}, err
	}
	msgs, err := a.prompt(in, ac)
	if err != nil {
		return workflows.ModelCallResult{}, err
	}
	a.event(dir, Event{Kind: EventModelCall, Turn: in.Turn, Attempt: in.Attempt})
	tools := ac.ToolList()
	stop := keepAlive(ctx)
	resp, err := model.Complete(ctx, llm.Request{Messages: msgs, Tools: tools, Temperature: preset.Temperature, MaxOutput: preset.MaxOutput, Turn: in.Turn})
	stop()
	hashes, tokens := promptFingerprint(msgs)
	if err != nil && isContentPolicy(err) {
		// A content-policy refusal is a failed attempt of the turn, asked
		// again with the same messages and no feedback (seed-system §3.4).
		rep = Reply{Turn: in.Turn, Attempt: in.Attempt, FormatCode: agent.CodeContentPolicy,
			FormatError:  "the provider refused the request under its content policy: " + err.Error(),
			PromptHashes: hashes, PromptTokens: tokens, ViewSize: len(msgs), Retries: attemptsBefore(ctx)}
		if err := a.Store.WriteJSON(file, rep); err != nil {
			return workflows.ModelCallResult{}, err
		}
		return resultOf(rep, false), nil
	}
	if err != nil {
		if v := preset.KeyEnv(); v != "" && llm.IsAuth(err) {
			err = fmt.Errorf("%w (the key is %s)", err, v) // which key to check
		}
		merr := modelError(cfg.Model, in.Turn, err)
		a.noteTrouble(ctx, dir, cfg.Model, in.Turn, merr)
		return workflows.ModelCallResult{}, merr
	}
	a.clearTrouble(ctx, dir)
	if !resp.ProviderUsage && resp.Usage.CachedInput == 0 {
		resp.Usage.CachedInput = a.simulatedCache(dir, in, hashes, tokens)
	}
	content, fullSize := capReply(resp.Content)
	rep = Reply{Turn: in.Turn, Attempt: in.Attempt, Content: content, ToolCalls: resp.ToolCalls,
		Usage: resp.Usage, Cost: preset.Cost(resp.Usage), LatencyMS: resp.Latency.Milliseconds(),
		PromptHashes: hashes, PromptTokens: tokens, ViewSize: len(msgs), Retries: attemptsBefore(ctx), TruncatedFrom: fullSize}
	if resp.Filtered != "" && len(resp.ToolCalls) == 0 {
		// Answered but withheld under the provider's content policy: paid,
		// and asked again like a refused request (seed-system §3.4).
		rep.FormatCode = agent.CodeContentPolicy
		rep.FormatError = "the provider withheld the reply under its content policy (" + resp.Filtered + ")"
		if err := a.Store.WriteJSON(file, rep); err != nil {
			return workflows.ModelCallResult{}, err
		}
		return resultOf(rep, false), nil
	}
	action, ferr := agent.ParseReply(resp.Content, resp.ToolCalls, tools)
	if ferr == nil {
		if ferr = refuse(ctx, ac, action); ferr != nil {
			rep.Action = &action // recorded in the trajectory step, never run
		}
	}
	if ferr != nil {
		rep.FormatError, rep.FormatCode = ferr.Message, ferr.Code
	} else {
		rep.Valid, rep.Action = true, &action
	}
	if err := a.Store.WriteJSON(file, rep); err != nil {
		return workflows.ModelCallResult{}, err
	}
	return resultOf(rep, false), nil
}

func resultOf(r Reply, cached bool) workflows.ModelCallResult {
	return workflows.ModelCallResult{Valid: r.Valid, FormatError: r.FormatError, Usage: r.Usage, Cost: r.Cost, Cached: cached, Retries: r.Retries}
}

// attemptsBefore is the number of failed tries of the running activity.
func attemptsBefore(ctx context.Context) int {
	if !activity.IsActivity(ctx) {
		return 0
	}
	return int(activity.GetInfo(ctx).Attempt) - 1
}

// prompt is what the model sees: the strategy's view of the history and,
// on a re-query, the pair of messages that requery adds.
func (a *Activities) prompt(in workflows.ModelCallInput, ac agent.Config) ([]agent.Message, error) {
	dir := in.Ref.Dir()
	h, err := a.history(dir, in.Turn-1)
	if err != nil {
		return nil, err
	}
	sums, err := a.summaries(dir)
	if err != nil {
		return nil, err
	}
	view, err := strategy.View(in.Ref.Trial.Strategy, h, sums)
	if err != nil {
		return nil, fmt.Errorf("strategy view for turn %d: %w", in.Turn, err)
	}
	if in.Attempt == 0 {
		return view, nil
	}
	pair, err := a.requery(dir, in.Turn, in.Attempt-1, ac)
	return append(view, pair...), err
}

// requery is what a re-query adds to the view after attempt prev of turn
// (seed-system §3.4): the failed reply's text (without its tool calls) and
// the message for its failure — the format-error template of its error
// code, the stored refusal (blocklist, bash syntax), or the next-step
// template around the output of an editor failure (retry-with-output). A
// content-policy refusal adds the same messages as the attempt before it:
// only the latest failure is shown, never a chain.
func (a *Activities) requery(dir string, turn, prev int, ac agent.Config) ([]agent.Message, error) {
	var rep Reply
	if ok, err := a.Store.ReadJSON(store.ReplyFile(dir, turn, prev), &rep); err != nil || !ok {
		return nil, fmt.Errorf("re-query of turn %d: attempt %d missing (%v)", turn, prev, err)
	}
	var msg string
	switch {
	case rep.FormatCode == agent.CodeContentPolicy:
		if prev == 0 {
			return nil, nil
		}
		return a.requery(dir, turn, prev-1, ac)
	case rep.Valid:
		var obs Observation
		if ok, err := a.Store.ReadJSON(RetryObservationFile(dir, turn, prev), &obs); err != nil || !ok {
			return nil, fmt.Errorf("re-query of turn %d: attempt %d ran but left no retry observation (%v)", turn, prev, err)
		}
		msg = obs.Content
	case rep.FormatCode == agent.CodeBlocked || rep.FormatCode == agent.CodeBashSyntax:
		msg = rep.FormatError // rendered when the action was refused
	default:
		vars := map[string]string{"exception_message": rep.FormatError, "error_code": rep.FormatCode,
			"thought": rep.Content, "output": rep.Content, "observation": "", "action": ""}
		if rep.Action != nil {
			vars["action"] = rep.Action.Command
		}
		var err error
		if msg, err = ac.Templates.FormatErrorMessage(rep.FormatCode, vars); err != nil {
			return nil, configError("format error template (%s): %v", rep.FormatCode, err)
		}
	}
	return []agent.Message{{Role: agent.RoleAssistant, Content: rep.Content}, {Role: agent.RoleUser, Content: msg}}, nil
}

// refuse rejects an action before it runs, as the seed does (§3.3, §3.4),
// with the configuration's lists and messages: a blocklisted or
// interactive command, or a bash command that `bash -n` rejects (see
// bashSyntax). The refusal is a format error: the model is asked again and
// it counts towards exit_format.
func refuse(ctx context.Context, ac agent.Config, act agent.Action) *agent.FormatError {
	if ac.Tools.Blocked(act.Command) {
		msg, err := ac.Templates.BlockedMessage(act.Command)
		if err != nil {
			msg = agent.BlockedMessage(act.Command)
		}
		return &agent.FormatError{Code: agent.CodeBlocked, Message: msg}
	}
	if act.Call.Name != "bash" {
		return nil
	}
	stdout, stderr, bad := bashSyntax(ctx, act.Command)
	if !bad {
		return nil
	}
	msg, err := ac.Templates.ShellCheckMessage(stdout, stderr)
	if err != nil {
		msg = stderr
	}
	return &agent.FormatError{Code: agent.CodeBashSyntax, Message: msg}
}

// contentPolicy matches the providers' content-filter refusals (OpenAI's
// content_policy_violation, Azure's content_filter and "content
// management policy", safety-system blocks).
var contentPolicy = regexp.MustCompile(`(?i)content[ _-]?(policy|filter|management)|responsible ?ai policy|safety (system|filter)`)

// isContentPolicy reports whether a model call failed on a content-policy
// refusal (a rejected request, not a rate limit or outage).
func isContentPolicy(err error) bool {
	var e *llm.Error
	return errors.As(err, &e) && e.Kind == llm.KindBadRequest && contentPolicy.MatchString(e.Code+" "+e.Message)
}

// summaries loads the summaries made so far, in order.
func (a *Activities) summaries(dir string) ([]strategy.Summary, error) {
	var out []strategy.Summary
	for i := 1; ; i++ {
		var s StoredSummary
		ok, err := a.Store.ReadJSON(store.SummaryFile(dir, i), &s)
		if err != nil {
			return nil, err
		}
		if !ok {
			return out, nil
		}
		out = append(out, s.Summary)
	}
}

func promptFingerprint(msgs []agent.Message) ([]string, []int) {
	hashes := make([]string, len(msgs))
	tokens := make([]int, len(msgs))
	for i, m := range msgs {
		sum := sha256.Sum256([]byte(m.Role + "\x00" + m.Content))
		hashes[i] = hex.EncodeToString(sum[:8])
		tokens[i] = llm.CountMessages(msgs[i : i+1])
	}
	return hashes, tokens
}

// simulatedCache counts the prompt tokens that a provider prefix cache would
// serve: the leading messages equal to the previous call's prompt followed by
// its reply (the seed's simulation, §5.4).
func (a *Activities) simulatedCache(dir string, in workflows.ModelCallInput, hashes []string, tokens []int) int {
	var prev Reply
	found := false
	if in.Attempt > 0 {
		found, _ = a.Store.ReadJSON(store.ReplyFile(dir, in.Turn, in.Attempt-1), &prev)
	} else if in.Turn > 1 {
		var obs Observation
		if ok, _ := a.Store.ReadJSON(store.ObservationFile(dir, in.Turn-1), &obs); ok {
			found, _ = a.Store.ReadJSON(store.ReplyFile(dir, in.Turn-1, obs.Attempt), &prev)
		}
	}
	if !found {
		return 0
	}
	prior := append([]string(nil), prev.PromptHashes...)
	sum := sha256.Sum256([]byte(agent.RoleAssistant + "\x00" + prev.Content))
	prior = append(prior, hex.EncodeToString(sum[:8]))
	n := 0
	for i := 0; i < len(prior) && i < len(hashes); i++ {
		if prior[i] != hashes[i] {
			break
		}
		n += tokens[i]
	}
	return n
}

// ErrContextExceeded is the application error type of a model call whose
// prompt does not fit the model's context window: not retried; the
// instance should end with exit_context.
const ErrContextExceeded = workflows.ErrContextExceeded

// modelError classifies a failed call. Every provider failure becomes an
// application error whose type is its llm.Kind, so the workflow can tell
// an outage from a failure of ours however Temporal wraps it (a timeout's
// last failure, a local activity's result): a context-window overflow and
// requests that cannot succeed as sent (bad credentials, bad request) are
// not retried; credentials that may heal are not retried here either (the
// workflow waits for them, see workflows.ErrCredentials); outages, rate
// limits and garbled replies are retried, no sooner than the provider
// asked. Anything else is returned for the retry policy.
func modelError(model string, turn int, err error) error {
	msg := fmt.Sprintf("model %s, turn %d: %v", model, turn, err)
	kind := llm.KindOf(err)
	switch {
	case kind == llm.KindContextExceeded:
		return temporal.NewNonRetryableApplicationError(msg, ErrContextExceeded, err)
	case kind == llm.KindAuth, kind == llm.KindBadRequest, kind == llm.KindCredentials:
		return temporal.NewNonRetryableApplicationError(msg, string(kind), err)
	case kind != "":
		opts := temporal.ApplicationErrorOptions{Cause: err}
		if d, ok := llm.RetryAfter(err); ok {
			opts.NextRetryDelay = d
		}
		return temporal.NewApplicationErrorWithOptions(msg, string(kind), opts)
	}
	return fmt.Errorf("model %s, turn %d: %w", model, turn, err)
}
