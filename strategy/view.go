package strategy

import (
	"fmt"

	"github.com/ctxresearch/ctxsweep/agent"
)

// summaryState is the summarizer's view of one history state.
type summaryState struct {
	p       Params
	done    []Summary
	pending []agent.Turn // raw turns not covered by any summary
	atLast  bool         // the newest summary was made for this very state
}

// due reports whether the seed would summarize at this state.
func (st summaryState) due() bool {
	return !st.atLast && len(st.pending) >= st.p.SumN+st.p.SumKeepM
}

func summaryStateOf(p Params, history []agent.Message, done []Summary) (summaryState, error) {
	turns, err := Turns(history)
	if err != nil {
		return summaryState{}, err
	}
	st := summaryState{p: p, done: done}
	for j, s := range done {
		if want := (j + 1) * p.SumN; s.CoveredTurns != want {
			return st, fmt.Errorf("strategy: summary %d covers %d turns, want %d (parameters changed?)", j+1, s.CoveredTurns, want)
		}
	}
	if len(done) > 0 {
		last := done[len(done)-1]
		if last.HistoryLen > len(history) || len(history) < 2 || len(turns) < last.CoveredTurns+p.SumKeepM {
			return st, fmt.Errorf("strategy: %d summaries (newest made at history length %d, covering %d turns) do not fit a history of %d items and %d turns",
				len(done), last.HistoryLen, last.CoveredTurns, len(history), len(turns))
		}
		st.atLast = last.HistoryLen == len(history)
	}
	st.pending = turns[len(done)*p.SumN:]
	if st.due() && len(history) < 2 {
		return st, fmt.Errorf("strategy: history of %d items is too short to summarize", len(history))
	}
	return st, nil
}

// View returns the messages the model sees for the next query, given the raw
// history and the summaries made so far (including any made for this state).
// It is an error to ask for a view while a summary is due but not yet made.
func View(p Params, history []agent.Message, done []Summary) ([]agent.Message, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	out := cloneAll(history)
	if p.Summarizes() {
		var err error
		if out, err = summaryView(p, history, done); err != nil {
			return nil, err
		}
	} else if len(done) > 0 {
		return nil, fmt.Errorf("strategy: %s makes no summaries, got %d", p.Strategy, len(done))
	}
	switch {
	case p.Strategy == ObservationMaskingCached:
		return mask(blockCut(p.ObsN), out)
	case p.Masks():
		return mask(lastNCut(p.ObsN, p.Polling), out)
	}
	return out, nil
}

// summaryView implements summarize_every_n_turns (§2.4.2) for a state whose
// summaries are all made.
func summaryView(p Params, history []agent.Message, done []Summary) ([]agent.Message, error) {
	st, err := summaryStateOf(p, history, done)
	if err != nil {
		return nil, err
	}
	if st.due() {
		return nil, fmt.Errorf("strategy: summary %d is due at history length %d; call SummaryDue and store its summary first", len(done)+1, len(history))
	}
	if len(done) == 0 {
		return cloneAll(history), nil
	}
	shown := done
	if p.StaticCheckpoint && (st.atLast || !p.SeedCompat) {
		// At the trigger state the seed shows only the newest summary; on
		// later states it returns its whole cache (quirk §13.1) unless
		// SeedCompat is off.
		shown = done[len(done)-1:]
	}
	out := make([]agent.Message, 0, 2+len(shown)+2*len(st.pending))
	out = append(out, clone(history[0]), clone(history[1]))
	for _, s := range shown {
		out = append(out, s.Item())
	}
	for _, m := range flatten(st.pending) {
		out = append(out, clone(m))
	}
	return out, nil
}
