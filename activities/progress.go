package activities

import (
	"context"

	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// LoadProgress rebuilds an instance's counters from the store: the turns
// completed by an earlier run of its workflow (cancelled or terminated),
// with every reply and summary of those turns counted once. Replies of the
// next, unfinished turn are left out: the loop finds and counts them when
// it asks for that turn again.
func (a *Activities) LoadProgress(ctx context.Context, ref workflows.InstanceRef) (workflows.InstanceState, error) {
	dir := ref.Dir()
	var st workflows.InstanceState
	for t := 1; ; t++ {
		var obs Observation
		ok, err := a.Store.ReadJSON(store.ObservationFile(dir, t), &obs)
		if err != nil {
			return st, err
		}
		if !ok {
			break
		}
		for at := 0; at <= obs.Attempt; at++ {
			var rep Reply
			if ok, err := a.Store.ReadJSON(store.ReplyFile(dir, t, at), &rep); err != nil {
				return st, err
			} else if ok {
				st.Calls++
				st.Usage = st.Usage.Add(rep.Usage)
				st.Cost += rep.Cost
				if at > 0 {
					st.Requeries++
				}
			}
		}
		st.Turn = t
		st.ExecSeconds += obs.ExecSeconds
		if obs.TimedOut {
			st.ConsecTimeouts++
		} else {
			st.ConsecTimeouts = 0
		}
	}
	for i := 1; ; i++ {
		var s StoredSummary
		ok, err := a.Store.ReadJSON(store.SummaryFile(dir, i), &s)
		if err != nil {
			return st, err
		}
		if !ok || s.Turn > st.Turn {
			break
		}
		st.Summaries++
		if s.Called {
			st.Calls++
			st.SummaryUsage = st.SummaryUsage.Add(s.Usage)
			st.SummaryCost += s.Cost
		}
	}
	return st, nil
}
