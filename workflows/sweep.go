package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
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
}

// Trial states.
const (
	TrialPending   = "pending"
	TrialRunning   = "running"
	TrialCompleted = "completed"
	TrialFailed    = "failed"
	TrialCancelled = "cancelled"
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
	Instances int          `json:"instances_done"`
	Total     int          `json:"instances_total"`
	Cost      float64      `json:"cost"`
}

// SweepID is the workflow ID of a sweep.
func SweepID(name string) string { return "sweep/" + name }

// TrialRefFor derives a trial's deterministic identity from the sweep name
// and its parameters.
func TrialRefFor(sweepName string, c sweep.RunConfig, tuning Tuning) (TrialRef, error) {
	sp, lim, err := Resolve(c)
	if err != nil {
		return TrialRef{}, err
	}
	key := c.ExperimentKey()
	name := c.RunName()
	return TrialRef{
		Sweep: sweepName, TrialID: SweepID(sweepName) + "/trial-" + key,
		Dir: "runs/" + sweepName + "/" + name + "__" + key, RunName: name,
		Config: c, Strategy: sp, Limits: lim, Tuning: tuning,
	}, nil
}

// SweepWorkflow expands a sweep into trials and runs them as child
// TrialWorkflows, Parallel at a time.
func SweepWorkflow(ctx workflow.Context, in SweepInput) (SweepStatus, error) {
	spec, err := sweep.Parse(in.File, []byte(in.Source))
	if err != nil {
		return SweepStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrConfig, nil)
	}
	if in.Name != "" {
		spec.Name = in.Name
	}
	refs, err := PlanTrials(spec, in.Flags, in.Tuning)
	if err != nil {
		return SweepStatus{}, temporal.NewNonRetryableApplicationError(err.Error(), ErrConfig, nil)
	}
	st := &SweepStatus{Name: spec.Name, Method: spec.Method, State: "running", Started: workflow.Now(ctx)}
	for _, ref := range refs {
		st.Trials = append(st.Trials, SweepTrial{ID: ref.TrialID, RunName: ref.RunName, Dir: ref.Dir, State: TrialPending})
	}
	index := map[string]int{}
	for i, t := range st.Trials {
		index[t.ID] = i
	}
	if err := workflow.SetQueryHandler(ctx, "status", func() (SweepStatus, error) { return summarise(*st), nil }); err != nil {
		return SweepStatus{}, err
	}
	progress := workflow.GetSignalChannel(ctx, SignalProgress)
	workflow.Go(ctx, func(gctx workflow.Context) {
		for {
			var p TrialProgress
			if !progress.Receive(gctx, &p) {
				return
			}
			if i, ok := index[p.TrialID]; ok {
				t := &st.Trials[i]
				t.Total, t.Done, t.Submitted, t.Resolved, t.Cost = p.Total, p.Done, p.Submitted, p.Resolved, p.Cost
			}
		}
	})
	parallel := in.Parallel
	if parallel < 1 {
		parallel = 1
	}
	sem := workflow.NewSemaphore(ctx, int64(parallel))
	wg := workflow.NewWaitGroup(ctx)
	for i := range refs {
		if err := sem.Acquire(ctx, 1); err != nil {
			break // cancelled
		}
		ref := refs[i]
		t := &st.Trials[index[ref.TrialID]]
		t.State = TrialRunning
		wg.Add(1)
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			defer sem.Release(1)
			cctx := workflow.WithChildOptions(gctx, workflow.ChildWorkflowOptions{
				WorkflowID:            ref.TrialID,
				WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
				ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
			})
			var res TrialResult
			err := workflow.ExecuteChildWorkflow(cctx, TrialWorkflow, ref).Get(gctx, &res)
			switch {
			case err == nil:
				t.State = TrialCompleted
			case temporal.IsCanceledError(err):
				t.State = TrialCancelled
			default:
				t.State = TrialFailed
				t.Error = err.Error()
			}
			if len(res.Records) > 0 {
				t.Done = len(res.Records)
				t.Cost, t.Submitted, t.Resolved = 0, 0, 0
				for _, r := range res.Records {
					t.Cost += r.TotalCost()
					if r.Submitted {
						t.Submitted++
					}
					if r.Resolved != nil && *r.Resolved {
						t.Resolved++
					}
				}
			}
		})
	}
	wg.Wait(ctx)
	if ctx.Err() != nil {
		for i := range st.Trials {
			if st.Trials[i].State == TrialPending || st.Trials[i].State == TrialRunning {
				st.Trials[i].State = TrialCancelled
			}
		}
		st.State = "cancelled"
		return summarise(*st), temporal.NewCanceledError(summarise(*st))
	}
	st.State = "completed"
	out := summarise(*st)
	if out.Failed > 0 {
		st.State = "completed with failures"
		out.State = st.State
	}
	return out, nil
}

// PlanTrials expands a sweep into its trials, each experiment once, in the
// method's order. The starter calls it too, to reject a bad sweep before
// anything starts.
func PlanTrials(spec *sweep.Spec, flags sweep.CommandFlags, tuning Tuning) ([]TrialRef, error) {
	configs, err := trialsOf(spec, flags)
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

func trialsOf(spec *sweep.Spec, flags sweep.CommandFlags) ([]sweep.RunConfig, error) {
	switch spec.Method {
	case "grid":
		return spec.GridTrials(flags)
	default:
		return nil, fmt.Errorf("%s: method %q is not supported yet; this build runs grid sweeps", spec.File, spec.Method)
	}
}

func summarise(s SweepStatus) SweepStatus {
	s.Trials = append([]SweepTrial(nil), s.Trials...)
	s.Done, s.Running, s.Failed, s.Instances, s.Total, s.Cost = 0, 0, 0, 0, 0, 0
	for _, t := range s.Trials {
		switch t.State {
		case TrialCompleted:
			s.Done++
		case TrialRunning:
			s.Running++
		case TrialFailed:
			s.Failed++
		}
		s.Instances += t.Done
		s.Total += t.Total
		s.Cost += t.Cost
	}
	return s
}
