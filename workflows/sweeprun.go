package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/sweep"
)

// sweepRun is the state of one SweepWorkflow run. Its fields change only
// in workflow code (the main loop and the signal and child goroutines,
// which the SDK runs one at a time).
type sweepRun struct {
	in    SweepInput
	spec  *sweep.Spec
	st    SweepStatus
	index map[string]int // trial ID -> st.Trials index
	// hist is the controller's history, one entry per proposed trial;
	// byHist[i] is its run (nil for a proposal that could not start).
	hist    []sweep.TrialState
	byHist  []*trialRun
	runs    map[string]*trialRun
	running int
	noMore  bool                      // the controller has nothing left to propose
	err     error                     // the controller failed (or the circuit breaker stopped the sweep)
	broken  bool                      // the circuit breaker stopped the sweep (breaker.go)
	presets map[string]*presetBreaker // the breaker across trials, per model preset
	budget  *ledger
	// runsSoFar counts the earlier runs (continue-as-new) of this sweep.
	runsSoFar int
	wb        *sweepWandb // the W&B sweep (sweepwandb.go)
}

type trialRun struct {
	ref     TrialRef
	idx     int // in st.Trials
	hist    int // in hist
	cancel  workflow.CancelFunc
	ended   bool
	stopped bool // hyperband stopped it
}

func newSweepRun(ctx workflow.Context, in SweepInput) (*sweepRun, error) {
	spec, err := specOf(in)
	if err != nil {
		return nil, err
	}
	in.Seed = seedOf(in, spec)
	r := &sweepRun{in: in, spec: spec, index: map[string]int{}, runs: map[string]*trialRun{}}
	r.st = SweepStatus{Name: spec.Name, Method: spec.Method, State: "running", Started: workflow.Now(ctx), Seed: in.Seed}
	if spec.Metric != nil {
		r.st.Metric, r.st.Goal = spec.Metric.Name, spec.Metric.Goal
	}
	refs, err := PlanTrials(spec, in.Flags, in.Tuning)
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		r.index[ref.TrialID] = len(r.st.Trials)
		r.st.Trials = append(r.st.Trials, SweepTrial{ID: ref.TrialID, RunName: ref.RunName, Dir: ref.Dir, State: TrialPending})
	}
	r.st.Planned = len(refs)
	if spec.BudgetUSD > 0 {
		r.budget = &ledger{limit: spec.BudgetUSD}
	}
	return r, nil
}

func (r *sweepRun) status() SweepStatus {
	if r.budget != nil {
		r.st.Budget = &Budget{Limit: r.budget.limit, Reserved: r.budget.reserved(), Charged: r.budget.charged, Exhausted: r.budget.exhausted}
	}
	return summarise(r.st)
}

// plan builds the controller once (a local activity: it validates the
// metric, hyperband brackets and the space) and learns how many trials a
// random or bayes sweep plans.
func (r *sweepRun) plan(ctx workflow.Context) error {
	var res PlanResult
	if err := workflow.ExecuteLocalActivity(controllerCtx(ctx), planSweep, r.in).Get(ctx, &res); err != nil {
		return err
	}
	if res.Err != "" {
		r.st.State, r.st.Note = "failed", res.Err
		return temporal.NewNonRetryableApplicationError(res.Err, ErrConfig, nil)
	}
	if r.spec.Method != "grid" {
		r.st.Planned = res.Planned
	}
	return nil
}

// listen handles the trials' progress and budget requests.
func (r *sweepRun) listen(ctx workflow.Context) {
	progress := workflow.GetSignalChannel(ctx, SignalProgress)
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var p TrialProgress
			if !progress.Receive(gctx, &p) {
				return
			}
			r.progress(gctx, p)
		}
	})
	if r.budget == nil {
		return
	}
	requests := workflow.GetSignalChannel(ctx, SignalBudgetRequest)
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var q BudgetRequest
			if !requests.Receive(gctx, &q) {
				return
			}
			if q.Ended {
				r.budget.charge(q.TrialID, q.InstanceID)
			} else {
				r.budget.queue = append(r.budget.queue, q)
			}
			r.grant(gctx)
		}
	})
}

// canStart reports whether a new trial may be proposed now.
func (r *sweepRun) canStart() bool {
	if r.noMore || r.err != nil {
		return false
	}
	return r.budget == nil || r.budget.allowsTrial(r.spent(), r.estimate())
}

// ask asks the controller for the next trial (a local activity).
func (r *sweepRun) ask(ctx workflow.Context) (Proposal, error) {
	var p Proposal
	// Local activity arguments are passed in memory, not encoded: give the
	// controller a copy that the workflow's goroutines do not touch.
	in := NextInput{Sweep: r.in, History: make([]sweep.TrialState, len(r.hist))}
	for i, h := range r.hist {
		h.Values = append([]float64(nil), h.Values...)
		in.History[i] = h // Params maps are never changed once proposed
	}
	err := workflow.ExecuteLocalActivity(controllerCtx(ctx), proposeTrial, in).Get(ctx, &p)
	return p, err
}

// next asks the controller for a trial and starts it.
func (r *sweepRun) next(ctx workflow.Context) {
	p, err := r.ask(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.err = fmt.Errorf("sweep controller: %w", err)
		}
		return
	}
	switch {
	case p.Err != "":
		r.err = errors.New(p.Err)
		return
	case !p.OK || p.Config == nil:
		r.noMore = true
		return
	}
	ref, err := TrialRefFor(r.spec.Name, *p.Config, r.in.Tuning)
	if err != nil {
		// A point the strategy rejects: skipped, and counted as a failed
		// trial so that the controller moves on.
		n := len(r.hist)
		workflow.GetLogger(ctx).Warn("skipping an invalid trial", "trial", p.Config.RunName(), "error", err)
		r.hist = append(r.hist, sweep.TrialState{Params: p.Params, Failed: true})
		r.byHist = append(r.byHist, nil)
		r.st.Trials = append(r.st.Trials, SweepTrial{ID: fmt.Sprintf("%s/invalid-%d", SweepID(r.spec.Name), n),
			RunName: p.Config.RunName(), State: TrialFailed, Error: "not run: " + err.Error(), Params: p.Params})
		return
	}
	if _, dup := r.runs[ref.TrialID]; dup {
		r.err = fmt.Errorf("sweep controller proposed trial %s twice", ref.RunName)
		return
	}
	r.start(ctx, ref, p.Params)
}

func (r *sweepRun) start(ctx workflow.Context, ref TrialRef, params map[string]any) {
	ref.QuietProgress = r.budget == nil && r.spec.EarlyTerminate == nil
	r.wandbTrial(ctx, &ref, params)
	i, ok := r.index[ref.TrialID]
	if !ok {
		i = len(r.st.Trials)
		r.index[ref.TrialID] = i
		r.st.Trials = append(r.st.Trials, SweepTrial{ID: ref.TrialID, RunName: ref.RunName, Dir: ref.Dir})
	}
	r.st.Trials[i].State, r.st.Trials[i].Params = TrialRunning, params
	tr := &trialRun{ref: ref, idx: i, hist: len(r.hist)}
	r.hist = append(r.hist, sweep.TrialState{Params: params})
	r.byHist = append(r.byHist, tr)
	r.runs[ref.TrialID] = tr
	r.running++
	cctx, cancel := workflow.WithCancel(ctx)
	tr.cancel = cancel
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:            ref.TrialID,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		// A stopped trial frees its slot once its instances are cancelled.
		WaitForCancellation: true,
	}
	if r.budget != nil {
		opts.Memo = map[string]any{memoBudget: r.budget.limit}
	}
	opts = trialChildOptions(ctx, ref, opts)
	workflow.Go(ctx, func(gctx workflow.Context) {
		var res TrialResult
		var err error
		for attempt := 0; ; attempt++ {
			err = workflow.ExecuteChildWorkflow(workflow.WithChildOptions(cctx, opts), TrialWorkflow, ref).Get(gctx, &res)
			// An earlier run of this trial may still be closing (the sweep
			// was cancelled and is being resumed): wait for it.
			var started *temporal.ChildWorkflowExecutionAlreadyStartedError
			if err == nil || !errors.As(err, &started) || attempt >= 60 || cctx.Err() != nil {
				break
			}
			if workflow.Sleep(gctx, 5*time.Second) != nil || cctx.Err() != nil {
				break
			}
		}
		r.ended(gctx, tr, res, err)
	})
}
