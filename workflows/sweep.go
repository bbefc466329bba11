package workflows

import (
	"fmt"
	"hash/fnv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/sweep"
)

// SweepInput starts a sweep. The sweep file travels as its source text and
// is parsed inside the workflow (parsing is pure and deterministic).
type SweepInput struct {
	Name     string             `json:"name"`
	File     string             `json:"file"`
	Source   string             `json:"source"`
	Flags    sweep.CommandFlags `json:"flags"`
	Parallel int                `json:"parallel"` // trials at once
	Tuning   Tuning             `json:"tuning"`
	// Seed seeds the random and bayes controllers; 0 means DefaultSeed(Name).
	Seed int64 `json:"seed,omitempty"`
	// BudgetUSD overrides the file's budget_usd when > 0.
	BudgetUSD float64 `json:"budget_usd,omitempty"`
	// Carry is the state of the previous run after a continue-as-new.
	Carry *SweepCarry `json:"carry,omitempty"`
	// EventLimit and SizeLimit bound one sweep run's history (events,
	// bytes) before it continues as new; 0 means DefaultSweepEventLimit /
	// DefaultSweepSizeLimit.
	EventLimit int `json:"event_limit,omitempty"`
	SizeLimit  int `json:"size_limit,omitempty"`
}

// Trial states.
const (
	TrialPending   = "pending"
	TrialRunning   = "running"
	TrialCompleted = "completed"
	TrialFailed    = "failed"
	TrialCancelled = "cancelled"
	// TrialStopped: stopped early by hyperband; its finished instances stay.
	TrialStopped = "stopped"
	// TrialBudget: the sweep budget ran out before all its instances ran.
	TrialBudget = "budget exhausted"
	// TrialSkipped: a planned grid trial never started (budget exhausted).
	TrialSkipped = "skipped"
)

// Sweep end states besides "running", "completed" and "cancelled".
const (
	SweepWithFailures    = "completed with failures"
	SweepBudgetExhausted = "budget exhausted"
)

// SweepTrial is one trial's line in the sweep status.
type SweepTrial struct {
	ID        string  `json:"id"`
	RunName   string  `json:"run_name"`
	Dir       string  `json:"dir"`
	State     string  `json:"state"`
	Total     int     `json:"instances_total"`
	Done      int     `json:"instances_done"`
	Submitted int     `json:"submitted"`
	Resolved  int     `json:"resolved"`
	Cost      float64 `json:"cost"`
	Error     string  `json:"error,omitempty"`
	// Params are the controller's parameters for the trial (once started).
	Params map[string]any `json:"params,omitempty"`
	// Values is the sweep metric after each finished instance.
	Values []float64 `json:"metric_values,omitempty"`
	// Outcome aggregates the finished instances (the metric's input).
	Outcome sweep.Outcome `json:"outcome"`
}

// SweepStatus answers the sweep's "status" query.
type SweepStatus struct {
	Name      string       `json:"name"`
	Method    string       `json:"method"`
	State     string       `json:"state"`
	Trials    []SweepTrial `json:"trials"`
	Started   time.Time    `json:"started"`
	Done      int          `json:"trials_done"`
	Running   int          `json:"trials_running"`
	Failed    int          `json:"trials_failed"`
	Stopped   int          `json:"trials_stopped"`
	Instances int          `json:"instances_done"`
	Total     int          `json:"instances_total"`
	Cost      float64      `json:"cost"`
	// Planned is the number of trials the sweep expects to run (grid: its
	// distinct trials; random/bayes: run_cap or the finite space's size;
	// 0 when unknown).
	Planned int     `json:"trials_planned"`
	Metric  string  `json:"metric,omitempty"`
	Goal    string  `json:"goal,omitempty"`
	Seed    int64   `json:"seed"`
	Budget  *Budget `json:"budget,omitempty"`
	Note    string  `json:"note,omitempty"`
}

// Budget is the budget part of the sweep status (USD).
type Budget struct {
	Limit float64 `json:"limit"`
	// Reserved is the allowance of instances running now.
	Reserved float64 `json:"reserved"`
	// Charged is the full allowance of instances that ended without a
	// record (failed or cancelled): their real cost is not known.
	Charged   float64 `json:"charged"`
	Exhausted bool    `json:"exhausted"`
}

// SweepID is the workflow ID of a sweep.
func SweepID(name string) string { return "sweep/" + name }

// DefaultSeed is the controller seed of a sweep started without one: a
// hash of its name, so a sweep restarted under the same name proposes the
// same trials.
func DefaultSeed(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("ctxsweep/" + name))
	return int64(h.Sum64() & (1<<62 - 1))
}

// TrialRefFor derives a trial's deterministic identity from the sweep name
// and its parameters.
func TrialRefFor(sweepName string, c sweep.RunConfig, tuning Tuning) (TrialRef, error) {
	sp, lim, err := Resolve(c)
	if err != nil {
		return TrialRef{}, err
	}
	key := c.ExperimentKey()
	name := c.RunName()
	if tuning.AgentByStrategy != nil {
		tuning.Agent = tuning.AgentByStrategy[c.Strategy]
		tuning.AgentByStrategy = nil
		if tuning.Agent == nil {
			return TrialRef{}, fmt.Errorf("trial %s: no agent configuration for strategy %s", name, c.Strategy)
		}
	}
	return TrialRef{
		Sweep: sweepName, TrialID: SweepID(sweepName) + "/trial-" + key,
		Dir: "runs/" + sweepName + "/" + name + "__" + key, RunName: name,
		Config: c, Strategy: sp, Limits: lim, Tuning: tuning,
	}, nil
}

// SweepWorkflow runs a sweep: it asks the sweep's controller (grid, random
// or bayes, see sweep.NewController) for the next trial each time one of
// Parallel slots is free, runs each as a child TrialWorkflow, records the
// metric after each finished instance, stops trials that hyperband rejects
// and keeps the total cost under the budget (see budget.go).
func SweepWorkflow(ctx workflow.Context, in SweepInput) (SweepStatus, error) {
	r, err := newSweepRun(ctx, in)
	if err != nil {
		return SweepStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrConfig, nil)
	}
	if err := workflow.SetQueryHandler(ctx, "status", func() (SweepStatus, error) { return r.status(), nil }); err != nil {
		return SweepStatus{}, err
	}
	if in.Carry != nil {
		r.restore(in.Carry)
	}
	r.listen(ctx)
	if err := r.plan(ctx); err != nil {
		return r.status(), err
	}
	parallel := max(in.Parallel, 1)
	draining := false
	for {
		err := workflow.Await(ctx, func() bool {
			draining = draining || r.historyFull(ctx)
			return r.running == 0 || (!draining && r.running < parallel && r.canStart())
		})
		if err != nil {
			break // cancelled
		}
		if draining && r.running == 0 && r.canStart() {
			return r.status(), r.continueAsNew(ctx)
		}
		if !draining && r.running < parallel && r.canStart() {
			r.next(ctx)
			continue
		}
		break // nothing running and nothing may start
	}
	return r.end(ctx)
}

// PlanTrials checks a sweep before it starts. For grid it expands the
// sweep into its trials, each experiment once, in grid order. For random
// and bayes it checks the search space (every constant and categorical
// value must be a valid trial value) and returns no trials: those are
// proposed one at a time while the sweep runs.
func PlanTrials(spec *sweep.Spec, flags sweep.CommandFlags, tuning Tuning) ([]TrialRef, error) {
	switch spec.Method {
	case "grid":
	case "random", "bayes":
		return nil, ValidateSpace(spec)
	default:
		return nil, fmt.Errorf("%s: unknown sweep method %q (valid: grid, random, bayes)", spec.File, spec.Method)
	}
	configs, err := spec.GridTrials(flags)
	if err != nil {
		return nil, err
	}
	var refs []TrialRef
	seen := map[string]bool{}
	for _, c := range configs {
		ref, err := TrialRefFor(spec.Name, c, tuning)
		if err != nil {
			return nil, fmt.Errorf("%s: trial %s: %w", spec.File, c.RunName(), err)
		}
		if seen[ref.TrialID] {
			continue // the same experiment twice in the grid runs once
		}
		seen[ref.TrialID] = true
		refs = append(refs, ref)
	}
	return refs, nil
}

// ValidateSpace checks the parts of a random or bayes sweep that can be
// checked without enumerating it: every constant and categorical value is
// a valid value of its run flag, and a space with a continuous parameter
// has a run_cap or a budget (it would never end otherwise). Combinations
// (k < s) are checked when a trial is proposed.
func ValidateSpace(spec *sweep.Spec) error {
	continuous := false
	for i := range spec.Parameters {
		p := &spec.Parameters[i]
		choices, ok := p.Choices()
		if !ok {
			continuous = true
			continue
		}
		for _, v := range choices {
			c := sweep.DefaultRunConfig()
			if err := c.Set(p.Name, v); err != nil {
				return &sweep.Error{File: spec.File, Line: p.Line, Column: p.Column, Key: "parameters." + p.Name, Msg: err.Error()}
			}
		}
	}
	if continuous && spec.RunCap == 0 && spec.BudgetUSD == 0 {
		return &sweep.Error{File: spec.File, Key: "run_cap", Msg: fmt.Sprintf("method %s over a continuous parameter needs run_cap (or budget_usd): the space never runs out", spec.Method)}
	}
	return nil
}

func summarise(s SweepStatus) SweepStatus {
	s.Trials = append([]SweepTrial(nil), s.Trials...)
	s.Done, s.Running, s.Failed, s.Stopped, s.Instances, s.Total, s.Cost = 0, 0, 0, 0, 0, 0, 0
	for _, t := range s.Trials {
		switch t.State {
		case TrialCompleted, TrialBudget:
			s.Done++
		case TrialRunning:
			s.Running++
		case TrialFailed:
			s.Failed++
		case TrialStopped:
			s.Stopped++
		}
		s.Instances += t.Done
		s.Total += t.Total
		s.Cost += t.Cost
	}
	if s.Budget != nil {
		b := *s.Budget
		s.Budget = &b
	}
	return s
}

// WithLive overlays live figures on a sweep status: live holds the
// "status" query answers of running trials (by trial ID), which are ahead
// of the sweep's own figures when trials report no progress
// (TrialRef.QuietProgress). Totals are recomputed.
func WithLive(s SweepStatus, live map[string]TrialStatus) SweepStatus {
	s.Trials = append([]SweepTrial(nil), s.Trials...)
	for i := range s.Trials {
		t := &s.Trials[i]
		ts, ok := live[t.ID]
		if !ok || t.State != TrialRunning || len(ts.Records) < t.Done {
			continue
		}
		t.Total, t.Done, t.Submitted, t.Resolved, t.Cost = ts.Total, len(ts.Records), ts.Submitted, ts.Resolved, ts.Cost
	}
	return summarise(s)
}
