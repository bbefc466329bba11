package engine

import (
	"context"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// WaitingForCredentials returns, by instance workflow id, the phase of
// every running instance of the sweep whose model calls are waiting for
// credentials (an expired session token, a credentials endpoint down) or
// for a slot of a queue's max_concurrent.
func (e *Engine) WaitingForCredentials(ctx context.Context, st workflows.SweepStatus) map[string]string {
	out := map[string]string{}
	for _, t := range st.Trials {
		if t.State != workflows.TrialRunning {
			continue
		}
		ts, err := e.QueryTrial(ctx, t.ID)
		if err != nil {
			continue
		}
		for _, inst := range ts.Running {
			id := t.ID + "/" + inst
			qctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			v, err := e.Client.QueryWorkflow(qctx, id, "", "status")
			var is workflows.InstanceStatus
			if err == nil && v.Get(&is) == nil && strings.HasPrefix(is.Phase, "waiting for ") {
				out[id] = is.Phase
			}
			cancel()
		}
	}
	return out
}
