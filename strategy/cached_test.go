package strategy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
)

func cachedView(t *testing.T, o, turns int) []agent.Message {
	t.Helper()
	p := Defaults(ObservationMaskingCached)
	p.ObsN = o
	v, err := View(p, synthHistory(turns), nil)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCachedMaskSchedule(t *testing.T) {
	// o=10 (h=5): nothing masked up to 10 completed turns (11 entries, as in
	// observation_masking); at 11 turns O1…O6 are masked and O7…O11 shown;
	// the mask then stays until 21 turns (O7…O20 shown), then jumps by 10.
	full := func(n int) string { return strings.Repeat("F", n) }
	masked := func(n int) string { return strings.Repeat("M", n) }
	cases := []struct {
		o, turns int
		want     string
	}{
		{10, 1, full(2)},
		{10, 10, full(11)},
		{10, 11, "F" + masked(6) + full(5)},
		{10, 12, "F" + masked(6) + full(6)},
		{10, 20, "F" + masked(6) + full(14)},
		{10, 21, "F" + masked(16) + full(5)},
		{10, 30, "F" + masked(16) + full(14)},
		{10, 31, "F" + masked(26) + full(5)},
		{3, 3, full(4)},
		{3, 4, "F" + masked(3) + full(1)}, // h=2: three masked where masking masks one
		{3, 5, "F" + masked(3) + full(2)},
		{3, 6, "F" + masked(3) + full(3)},
		{3, 7, "F" + masked(6) + full(1)},
		{2, 3, "F" + masked(2) + full(1)},
		{2, 4, "F" + masked(2) + full(2)},
		{2, 5, "F" + masked(4) + full(1)},
		{1, 2, "F" + masked(1) + full(1)},
		{1, 3, "F" + masked(2) + full(1)},
	}
	for _, c := range cases {
		if got := obsSig(cachedView(t, c.o, c.turns)); got != c.want {
			t.Errorf("o=%d, %d turns: %s, want %s", c.o, c.turns, got, c.want)
		}
	}
}

// prefixOf reports whether a equals the first len(a) items of b in role and
// content (what a prefix cache compares).
func prefixOf(a, b []agent.Message) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if a[i].Role != b[i].Role || a[i].Content != b[i].Content {
			return false
		}
	}
	return true
}

func fullObs(v []agent.Message) int {
	return strings.Count(obsSig(v), "F") - 1 // the instance message is always full
}

// TestCachedMaskProperties checks the documented guarantees for o = 1…16 over
// 150 queries: the view changes other than by appending only when the
// block moves (queries o+2, 2o+2, …, against every query from o+2 on for
// observation_masking); between floor(o/2) and floor(o/2)+o-1 observations
// are shown in full (1 for o=1); the running total of full observations
// never exceeds observation_masking's, and falls behind it by o/2 per block
// for o >= 2; the placeholder is the same; o=1 is masking.
func TestCachedMaskProperties(t *testing.T) {
	const queries = 150
	for o := 1; o <= 16; o++ {
		pm := Defaults(ObservationMasking)
		pm.ObsN = o
		var prev []agent.Message
		sumCached, sumMasked := 0, 0
		for q := 1; q <= queries; q++ {
			h := synthHistory(q - 1)
			v := cachedView(t, o, q-1)
			m, err := View(pm, h, nil)
			if err != nil {
				t.Fatal(err)
			}
			moved := q >= o+2 && (q-2)%o == 0
			if prev != nil && prefixOf(prev, v) == moved {
				t.Fatalf("o=%d query %d: previous view is a prefix of this one: %v, want %v", o, q, moved, !moved)
			}
			prev = v
			f := fullObs(v)
			lo, hi := o/2, o/2+o-1
			if o == 1 {
				lo, hi = 1, 1
			}
			if q >= o+2 && (f < lo || f > hi) {
				t.Fatalf("o=%d query %d: %d observations in full, want %d…%d", o, q, f, lo, hi)
			}
			if q < o+2 && f != q-1 {
				t.Fatalf("o=%d query %d: %d observations in full before masking starts", o, q, f)
			}
			sumCached += f
			sumMasked += fullObs(m)
			if sumCached > sumMasked {
				t.Fatalf("o=%d query %d: %d full observations so far, masking %d", o, q, sumCached, sumMasked)
			}
			for i := range v {
				if v[i].Content != h[i].Content && v[i].Content != MaskedContent(h[i].Content) {
					t.Fatalf("o=%d query %d: item %d is neither original nor placeholder: %q", o, q, i, v[i].Content)
				}
			}
			if o == 1 && render(v) != render(m) {
				t.Fatalf("o=1 query %d differs from observation_masking", q)
			}
		}
		// Mean o-0.5 (even o) or o-1 (odd o) per query once masking runs:
		// behind by at least o/2 per completed block.
		if blocks := (queries - o - 1) / o; o > 1 && sumMasked-sumCached < blocks*o/2 {
			t.Errorf("o=%d: %d full observations in total, masking %d: want at least %d fewer", o, sumCached, sumMasked, blocks*o/2)
		}
	}
}

func TestCachedMaskParams(t *testing.T) {
	p := Defaults(ObservationMaskingCached)
	if !p.Masks() || p.Summarizes() {
		t.Errorf("Masks %v Summarizes %v", p.Masks(), p.Summarizes())
	}
	p.ObsN = 0
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "hp-obs-n (0) must be greater than 0") {
		t.Errorf("o=0: %v", err)
	}
	p.ObsN, p.Polling = 3, 0 // polling is not used by the cached strategy
	if err := p.Validate(); err != nil {
		t.Errorf("polling 0: %v", err)
	}
	if plan, err := SummaryDue(Defaults(ObservationMaskingCached), "x", synthHistory(40), nil); plan != nil || err != nil {
		t.Errorf("SummaryDue: %+v %v", plan, err)
	}
	var names []string
	names = append(names, Names()...)
	if got := fmt.Sprint(names); got != "[raw observation_masking llm_summary hybrid observation_masking_cached]" {
		t.Errorf("Names() = %s", got)
	}
}
