package workflows

import (
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/ctxresearch/ctxsweep/agent"
)

// finish autosubmits after an error exit, removes the sandbox, evaluates the
// patch and writes the trajectory and record.
func (r *instanceRun) finish(ctx workflow.Context, exit string, exitErr error) (InstanceRecord, error) {
	rec := InstanceRecord{
		InstanceID: r.ref.InstanceID, ExitStatus: exit, Turns: r.st.Turn, APICalls: r.st.Calls,
		Requeries: r.st.Requeries, Summaries: r.st.Summaries, Usage: r.st.Usage, Cost: r.st.Cost,
		SummaryUsage: r.st.SummaryUsage, SummaryCost: r.st.SummaryCost, ExecSeconds: r.st.ExecSeconds,
		Recoveries: r.st.Recoveries, APIRetries: r.st.APIRetries,
	}
	if exitErr != nil {
		rec.Error = exitErr.Error()
	}
	// Ended by the environment or a provider outage, not by the agent:
	// `starter retry` may run it again.
	rec.Retryable = (exit == agent.ExitEnvironmentError || exit == agent.ExitAPI) && !permanent(exitErr)
	if r.sessCtx != nil && r.st.SandboxID != "" {
		actx := workflow.WithActivityOptions(r.sessCtx, r.sessionActivityOpts(5*time.Minute))
		if exit != agent.ExitSubmitted && exit != agent.ExitCommand {
			r.phase = "autosubmit"
			var as AutosubmitResult
			if err := workflow.ExecuteActivity(actx, ActAutosubmit, AutosubmitInput{Ref: r.ref, SandboxID: r.st.SandboxID}).Get(ctx, &as); err == nil && as.PatchBytes > 0 {
				rec.ExitStatus = agent.Autosubmitted(exit)
			}
		}
		_ = workflow.ExecuteActivity(actx, ActTeardown, TeardownInput{SandboxID: r.st.SandboxID}).Get(ctx, nil)
	}
	if r.sessCtx != nil {
		workflow.CompleteSession(r.sessCtx)
	}
	rec.Submitted = strings.HasPrefix(rec.ExitStatus, agent.ExitSubmitted)
	r.phase = "evaluate"
	var ev EvaluateResult
	evCtx := r.mainCtx(ctx, 30*time.Minute, 3)
	if err := workflow.ExecuteActivity(evCtx, ActEvaluate, EvaluateInput{Ref: r.ref}).Get(ctx, &ev); err != nil {
		workflow.GetLogger(ctx).Error("evaluation failed", "instance", r.ref.InstanceID, "error", err)
	} else if ev.Evaluated {
		resolved := ev.Resolved
		rec.Resolved = &resolved
		rec.Eval = ev.Eval
	}
	r.phase = "finalize"
	var out InstanceRecord
	if err := workflow.ExecuteActivity(r.mainCtx(ctx, 5*time.Minute, 0), ActFinalize, FinalizeInput{Ref: r.ref, Record: rec}).Get(ctx, &out); err != nil {
		return rec, err
	}
	r.phase = "done"
	upsertOutcome(ctx, r.ref, out)
	return out, nil
}

// fail ends an instance that could not even start.
func (r *instanceRun) fail(ctx workflow.Context, exit string, err error) (InstanceRecord, error) {
	return r.finish(ctx, exit, err)
}

// permanent says whether an error cannot heal by running again: bad
// configuration, or an instance directory deleted under the sweep.
func permanent(err error) bool {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type() == ErrConfig || app.Type() == ErrInstanceDirLost
	}
	return false
}
