package workflows

import (
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/sweep"
)

// The sweep budget (budget_usd, --budget-usd) is one ledger in the sweep
// workflow. Before each instance a trial asks for an allowance (a signal to
// the sweep, answered by a signal back: two small events per instance, none
// per turn); the instance runs with the allowance as its cost limit, so the
// instance loop itself stops it once a model call takes it past the
// allowance (exit_cost). The sweep grants an allowance only while
//
//	spent + reserved + allowance <= budget
//
// where spent is the cost of finished instances (from the trials' progress
// reports) plus the full allowance of instances that ended without a record
// (failed or cancelled: their cost is unknown), and reserved is the sum of
// the allowances of running instances. Each running instance spends at most
// its allowance plus the model call (and, for summarising strategies, the
// summary call) that crossed it, so the sweep's total cost stays under
// budget + one call per instance running when the last allowance was given.
//
// An allowance is a fair share of what is left: (budget - spent - reserved)
// divided by the instance slots (num-workers of each running trial) that
// hold none; when that is less than roomFactor times the mean cost of the
// instances finished so far, it is that much (or what is left), so that
// near the end fewer instances run but each has room to finish. It is
// capped by the trial's own cost-limit. An allowance below the mean cost
// (or below the trial's cost-limit, if that is smaller) is not given while
// other instances run (the request waits for them to return their unused
// allowance); when nothing runs, the request is refused, the budget is
// exhausted, no trial or instance starts any more, and the running ones
// finish.

// Budget signals.
const (
	// SignalBudgetRequest carries a BudgetRequest from a trial to its sweep.
	SignalBudgetRequest = "budget-request"
	// SignalBudgetGrant carries a BudgetGrant from a sweep to a trial.
	SignalBudgetGrant = "budget-grant"
	// memoBudget is the trial memo key that tells a trial to ask.
	memoBudget = "budget_usd"
	// minAllowance is the smallest allowance given (USD); 0 would mean
	// "no cost limit" to the instance.
	minAllowance = 1e-6
	// roomFactor times the mean instance cost is the smallest allowance
	// given while the budget allows it.
	roomFactor = 2
)

// BudgetRequest asks the sweep for an instance's allowance.
type BudgetRequest struct {
	TrialID    string `json:"trial_id"`
	InstanceID string `json:"instance_id"`
	// CostLimit is the trial's own per-instance cost limit (0 = none).
	CostLimit float64 `json:"cost_limit"`
	// Ended reports instead that the instance ended without a record
	// (it failed): its allowance is charged in full.
	Ended bool `json:"ended,omitempty"`
}

// BudgetGrant answers a BudgetRequest: OK with the allowance in USD, or
// refused (the budget is exhausted).
type BudgetGrant struct {
	InstanceID string  `json:"instance_id"`
	USD        float64 `json:"usd"`
	OK         bool    `json:"ok"`
}

type allowance struct {
	trial, instance string
	usd             float64
}

// ledger is the sweep's budget state. Slices, not maps, keep every sum in
// the same order on replay.
type ledger struct {
	limit     float64
	charged   float64
	grants    []allowance
	queue     []BudgetRequest
	exhausted bool
}

func (l *ledger) reserved() float64 {
	s := 0.0
	for _, g := range l.grants {
		s += g.usd
	}
	return s
}

// allowsTrial reports whether a new trial may start: its first instance
// must be able to get at least the mean instance cost.
func (l *ledger) allowsTrial(spent, mean float64) bool {
	return !l.exhausted && sweep.BudgetAllows(spent, l.reserved(), max(mean, minAllowance), l.limit)
}

// release returns the allowance of an instance whose record arrived.
func (l *ledger) release(trial, instance string) {
	for i, g := range l.grants {
		if g.trial == trial && g.instance == instance {
			l.grants = append(l.grants[:i], l.grants[i+1:]...)
			return
		}
	}
}

// charge charges an instance's allowance in full (it ended without a
// record, so its cost is unknown).
func (l *ledger) charge(trial, instance string) {
	for i, g := range l.grants {
		if g.trial == trial && g.instance == instance {
			l.charged += g.usd
			l.grants = append(l.grants[:i], l.grants[i+1:]...)
			return
		}
	}
}

// trialEnded settles a trial's allowances: those of recorded instances are
// returned (their cost is in the trial's figures), the others are charged
// in full. Its queued requests are dropped.
func (l *ledger) trialEnded(trial string, records []InstanceRecord) {
	recorded := map[string]bool{}
	for _, r := range records {
		recorded[r.InstanceID] = true
	}
	kept := l.grants[:0]
	for _, g := range l.grants {
		switch {
		case g.trial != trial:
			kept = append(kept, g)
		case !recorded[g.instance]:
			l.charged += g.usd
		}
	}
	l.grants = kept
	q := l.queue[:0]
	for _, r := range l.queue {
		if r.TrialID != trial {
			q = append(q, r)
		}
	}
	l.queue = q
}

// decide answers a request: an allowance, wait (0, false, false), or refuse.
func (l *ledger) decide(q BudgetRequest, spent, mean float64, slots int) (usd float64, grant, refuse bool) {
	if l.exhausted {
		return 0, false, true
	}
	reserved := l.reserved()
	left := l.limit - spent - reserved
	usd = left / float64(max(slots-len(l.grants), 1))
	if room := roomFactor * mean; usd < room {
		usd = min(left, room) // fewer instances, each with room to finish
	}
	// The allowance must cover a typical instance, or the trial's own
	// cost-limit if that is smaller.
	need := mean
	if q.CostLimit > 0 {
		usd, need = min(usd, q.CostLimit), min(need, q.CostLimit)
	}
	if usd >= max(need, minAllowance) && sweep.BudgetAllows(spent, reserved, usd, l.limit) {
		return usd, true, false
	}
	if len(l.grants) > 0 {
		return 0, false, false // running instances may return part of theirs
	}
	l.exhausted = true
	return 0, false, true
}

// grant answers the queued requests, in order, as far as it can.
func (r *sweepRun) grant(ctx workflow.Context) {
	l := r.budget
	for len(l.queue) > 0 {
		q := l.queue[0]
		if tr := r.runs[q.TrialID]; tr == nil || tr.ended {
			l.queue = l.queue[1:]
			continue
		}
		usd, ok, refuse := l.decide(q, r.spent(), r.estimate(), r.slots())
		if !ok && !refuse {
			return
		}
		l.queue = l.queue[1:]
		if ok {
			l.grants = append(l.grants, allowance{trial: q.TrialID, instance: q.InstanceID, usd: usd})
		}
		workflow.SignalExternalWorkflow(ctx, q.TrialID, "", SignalBudgetGrant, BudgetGrant{InstanceID: q.InstanceID, USD: usd, OK: ok})
	}
}

// spent is the cost of finished instances plus the charged allowances.
func (r *sweepRun) spent() float64 {
	s := 0.0
	for _, t := range r.st.Trials {
		s += t.Cost
	}
	if r.budget != nil {
		s += r.budget.charged
	}
	return s
}

// estimate is the mean cost of the instances finished so far (0 if none).
func (r *sweepRun) estimate() float64 {
	cost, n := 0.0, 0
	for _, t := range r.st.Trials {
		cost, n = cost+t.Cost, n+t.Done
	}
	if n == 0 {
		return 0
	}
	return cost / float64(n)
}

// slots is the number of instances the running trials may run at once.
func (r *sweepRun) slots() int {
	n := 0
	for _, tr := range r.byHist {
		if tr != nil && !tr.ended {
			n += max(tr.ref.Config.NumWorkers, 1)
		}
	}
	return n
}

// budgetOf is the sweep budget a trial runs under (0 = none): its parent
// sets it in the trial's memo.
func budgetOf(ctx workflow.Context) float64 {
	memo := workflow.GetInfo(ctx).Memo
	if memo == nil {
		return 0
	}
	p, ok := memo.GetFields()[memoBudget]
	if !ok {
		return 0
	}
	var v float64
	if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err != nil {
		return 0
	}
	return v
}

// budgetEnded tells the sweep that an instance ended without a record.
func budgetEnded(ctx workflow.Context, t TrialRef, id string) {
	if parent := workflow.GetInfo(ctx).ParentWorkflowExecution; parent != nil {
		workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalBudgetRequest, BudgetRequest{TrialID: t.TrialID, InstanceID: id, Ended: true})
	}
}

// askBudget asks the sweep for an instance's allowance and waits for the
// answer. ok is false when the budget is exhausted or the trial cancelled.
func askBudget(ctx workflow.Context, t TrialRef, id string, answers workflow.ReceiveChannel) (usd float64, ok bool) {
	parent := workflow.GetInfo(ctx).ParentWorkflowExecution
	if parent == nil {
		return 0, true
	}
	req := BudgetRequest{TrialID: t.TrialID, InstanceID: id, CostLimit: t.Limits.CostLimit}
	if err := workflow.SignalExternalWorkflow(ctx, parent.ID, "", SignalBudgetRequest, req).Get(ctx, nil); err != nil {
		return 0, false
	}
	for {
		if err := workflow.Await(ctx, func() bool { return answers.Len() > 0 }); err != nil {
			return 0, false
		}
		var g BudgetGrant
		answers.ReceiveAsync(&g)
		if g.InstanceID == id {
			return g.USD, g.OK && g.USD > 0
		}
	}
}
