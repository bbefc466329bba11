package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/agent"
)

// ErrSandboxLost is the application error type an activity returns when the
// sandbox it was given does not exist on its worker (the worker restarted).
const ErrSandboxLost = "SandboxLost"

// ErrContextExceeded is the error type of a model call whose prompt no
// longer fits the model's context window: the instance ends exit_context.
const ErrContextExceeded = "ContextWindowExceeded"

// ErrInstanceDirLost is the error type of an activity that finds the
// instance's directory gone (deleted while the sweep ran): its recorded
// turns cannot be rebuilt, so the instance fails instead of retrying.
const ErrInstanceDirLost = "InstanceDirLost"

// ErrConfig is the error type for bad configuration (unknown model, missing
// key): not retried, the instance ends with exit_error.
const ErrConfig = "ConfigError"

// InstanceInput starts or continues an instance.
type InstanceInput struct {
	Ref   InstanceRef    `json:"ref"`
	State *InstanceState `json:"state,omitempty"`
}

// InstanceState is the compact state carried across continue-as-new.
type InstanceState struct {
	Turn           int         `json:"turn"` // completed turns
	Calls          int         `json:"calls"`
	Requeries      int         `json:"requeries"`
	Usage          agent.Usage `json:"usage"`
	Cost           float64     `json:"cost"`
	SummaryUsage   agent.Usage `json:"summary_usage"`
	SummaryCost    float64     `json:"summary_cost"`
	Summaries      int         `json:"summaries"`
	ExecSeconds    float64     `json:"exec_seconds"`
	ConsecTimeouts int         `json:"consec_timeouts"`
	SandboxID      string      `json:"sandbox_id,omitempty"`
	SessionToken   []byte      `json:"session_token,omitempty"`
	Recoveries     int         `json:"recoveries"`
	APIRetries     int         `json:"api_retries,omitempty"`
}

// InstanceStatus answers the "status" query.
type InstanceStatus struct {
	Turn  int     `json:"turn"`
	Calls int     `json:"calls"`
	Cost  float64 `json:"cost"`
	Phase string  `json:"phase"`
}

const maxRecoveries = 20

// InstanceWorkflow runs the agent on one instance. Its activities that touch
// the sandbox run on one worker, through a Temporal session; if that worker
// dies, a new session and sandbox are made and the recorded actions replayed,
// and the loop continues without paying for a completed turn again.
func InstanceWorkflow(ctx workflow.Context, in InstanceInput) (InstanceRecord, error) {
	st := in.State
	if st == nil {
		// A new run of an instance that ran before (its workflow was
		// cancelled or terminated) continues from the turns in the store.
		st = &InstanceState{}
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 5 * time.Minute,
			RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 5}})
		if err := workflow.ExecuteActivity(actx, ActLoadProgress, in.Ref).Get(ctx, st); err != nil {
			return InstanceRecord{}, err
		}
	}
	r := &instanceRun{ref: in.Ref, st: st, phase: "setup"}
	if err := workflow.SetQueryHandler(ctx, "status", func() (InstanceStatus, error) {
		return InstanceStatus{Turn: r.st.Turn, Calls: r.st.Calls, Cost: r.st.Cost + r.st.SummaryCost, Phase: r.phase}, nil
	}); err != nil {
		return InstanceRecord{}, err
	}
	return r.run(ctx)
}

type instanceRun struct {
	ref     InstanceRef
	st      *InstanceState
	sessCtx workflow.Context
	phase   string
	// localCalls: model calls run as local activities (useLocalModelCalls).
	localCalls bool
	// globalSlots: calls on a queue with max_concurrent hold a slot of its
	// limiter (useGlobalSlots); slotSeq numbers the run's requests.
	globalSlots bool
	slotSeq     int
	inSlot      bool // a call holding a slot is being made
}

func (r *instanceRun) tuning() Tuning { return r.ref.Trial.Tuning }

func (r *instanceRun) mainCtx(ctx workflow.Context, startToClose time.Duration, attempts int32) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: startToClose,
		HeartbeatTimeout:    r.tuning().heartbeat(),
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute,
			MaximumAttempts: attempts, NonRetryableErrorTypes: []string{ErrConfig, ErrContextExceeded, "AuthFailed", "BadRequest"},
		},
	})
}

func (r *instanceRun) sessionOpts() *workflow.SessionOptions {
	return &workflow.SessionOptions{CreationTimeout: 10 * time.Minute, ExecutionTimeout: 7 * 24 * time.Hour, HeartbeatTimeout: r.tuning().heartbeat()}
}

func (r *instanceRun) run(ctx workflow.Context) (InstanceRecord, error) {
	logger := workflow.GetLogger(ctx)
	r.localCalls = r.useLocalModelCalls(ctx)
	r.globalSlots = r.useGlobalSlots(ctx)
	if err := r.attach(ctx); err != nil {
		if ctx.Err() != nil {
			return r.cancelled(ctx)
		}
		if !r.lost(ctx, err) {
			return r.fail(ctx, agent.ExitEnvironmentError, err)
		}
		if err := r.recover(ctx, err); err != nil {
			return r.fail(ctx, agent.ExitEnvironmentError, err)
		}
	}
	exit := ""
	var exitErr error
	lim := r.ref.Trial.AgentLimits()
	runStart := r.st.Turn
	for exit == "" {
		if r.st.Turn-runStart >= r.tuning().canEvery() || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return r.continueAsNew(ctx)
		}
		turn := r.st.Turn + 1
		r.phase = fmt.Sprintf("turn %d", turn)
		if lim.TotalExecutionTimeoutSec > 0 && r.st.ExecSeconds > float64(lim.TotalExecutionTimeoutSec) {
			exit = agent.ExitTotalExecutionTime
			break
		}
		var res ExecuteResult
		var err error
		for attempt, fails := 0, 0; ; {
			var status string
			attempt, fails, status, err = r.query(ctx, turn, attempt, fails)
			if ctx.Err() != nil {
				return r.cancelled(ctx)
			}
			if err != nil {
				exit, exitErr = agent.ExitError, err
				break
			}
			if status != "" {
				exit = status
				break
			}
			res, err = r.execute(ctx, turn, attempt)
			if ctx.Err() != nil {
				return r.cancelled(ctx)
			}
			if err != nil {
				exit, exitErr = agent.ExitEnvironmentError, err
				break
			}
			if !res.RetryWithOutput {
				break
			}
			// The seed's retry-with-output (§3.4): the action's output goes
			// back to the model as a re-query of this turn, which does not
			// count towards exit_format. Its command time counts.
			r.st.ExecSeconds += res.ExecSeconds
			r.st.ConsecTimeouts = 0
			attempt++
			if lim.TotalExecutionTimeoutSec > 0 && r.st.ExecSeconds > float64(lim.TotalExecutionTimeoutSec) {
				exit = agent.ExitTotalExecutionTime
				break
			}
		}
		if exit != "" {
			break
		}
		r.st.Turn = turn
		r.st.ExecSeconds += res.ExecSeconds
		if res.TimedOut {
			r.st.ConsecTimeouts++
		} else {
			r.st.ConsecTimeouts = 0
		}
		switch {
		case res.Submitted:
			exit = agent.ExitSubmitted
		case res.ExitCommand:
			exit = agent.ExitCommand
		case lim.MaxConsecutiveTimeouts > 0 && r.st.ConsecTimeouts >= lim.MaxConsecutiveTimeouts:
			exit = agent.ExitCommandTimeout
		default:
			r.summarize(ctx, turn)
		}
	}
	logger.Info("instance finished", "instance", r.ref.InstanceID, "exit", exit, "turns", r.st.Turn)
	return r.finish(ctx, exit, exitErr)
}

// query asks the model for turn's action from attempt on, re-querying on
// format errors (fails counts them, in a row, for the turn). It returns
// the accepted attempt and the count, or an exit status. Every attempt
// after the first is a re-query.
func (r *instanceRun) query(ctx workflow.Context, turn, attempt, fails int) (int, int, string, error) {
	lim := r.ref.Trial.AgentLimits()
	maxTries := lim.MaxRequeries
	if maxTries <= 0 {
		maxTries = 3
	}
	var cw credWait
	for fails < maxTries {
		var res ModelCallResult
		err := r.withSlot(ctx, r.ref.Trial.ModelQueue, r.ref.Trial.ModelSlots, func() error {
			return r.modelCall(ctx, ModelCallInput{Ref: r.ref, Turn: turn, Attempt: attempt}).Get(ctx, &res)
		})
		if r.waitForCredentials(ctx, err, &cw) {
			continue
		}
		var app *temporal.ApplicationError
		if errors.As(err, &app) && app.Type() == ErrContextExceeded {
			return attempt, fails, agent.ExitContext, nil
		}
		if err != nil {
			if providerGaveUp(err) {
				workflow.GetLogger(ctx).Error("model API kept failing; ending the instance with exit_api", "instance", r.ref.InstanceID, "turn", turn, "error", err)
				return attempt, fails, agent.ExitAPI, nil
			}
			var to *temporal.TimeoutError
			if errors.As(err, &to) && ctx.Err() == nil {
				// No worker took the call in time (all down): not the
				// provider's fault, so ask again.
				workflow.GetLogger(ctx).Warn("model call timed out without a provider error; asking again", "instance", r.ref.InstanceID, "turn", turn)
				continue
			}
			return attempt, fails, "", err
		}
		r.st.Calls++
		r.st.APIRetries += res.Retries
		r.st.Usage = r.st.Usage.Add(res.Usage)
		r.st.Cost += res.Cost
		if attempt > 0 {
			r.st.Requeries++
		}
		if lim.CallLimit > 0 && r.st.Calls > lim.CallLimit {
			return attempt, fails, agent.ExitCost, nil
		}
		if lim.CostLimit > 0 && r.st.Cost+r.st.SummaryCost > lim.CostLimit {
			return attempt, fails, agent.ExitCost, nil
		}
		if res.Valid {
			return attempt, fails, "", nil
		}
		fails++
		attempt++
	}
	return attempt, fails, agent.ExitFormat, nil
}

// summarize makes the summary due after turn, if the strategy asks for one.
// A summarizer failure is logged and skipped: it never ends the instance.
func (r *instanceRun) summarize(ctx workflow.Context, turn int) {
	s := r.ref.Trial.Strategy.Strategy
	if s != "llm_summary" && s != "hybrid" {
		return
	}
	lim := r.ref.Trial.Limits
	in := SummarizeInput{Ref: r.ref, Turn: turn, Done: r.st.Summaries, SkipCall: lim.CallLimit > 0 && r.st.Calls >= lim.CallLimit}
	var res SummarizeResult
	var cw credWait
	q, slots := r.ref.Trial.SummaryQueue, r.ref.Trial.SummarySlots
	in.AskSlot = r.slotted(q, slots) // a slot only for a turn whose summary calls the model
	call := func() error {
		res = SummarizeResult{}
		err := workflow.ExecuteActivity(r.apiCtx(ctx, q, 10), ActSummarize, in).Get(ctx, &res)
		if err != nil || !res.NeedsSlot {
			return err
		}
		return r.withSlot(ctx, q, slots, func() error {
			again := in
			again.AskSlot = false
			return workflow.ExecuteActivity(r.apiCtx(ctx, q, 10), ActSummarize, again).Get(ctx, &res)
		})
	}
	err := call()
	for r.waitForCredentials(ctx, err, &cw) {
		err = call()
	}
	if err != nil {
		workflow.GetLogger(ctx).Error("summary failed; continuing without it", "instance", r.ref.InstanceID, "turn", turn, "error", err)
		return
	}
	if res.Made {
		r.st.Summaries++
	}
	if res.Called {
		r.st.Calls++
		r.st.SummaryUsage = r.st.SummaryUsage.Add(res.Usage)
		r.st.SummaryCost += res.Cost
	}
}

func (r *instanceRun) continueAsNew(ctx workflow.Context) (InstanceRecord, error) {
	workflow.CompleteSession(r.sessCtx)
	return InstanceRecord{}, workflow.NewContinueAsNewError(ctx, InstanceWorkflow, InstanceInput{Ref: r.ref, State: r.st})
}
