package sweep

import (
	"fmt"
	"sort"
	"strings"
)

// Trial construction is method-independent: a search method (grid today;
// random, bayes and hyperband later) only has to produce a parameter
// assignment map[string]any keyed by parameter name, and Trial turns it into
// a validated RunConfig.

// Choices returns the discrete values of a parameter: [Value] for a constant,
// Values for a categorical. Numeric distributions have no finite choices.
func (p *Parameter) Choices() ([]any, bool) {
	switch {
	case p.HasValue:
		return []any{p.Value}, true
	case len(p.Values) > 0:
		return p.Values, true
	}
	return nil, false
}

// Grid returns the Cartesian product of the parameters' value/values.
// Order: parameters in file order, the LAST parameter varying fastest (like
// nested loops written in file order); values in listed order. (W&B itself
// iterates in sorted-name order; file order keeps a sweep file readable as
// a table.) Every map holds every parameter, constants included. A
// parameter with a numeric distribution is an error.
func (s *Spec) Grid() ([]map[string]any, error) {
	choices := make([][]any, len(s.Parameters))
	total := 1
	for i := range s.Parameters {
		p := &s.Parameters[i]
		if err := p.gridCheck(s); err != nil {
			return nil, err
		}
		c, ok := p.Choices()
		if !ok {
			return nil, s.errorAt(p, `grid needs "value" or "values"`)
		}
		choices[i] = c
		if total > MaxGridPoints/max(len(c), 1) {
			return nil, fmt.Errorf("%s: the grid has more than %d points (%s); split the sweep into several files, or use method random or bayes with run_cap",
				s.File, MaxGridPoints, s.gridShape(choices[:i+1]))
		}
		total *= len(c)
	}
	out := make([]map[string]any, 0, total)
	idx := make([]int, len(choices))
	for n := 0; n < total; n++ {
		m := make(map[string]any, len(choices))
		for i, c := range choices {
			m[s.Parameters[i].Name] = c[idx[i]]
		}
		out = append(out, m)
		for i := len(idx) - 1; i >= 0; i-- { // odometer: last digit fastest
			idx[i]++
			if idx[i] < len(choices[i]) {
				break
			}
			idx[i] = 0
		}
	}
	return out, nil
}

// Trial builds one trial's RunConfig: DefaultRunConfig, then the spec's
// command flags, then overrides (e.g. from the CLI; only non-zero fields
// apply), then params applied in spec parameter order (extra keys not in
// the spec are applied afterwards in sorted order). A spec parameter with a
// constant "value" that is absent from params takes that value; any other
// absent spec parameter is an error. The result is checked with
// Validate(nil); callers check model presets with Validate(knownModel).
func (s *Spec) Trial(params map[string]any, overrides CommandFlags) (RunConfig, error) {
	c := DefaultRunConfig()
	s.CommandFlags.apply(&c)
	overrides.apply(&c)
	for i := range s.Parameters {
		p := &s.Parameters[i]
		v, ok := params[p.Name]
		if !ok {
			if !p.HasValue {
				return RunConfig{}, s.errorAt(p, "missing from the trial's parameters")
			}
			v = p.Value
		}
		if err := c.Set(p.Name, v); err != nil {
			return RunConfig{}, s.errorAt(p, "%v", err)
		}
	}
	var extra []string
	for name := range params {
		if _, ok := s.Parameter(name); !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		if err := c.Set(name, params[name]); err != nil {
			return RunConfig{}, fmt.Errorf("%s: %w", s.File, err)
		}
	}
	if err := c.Validate(nil); err != nil {
		return RunConfig{}, fmt.Errorf("%s: trial %s: %w", s.File, c.RunName(), err)
	}
	return c, nil
}

// GridTrials expands Grid into RunConfigs (same order) via Trial.
func (s *Spec) GridTrials(overrides CommandFlags) ([]RunConfig, error) {
	grid, err := s.Grid()
	if err != nil {
		return nil, err
	}
	out := make([]RunConfig, 0, len(grid))
	for _, params := range grid {
		c, err := s.Trial(params, overrides)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// MaxGridPoints bounds a grid sweep's points (before equivalent trials are
// pruned): a grid past it is a mistake, not an experiment.
const MaxGridPoints = 100000

func (s *Spec) gridShape(choices [][]any) string {
	parts := make([]string, len(choices))
	for i, c := range choices {
		parts[i] = fmt.Sprintf("%s %d", s.Parameters[i].Name, len(c))
	}
	return strings.Join(parts, " × ")
}
