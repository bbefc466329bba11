package strategy

import (
	"fmt"

	"github.com/ctxresearch/ctxsweep/agent"
)

// MaskedContent is the placeholder that replaces a masked observation.
func MaskedContent(original string) string {
	return fmt.Sprintf("Old environment output: (%d lines omitted)", LineCount(original))
}

// lastNCut is the cut of last_n_observations (seed-system §2.3): the
// observation entries at positions 1 … cut-1 are masked.
func lastNCut(n, polling int) func(nObs int) int {
	return func(nObs int) int { return max(0, nObs/polling*polling-n) }
}

// blockCut is the cut of observation_masking_cached with o observations
// kept: blocks of o with a head start h = ceil(o/2) (h = 0 for o = 1).
// Nothing is masked while last_n_observations masks nothing (nObs < o+2);
// from then on
//
//	cut = 2 + h + o*floor((nObs-o-2)/o)
//
// so the cut moves only every o observations, and then by o at once. The
// number of observation entries shown in full, nObs - cut, cycles through
// o-h … 2o-h-1: never fewer than floor(o/2) (1 for o = 1), o-0.5 on average
// for even o and o-1 for odd o, and summed over the queries of any
// trajectory never more than last_n_observations shows. With o = 1 it
// equals last_n_observations.
func blockCut(o int) func(nObs int) int {
	h := (o + 1) / 2
	if o == 1 {
		h = 0
	}
	return func(nObs int) int {
		if nObs < o+2 {
			return 0
		}
		return 2 + h + o*((nObs-o-2)/o)
	}
}

// mask masks the observation entries at positions 1 … cut(len(obs))-1 of l,
// returning new items (l is not modified).
func mask(cutOf func(nObs int) int, l []agent.Message) ([]agent.Message, error) {
	var obs []int
	for i, m := range l {
		if m.MessageType == agent.TypeObservation {
			obs = append(obs, i)
		}
	}
	cut := cutOf(len(obs))
	masked := make(map[int]bool)
	for pos := 1; pos < cut; pos++ { // position 0 (the instance message) is never masked
		masked[obs[pos]] = true
	}
	out := make([]agent.Message, len(l))
	for i, m := range l {
		keep := m.HasTag(agent.TagKeepOutput)
		remove := m.HasTag(agent.TagRemoveOutput)
		c := clone(m)
		if (!masked[i] || keep) && !remove {
			out[i] = c
			continue
		}
		if m.MessageType != agent.TypeObservation {
			return nil, fmt.Errorf("strategy: cannot mask item %d: message_type %q, want %q", i, m.MessageType, agent.TypeObservation)
		}
		c.Content = MaskedContent(m.Content)
		out[i] = c
	}
	return out, nil
}
