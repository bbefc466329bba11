package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/sweep"
)

// A sweep's history grows with every finished instance (a progress signal,
// and two budget signals under a budget), so a long sweep continues as
// new: once its history passes SweepInput.EventLimit events (or
// SizeLimit bytes) it starts no new trial, waits for the running
// ones to end (they keep their instances running meanwhile), and
// continues as a new run carrying its state (SweepCarry). Trials are
// children of the run that started them, so draining first keeps every
// trial's result; the cost is that no new trial starts during the drain.

// DefaultSweepEventLimit is the default SweepInput.EventLimit: a fifth of
// Temporal's 51,200-event history limit, leaving room for the drain.
const DefaultSweepEventLimit = 10000

// DefaultSweepSizeLimit is the default SweepInput.SizeLimit (bytes), a
// fifth of Temporal's 50 MB limit.
const DefaultSweepSizeLimit = 10 << 20

// SweepCarry is a sweep's state carried to its next run.
type SweepCarry struct {
	Status  SweepStatus        `json:"status"`
	History []sweep.TrialState `json:"history"`
	// HistTrial is the trial ID of each History entry ("" for a proposal
	// that did not start).
	HistTrial []string `json:"hist_trial"`
	NoMore    bool     `json:"no_more"`
	Charged   float64  `json:"charged,omitempty"`
	Exhausted bool     `json:"exhausted,omitempty"`
	Runs      int      `json:"runs"` // runs so far (1 for the first)
}

func (in SweepInput) limits() (events, bytes int) {
	events, bytes = in.EventLimit, in.SizeLimit
	if events <= 0 {
		events = DefaultSweepEventLimit
	}
	if bytes <= 0 {
		bytes = DefaultSweepSizeLimit
	}
	return events, bytes
}

// historyFull says whether this run should drain and continue as new.
func (r *sweepRun) historyFull(ctx workflow.Context) bool {
	events, bytes := r.in.limits()
	info := workflow.GetInfo(ctx)
	return info.GetCurrentHistoryLength() >= events || info.GetCurrentHistorySize() >= bytes
}

// carry is the state the next run starts from (nothing is running).
func (r *sweepRun) carry() *SweepCarry {
	c := &SweepCarry{Status: r.st, History: r.hist, NoMore: r.noMore, Runs: r.runsSoFar + 1}
	c.Status.State = "running"
	for _, tr := range r.byHist {
		id := ""
		if tr != nil {
			id = tr.ref.TrialID
		}
		c.HistTrial = append(c.HistTrial, id)
	}
	if r.budget != nil {
		c.Charged, c.Exhausted = r.budget.charged, r.budget.exhausted
	}
	return c
}

// restore takes over the state of the previous run.
func (r *sweepRun) restore(c *SweepCarry) {
	r.st = c.Status
	r.hist = c.History
	r.noMore = c.NoMore
	r.runsSoFar = c.Runs
	r.index = map[string]int{}
	r.runs = map[string]*trialRun{}
	r.byHist = nil
	for i, t := range r.st.Trials {
		r.index[t.ID] = i
	}
	for j, id := range c.HistTrial {
		if id == "" {
			r.byHist = append(r.byHist, nil)
			continue
		}
		tr := &trialRun{ref: TrialRef{TrialID: id}, idx: r.index[id], hist: j, ended: true}
		r.byHist = append(r.byHist, tr)
		r.runs[id] = tr
	}
	if r.budget != nil {
		r.budget.charged, r.budget.exhausted = c.Charged, c.Exhausted
	}
}

func (r *sweepRun) continueAsNew(ctx workflow.Context) error {
	in := r.in
	in.Carry = r.carry()
	workflow.GetLogger(ctx).Info("sweep history is long: continuing as new", "events", workflow.GetInfo(ctx).GetCurrentHistoryLength(), "run", in.Carry.Runs+1)
	return workflow.NewContinueAsNewError(ctx, SweepWorkflow, in)
}
