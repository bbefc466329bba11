package workflows

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Custom search attributes: the Web UI and `temporal workflow list --query`
// find sweeps, trials and instances by them, e.g. ExitStatus="exit_error".
// They must be registered on the namespace first (the embedded server and
// `starter server` do it; see engine.EnsureSearchAttributes for clusters);
// the workflows set them only when the sweep was started on a namespace
// that has them (Tuning.SearchAttributes), since an unregistered attribute
// would fail the workflow task.
var (
	SASweep      = temporal.NewSearchAttributeKeyKeyword("Sweep")
	SATrial      = temporal.NewSearchAttributeKeyKeyword("Trial") // the trial's run name
	SAModel      = temporal.NewSearchAttributeKeyKeyword("Model")
	SAStrategy   = temporal.NewSearchAttributeKeyKeyword("Strategy")
	SAInstanceID = temporal.NewSearchAttributeKeyKeyword("InstanceId")
	SAExitStatus = temporal.NewSearchAttributeKeyKeyword("ExitStatus")
	SAResolved   = temporal.NewSearchAttributeKeyBool("Resolved")
	SACost       = temporal.NewSearchAttributeKeyFloat64("Cost")
)

// SearchAttributeTypes are the custom search attributes and their types.
func SearchAttributeTypes() map[string]enumspb.IndexedValueType {
	out := map[string]enumspb.IndexedValueType{}
	for _, k := range []temporal.SearchAttributeKey{SASweep, SATrial, SAModel, SAStrategy, SAInstanceID, SAExitStatus, SAResolved, SACost} {
		out[k.GetName()] = k.GetValueType()
	}
	return out
}

// searchVersion guards the search attributes and summaries of children
// and the upsert of an instance's outcome (histories from before them
// replay without).
const searchVersion = "search-attributes"

func withSearch(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, searchVersion, workflow.DefaultVersion, 1) == 1
}

// TrialSummary is what the Web UI shows for a trial: model and strategy
// with the parameters that matter to it.
func TrialSummary(t TrialRef) string {
	p := t.Strategy
	s := t.Config.Model + " / " + p.Strategy
	switch p.Strategy {
	case "observation_masking", "observation_masking_cached":
		s += fmt.Sprintf(" o=%d", p.ObsN)
	case "llm_summary":
		s += fmt.Sprintf(" s=%d k=%d", p.SumN, p.SumKeepM)
	case "hybrid":
		s += fmt.Sprintf(" o=%d s=%d k=%d", p.ObsN, p.SumN, p.SumKeepM)
	}
	if sm := t.Config.Summarizer(); sm != "" && sm != t.Config.Model && (p.Strategy == "llm_summary" || p.Strategy == "hybrid") {
		s += " (summarizer " + sm + ")"
	}
	return s + " · " + t.RunName
}

func trialAttributes(t TrialRef) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(SASweep.ValueSet(t.Sweep), SATrial.ValueSet(t.RunName),
		SAModel.ValueSet(t.Config.Model), SAStrategy.ValueSet(t.Strategy.Strategy))
}

// trialChildOptions adds the trial's summary (and search attributes) to
// the options that start it.
func trialChildOptions(ctx workflow.Context, t TrialRef, o workflow.ChildWorkflowOptions) workflow.ChildWorkflowOptions {
	if !withSearch(ctx) {
		return o
	}
	o.StaticSummary = TrialSummary(t)
	if t.Tuning.SearchAttributes {
		o.TypedSearchAttributes = trialAttributes(t)
	}
	return o
}

// instanceChildOptions does the same for an instance.
func instanceChildOptions(ctx workflow.Context, r InstanceRef, o workflow.ChildWorkflowOptions) workflow.ChildWorkflowOptions {
	if !withSearch(ctx) {
		return o
	}
	o.StaticSummary = r.InstanceID + " · " + TrialSummary(r.Trial)
	if r.Trial.Tuning.SearchAttributes {
		o.TypedSearchAttributes = temporal.NewSearchAttributes(SASweep.ValueSet(r.Trial.Sweep), SATrial.ValueSet(r.Trial.RunName),
			SAModel.ValueSet(r.Trial.Config.Model), SAStrategy.ValueSet(r.Trial.Strategy.Strategy), SAInstanceID.ValueSet(r.InstanceID))
	}
	return o
}

// upsertOutcome records how an instance ended in its search attributes.
func upsertOutcome(ctx workflow.Context, r InstanceRef, rec InstanceRecord) {
	if !r.Trial.Tuning.SearchAttributes || !withSearch(ctx) {
		return
	}
	up := []temporal.SearchAttributeUpdate{SAExitStatus.ValueSet(rec.ExitStatus), SACost.ValueSet(rec.TotalCost())}
	if rec.Resolved != nil {
		up = append(up, SAResolved.ValueSet(*rec.Resolved))
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, up...); err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not updated", "instance", r.InstanceID, "error", err)
	}
}
