package strategy

import (
	"fmt"

	"github.com/ctxresearch/ctxsweep/agent"
)

// MaskedContent is the placeholder that replaces a masked observation.
func MaskedContent(original string) string {
	return fmt.Sprintf("Old environment output: (%d lines omitted)", LineCount(original))
}

// mask implements last_n_observations (seed-system §2.3) on l, returning new
// items (l is not modified).
func mask(n, polling int, l []agent.Message) ([]agent.Message, error) {
	var obs []int
	for i, m := range l {
		if m.MessageType == agent.TypeObservation {
			obs = append(obs, i)
		}
	}
	cut := max(0, len(obs)/polling*polling-n)
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
