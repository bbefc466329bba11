package activities

import (
	"context"
	"fmt"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// StoredSummary is a summary with the accounting of the call that made it.
type StoredSummary struct {
	Summary strategy.Summary `json:"summary"`
	Called  bool             `json:"called"`
	Model   string           `json:"model"`
	Usage   agent.Usage      `json:"usage"`
	Cost    float64          `json:"cost"`
	Turn    int              `json:"turn"`
}

// Summarize makes the summary the strategy asks for after in.Turn completed
// turns, if any, with the summarizer model. Its cost and tokens are counted
// apart from the agent's. A summary already stored is not made again.
func (a *Activities) Summarize(ctx context.Context, in workflows.SummarizeInput) (workflows.SummarizeResult, error) {
	dir := in.Ref.Dir()
	var st StoredSummary
	if ok, err := a.Store.ReadJSON(store.SummaryFile(dir, in.Done+1), &st); err != nil {
		return workflows.SummarizeResult{}, err
	} else if ok && st.Turn == in.Turn {
		return workflows.SummarizeResult{Made: true, Called: st.Called, Usage: st.Usage, Cost: st.Cost}, nil
	}
	h, err := a.history(dir, in.Turn)
	if err != nil {
		return workflows.SummarizeResult{}, err
	}
	done, err := a.summaries(dir)
	if err != nil {
		return workflows.SummarizeResult{}, err
	}
	if len(done) != in.Done {
		return workflows.SummarizeResult{}, fmt.Errorf("store has %d summaries, workflow expects %d", len(done), in.Done)
	}
	ac, err := a.agentConfig(in.Ref)
	if err != nil {
		return workflows.SummarizeResult{}, err
	}
	plan, err := strategy.SummaryDue(in.Ref.Trial.Strategy, ac.Templates.SummarySystem, h, done)
	if err != nil {
		return workflows.SummarizeResult{}, err
	}
	if plan == nil {
		return workflows.SummarizeResult{}, nil
	}
	cfg := in.Ref.Trial.Config
	st = StoredSummary{Turn: in.Turn, Model: cfg.Summarizer()}
	switch {
	case !plan.NeedsCall():
		st.Summary = plan.Finish("")
	case in.SkipCall:
		st.Summary = plan.Skipped()
	case in.AskSlot:
		// The call needs a slot of the summarizer's limiter first.
		return workflows.SummarizeResult{NeedsSlot: true}, nil
	default:
		presets, err := a.presets(in.Ref.Trial)
		if err != nil {
			return workflows.SummarizeResult{}, err
		}
		preset, err := presets.Get(st.Model)
		if err != nil {
			return workflows.SummarizeResult{}, configError("summarizer: %v", err)
		}
		model, err := a.Models(preset, cfg, in.Ref.InstanceID)
		if err != nil {
			return workflows.SummarizeResult{}, configError("summarizer %s: %v", st.Model, err)
		}
		a.event(dir, Event{Kind: EventSummaryCall, Turn: in.Turn})
		stop := keepAlive(ctx)
		resp, err := model.Complete(ctx, llm.Request{Messages: plan.Request, Temperature: preset.Temperature, MaxOutput: preset.MaxOutput, Turn: in.Turn})
		stop()
		if err != nil {
			return workflows.SummarizeResult{}, modelError("summarizer "+st.Model, in.Turn, err)
		}
		st.Summary = plan.Finish(resp.Content)
		st.Called, st.Usage, st.Cost = true, resp.Usage, preset.Cost(resp.Usage)
	}
	if err := a.Store.WriteJSON(store.SummaryFile(dir, in.Done+1), st); err != nil {
		return workflows.SummarizeResult{}, err
	}
	return workflows.SummarizeResult{Made: true, Called: st.Called, Usage: st.Usage, Cost: st.Cost}, nil
}
