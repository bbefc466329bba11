package sweep

import (
	"fmt"
	"math"
	"reflect"
	"sort"
)

// defaultEnumLimit bounds the raw product a finite space is enumerated to.
const defaultEnumLimit = 20000

// space is a spec's search space: one dim per parameter in file order, and,
// when finite, its distinct experiments (points, keyed by ExperimentKey).
type space struct {
	spec      *Spec
	dims      []dim
	limit     int
	finite    bool
	points    []map[string]any
	pointKeys []string
}

// dim is one parameter. kind is "constant", "categorical" or the numeric
// distribution name. Categoricals of numbers or booleans are ordinal (rank
// scaled to [0,1]); other categoricals are one-hot.
type dim struct {
	p        *Parameter
	kind     string
	intField bool
	oneHot   bool
	rank     []float64 // ordinal categoricals: encoded value of Values[i]
}

func newSpace(s *Spec) (*space, error) {
	if len(s.Parameters) == 0 {
		return nil, fmt.Errorf("%s: no parameters", s.File)
	}
	sp := &space{spec: s, limit: defaultEnumLimit}
	for i := range s.Parameters {
		p := &s.Parameters[i]
		d := dim{p: p, kind: p.Distribution}
		switch {
		case p.HasValue:
			d.kind = "constant"
		case len(p.Values) > 0:
			d.kind = "categorical"
			d.rank, d.oneHot = ordinalRanks(p.Values)
		case d.kind == "" || d.kind == "constant" || d.kind == "categorical":
			return nil, s.errorAt(p, "needs \"value\", \"values\" or a numeric distribution")
		}
		if pr, ok := lookupParam(p.Name); ok {
			var c RunConfig
			switch pr.field(&c).(type) {
			case *int, **int:
				d.intField = true
			}
		}
		sp.dims = append(sp.dims, d)
	}
	return sp, nil
}

// ordinalRanks ranks numeric or boolean values in [0,1]; any other list is
// one-hot (ranks nil, oneHot true).
func ordinalRanks(values []any) ([]float64, bool) {
	xs := make([]float64, len(values))
	for i, v := range values {
		switch x := v.(type) {
		case bool:
			if x {
				xs[i] = 1
			}
		default:
			f, ok := numericValue(v)
			if !ok {
				return nil, true
			}
			xs[i] = f
		}
	}
	uniq := append([]float64(nil), xs...)
	sort.Float64s(uniq)
	n := 0
	for i, x := range uniq {
		if i == 0 || x != uniq[n-1] {
			uniq[n] = x
			n++
		}
	}
	uniq = uniq[:n]
	ranks := make([]float64, len(xs))
	for i, x := range xs {
		if n > 1 {
			ranks[i] = float64(sort.SearchFloat64s(uniq, x)) / float64(n-1)
		}
	}
	return ranks, false
}

// numericValue returns a Go integer or float as float64 (not strings or bools).
func numericValue(v any) (float64, bool) {
	if n, ok := intValue(v); ok {
		return float64(n), true
	}
	return floatValue(v)
}

func sameValue(a, b any) bool {
	if x, ok := numericValue(a); ok {
		y, ok := numericValue(b)
		return ok && x == y
	}
	return reflect.DeepEqual(a, b)
}

// index returns the position of v in a categorical's values, or -1.
func (d *dim) index(v any) int {
	for i, c := range d.p.Values {
		if sameValue(c, v) {
			return i
		}
	}
	return -1
}

// canon maps a (possibly JSON round-tripped) value to the spec's own
// representation: the listed value of a categorical, an int for integer
// fields, a float64 otherwise. Unknown values are returned unchanged.
func (d *dim) canon(v any) any {
	switch d.kind {
	case "constant":
		return d.p.Value
	case "categorical":
		if i := d.index(v); i >= 0 {
			return d.p.Values[i]
		}
		return v
	}
	f, err := asFloat(v)
	if err != nil {
		return v
	}
	return d.output(f)
}

func (d *dim) output(f float64) any {
	if d.intField {
		return int(math.Round(f))
	}
	return f
}

// width is the number of encoded coordinates (0 for constants).
func (d *dim) width() int {
	switch {
	case d.kind == "constant":
		return 0
	case d.oneHot:
		return len(d.p.Values)
	}
	return 1
}

// encode appends the dim's coordinates in [0,1] for value v.
func (d *dim) encode(dst []float64, v any) []float64 {
	switch d.kind {
	case "constant":
		return dst
	case "categorical":
		i := d.index(v)
		if d.oneHot {
			for j := range d.p.Values {
				dst = append(dst, b2f(j == i))
			}
			return dst
		}
		if i < 0 {
			return append(dst, 0)
		}
		return append(dst, d.rank[i])
	}
	f, err := asFloat(v)
	if err != nil {
		return append(dst, 0)
	}
	return append(dst, clamp01(cdf(d.kind, d.p, f)))
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func clamp01(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}

// full returns params completed with the spec's constants and canonicalised.
func (sp *space) full(params map[string]any) map[string]any {
	out := make(map[string]any, len(sp.dims))
	for i := range sp.dims {
		d := &sp.dims[i]
		if v, ok := params[d.p.Name]; ok {
			out[d.p.Name] = d.canon(v)
		} else if d.kind == "constant" {
			out[d.p.Name] = d.p.Value
		}
	}
	return out
}

// encode maps params to the GP's input space.
func (sp *space) encode(params map[string]any) []float64 {
	var x []float64
	for i := range sp.dims {
		x = sp.dims[i].encode(x, params[sp.dims[i].p.Name])
	}
	return x
}
