package engine

import (
	"context"
	"time"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// QuerySweep asks the sweep for its status and its running trials for
// their live figures (trials of a sweep without budget or early
// termination report none to the sweep as they go).
func (e *Engine) QuerySweep(ctx context.Context, id string, timeout time.Duration) (workflows.SweepStatus, error) {
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var st workflows.SweepStatus
	v, err := e.Client.QueryWorkflow(qctx, id, "", "status")
	if err != nil {
		return st, err
	}
	if err := v.Get(&st); err != nil {
		return st, err
	}
	live := map[string]workflows.TrialStatus{}
	for _, t := range st.Trials {
		if t.State != workflows.TrialRunning {
			continue
		}
		if ts, err := e.QueryTrial(qctx, t.ID); err == nil {
			live[t.ID] = ts // a trial not answering keeps the sweep's figures
		}
	}
	return workflows.WithLive(st, live), nil
}

// QueryTrial asks a trial workflow for its status (a minute at most).
func (e *Engine) QueryTrial(ctx context.Context, id string) (workflows.TrialStatus, error) {
	qctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var ts workflows.TrialStatus
	v, err := e.Client.QueryWorkflow(qctx, id, "", "status")
	if err != nil {
		return ts, err
	}
	return ts, v.Get(&ts)
}
