package sweep

import "fmt"

// Experiment keys and the enumeration of finite spaces.

// key is the ExperimentKey of params' trial.
func (sp *space) key(params map[string]any) (string, error) {
	c, err := sp.spec.Trial(sp.full(params), CommandFlags{})
	if err != nil {
		return "", err
	}
	return c.ExperimentKey(), nil
}

// historyKeys returns the experiment keys present in history.
func (sp *space) historyKeys(history []TrialState) (map[string]bool, error) {
	seen := make(map[string]bool, len(history))
	for i, t := range history {
		k, err := sp.key(t.Params)
		if err != nil {
			return nil, fmt.Errorf("history[%d]: %w", i, err)
		}
		seen[k] = true
	}
	return seen, nil
}

// addPoint records p unless its experiment is already listed.
func (sp *space) addPoint(p map[string]any, seen map[string]bool) error {
	k, err := sp.key(p)
	if err != nil {
		return err
	}
	if !seen[k] {
		seen[k] = true
		sp.points = append(sp.points, p)
		sp.pointKeys = append(sp.pointKeys, k)
	}
	return nil
}

// enumerateGrid lists Spec.Grid's distinct experiments; an invalid
// combination is an error, as in Spec.GridTrials.
func (sp *space) enumerateGrid() error {
	grid, err := sp.spec.Grid()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range grid {
		if err := sp.addPoint(p, seen); err != nil {
			return err
		}
	}
	sp.finite = true
	return nil
}

// enumerateFinite lists the distinct valid experiments when every dim is
// finite and the product is at most sp.limit; otherwise it leaves the space
// infinite. A finite space without one valid point is an error.
func (sp *space) enumerateFinite() error {
	choices := make([][]any, len(sp.dims))
	total := 1
	for i := range sp.dims {
		d := &sp.dims[i]
		switch {
		case d.kind == "constant":
			choices[i] = []any{d.p.Value}
		case d.kind == "categorical":
			choices[i] = d.p.Values
		case d.kind == "int_uniform" && d.p.Min != nil && d.p.Max != nil && *d.p.Max-*d.p.Min < float64(sp.limit):
			for v := int(*d.p.Min); v <= int(*d.p.Max); v++ {
				choices[i] = append(choices[i], v)
			}
		default:
			return nil
		}
		total *= len(choices[i])
		if total > sp.limit {
			return nil
		}
	}
	seen := map[string]bool{}
	var firstErr error
	idx := make([]int, len(choices))
	for n := 0; n < total; n++ {
		p := make(map[string]any, len(choices))
		for i, c := range choices {
			p[sp.dims[i].p.Name] = c[idx[i]]
		}
		if err := sp.addPoint(p, seen); err != nil && firstErr == nil {
			firstErr = err
		}
		for i := len(idx) - 1; i >= 0; i-- {
			if idx[i]++; idx[i] < len(choices[i]) {
				break
			}
			idx[i] = 0
		}
	}
	if len(sp.points) == 0 {
		return fmt.Errorf("%s: no valid combination of parameters: %w", sp.spec.File, firstErr)
	}
	sp.finite = true
	return nil
}
