package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// A rate-limited queue's max_concurrent holds across all workers through
// one limiter workflow per queue (LimiterID), owned by the Temporal
// server: an instance asks it for a slot before a model or summary call
// on the queue and gives the slot back when the call is over. Worker
// processes keep no count of their own that matters for the bound.
const (
	// SignalSlotAcquire (a SlotRequest) asks the limiter for a slot; it is
	// sent with SignalWithStart by the RequestSlot activity.
	SignalSlotAcquire = "slot-acquire"
	// SignalSlotRelease (a token) gives a slot back, or withdraws a request.
	SignalSlotRelease = "slot-release"
	// SignalSlotGrant (a SlotGrant) tells a requester its slot is granted.
	SignalSlotGrant = "slot-grant"

	// ActRequestSlot signals-with-start the limiter with a SlotRequest.
	ActRequestSlot = "RequestSlot"
	// ActClosedHolders returns the tokens of the SlotHolders whose
	// workflow run is no longer running.
	ActClosedHolders = "ClosedHolders"

	// LimiterQuery is the query that returns a limiter's LimiterState.
	LimiterQuery = "state"
)

// LimiterID is the workflow id of the limiter of a task queue.
func LimiterID(queue string) string { return "limiter/" + queue }

// SlotRequest asks for one slot of a queue for one call of a workflow run.
type SlotRequest struct {
	Queue      string `json:"queue"`
	Max        int    `json:"max"`
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
	// Token names the request; unique per call (run id and a sequence).
	Token string `json:"token"`
	// Lease: the longest the call may hold the slot (its give-up time and
	// a margin); after it the limiter takes the slot back for a waiter.
	Lease time.Duration `json:"lease"`
}

// SlotGrant is the payload of SignalSlotGrant.
type SlotGrant struct {
	Queue string `json:"queue"`
	Token string `json:"token"`
}

// SlotHolder is a granted request (Since: when granted) or a waiting one
// (Since: when it arrived).
type SlotHolder struct {
	SlotRequest
	Since time.Time `json:"since"`
}

// LimiterState is a limiter's state, carried across continue-as-new and
// returned by its LimiterQuery. The durations are defaults when zero.
type LimiterState struct {
	Queue   string       `json:"queue"`
	Max     int          `json:"max"`
	Holders []SlotHolder `json:"holders"`
	Waiters []SlotHolder `json:"waiters"`
	// Granted counts the slots granted since the limiter first started.
	Granted int `json:"granted"`
	// Reclaimed counts slots taken back from closed runs or expired leases.
	Reclaimed int `json:"reclaimed"`
	// CheckEvery: while requests wait, how often holders are checked.
	CheckEvery time.Duration `json:"check_every,omitempty"`
	// IdleAfter: the limiter ends after this long with no holder and no
	// waiter (the next request starts it again).
	IdleAfter time.Duration `json:"idle_after,omitempty"`
	// MaxSteps: the signals, grants and checks one run handles before it
	// continues as new (each adds a few history events).
	MaxSteps int `json:"max_steps,omitempty"`
}

func (s *LimiterState) checkEvery() time.Duration {
	if s.CheckEvery > 0 {
		return s.CheckEvery
	}
	return 30 * time.Second
}

func (s *LimiterState) idleAfter() time.Duration {
	if s.IdleAfter > 0 {
		return s.IdleAfter
	}
	return 10 * time.Minute
}

func (s *LimiterState) maxSteps() int {
	if s.MaxSteps > 0 {
		return s.MaxSteps
	}
	return 500
}

// LimiterWorkflow grants up to Max slots of a queue at a time, first come
// first served. A slot whose holder's run has closed (terminated, reset,
// failed) or whose lease is over is taken back when requests wait for
// one, so a lost holder cannot block the queue for good. It continues as
// new with its holders and waiters after MaxSteps steps, and
// ends after IdleAfter with nothing held or waiting.
func LimiterWorkflow(ctx workflow.Context, st LimiterState) error {
	l := &limiter{st: &st}
	steps := 0
	if err := workflow.SetQueryHandler(ctx, LimiterQuery, func() (LimiterState, error) { return *l.st, nil }); err != nil {
		return err
	}
	acquire := workflow.GetSignalChannel(ctx, SignalSlotAcquire)
	release := workflow.GetSignalChannel(ctx, SignalSlotRelease)
	drain := func() bool {
		got := false
		for {
			var r SlotRequest
			if !acquire.ReceiveAsync(&r) {
				break
			}
			l.request(ctx, r)
			got = true
			steps++
		}
		for {
			var tok string
			if !release.ReceiveAsync(&tok) {
				break
			}
			l.release(tok)
			got = true
			steps++
		}
		return got
	}
	var timer workflow.Future
	var stopTimer workflow.CancelFunc
	timerIdle := false
	var idleSince time.Time
	granted0 := st.Granted
	for {
		drain()
		l.grant(ctx)
		info := workflow.GetInfo(ctx)
		if steps+l.st.Granted-granted0 >= st.maxSteps() || info.GetCurrentHistoryLength() >= 10000 || info.GetContinueAsNewSuggested() {
			for drain() {
				l.grant(ctx)
			}
			return workflow.NewContinueAsNewError(ctx, LimiterWorkflow, *l.st)
		}
		idle := len(l.st.Holders) == 0 && len(l.st.Waiters) == 0
		now := workflow.Now(ctx)
		if !idle {
			idleSince = time.Time{}
		} else if idleSince.IsZero() {
			idleSince = now
		}
		if timer != nil && timerIdle && !idle {
			// Requests came: checks replace the idle timer.
			stopTimer()
			timer = nil
		}
		if timer == nil && (idle || len(l.st.Waiters) > 0) {
			d := l.st.checkEvery()
			if idle {
				d = l.st.idleAfter() - now.Sub(idleSince)
			}
			var tctx workflow.Context
			tctx, stopTimer = workflow.WithCancel(ctx)
			timer, timerIdle = workflow.NewTimer(tctx, max(d, time.Millisecond)), idle
		}
		fired := false
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(acquire, func(workflow.ReceiveChannel, bool) {})
		sel.AddReceive(release, func(workflow.ReceiveChannel, bool) {})
		if timer != nil {
			sel.AddFuture(timer, func(workflow.Future) { fired = true })
		}
		sel.Select(ctx)
		if !fired {
			continue
		}
		timer = nil
		if len(l.st.Waiters) > 0 {
			l.reclaim(ctx)
			steps++
			continue
		}
		if idle && len(l.st.Holders) == 0 && workflow.Now(ctx).Sub(idleSince) >= l.st.idleAfter() {
			if drain() {
				continue
			}
			return nil
		}
	}
}

type limiter struct {
	st *LimiterState
}

// request queues r, unless it is already queued or granted (a request
// sent again): a granted one is told again.
func (l *limiter) request(ctx workflow.Context, r SlotRequest) {
	if r.Max > 0 {
		l.st.Max = r.Max
	}
	if l.st.Queue == "" {
		l.st.Queue = r.Queue
	}
	for _, h := range l.st.Holders {
		if h.Token == r.Token {
			l.tell(ctx, h)
			return
		}
	}
	for _, w := range l.st.Waiters {
		if w.Token == r.Token {
			return
		}
	}
	l.st.Waiters = append(l.st.Waiters, SlotHolder{SlotRequest: r, Since: workflow.Now(ctx)})
}

// release frees the slot (or drops the request) of token.
func (l *limiter) release(token string) {
	l.st.Holders = dropToken(l.st.Holders, token)
	l.st.Waiters = dropToken(l.st.Waiters, token)
}

func dropToken(hs []SlotHolder, token string) []SlotHolder {
	out := hs[:0]
	for _, h := range hs {
		if h.Token != token {
			out = append(out, h)
		}
	}
	return out
}

// grant hands free slots to the oldest waiters. A waiter whose run has
// closed (the signal fails) is dropped and the slot goes to the next.
func (l *limiter) grant(ctx workflow.Context) {
	for len(l.st.Waiters) > 0 && len(l.st.Holders) < max(l.st.Max, 1) {
		w := l.st.Waiters[0]
		l.st.Waiters = l.st.Waiters[1:]
		w.Since = workflow.Now(ctx)
		if l.tell(ctx, w) {
			l.st.Holders = append(l.st.Holders, w)
			l.st.Granted++
		}
	}
}

// tell signals h's run that its slot is granted; false if it is closed.
func (l *limiter) tell(ctx workflow.Context, h SlotHolder) bool {
	err := workflow.SignalExternalWorkflow(ctx, h.WorkflowID, h.RunID, SignalSlotGrant, SlotGrant{Queue: l.st.Queue, Token: h.Token}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Info("slot requester is gone; its request is dropped", "queue", l.st.Queue, "workflow", h.WorkflowID, "error", err)
		l.st.Holders = dropToken(l.st.Holders, h.Token)
		return false
	}
	return true
}

// reclaim takes back the slots of holders whose lease is over or whose
// run has closed.
func (l *limiter) reclaim(ctx workflow.Context) {
	now := workflow.Now(ctx)
	var live []SlotHolder
	for _, h := range l.st.Holders {
		if h.Lease > 0 && now.Sub(h.Since) > h.Lease {
			workflow.GetLogger(ctx).Warn("slot lease is over; taking it back", "queue", l.st.Queue, "workflow", h.WorkflowID, "since", h.Since)
			l.st.Reclaimed++
			continue
		}
		live = append(live, h)
	}
	l.st.Holders = live
	if len(live) == 0 {
		return
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 3},
	})
	var closed []string
	if err := workflow.ExecuteActivity(actx, ActClosedHolders, live).Get(ctx, &closed); err != nil {
		workflow.GetLogger(ctx).Warn("checking slot holders failed", "queue", l.st.Queue, "error", err)
		return
	}
	for _, tok := range closed {
		n := len(l.st.Holders)
		l.st.Holders = dropToken(l.st.Holders, tok)
		if len(l.st.Holders) < n {
			workflow.GetLogger(ctx).Warn("slot holder's run has closed; taking its slot back", "queue", l.st.Queue, "token", tok)
			l.st.Reclaimed++
		}
	}
}
