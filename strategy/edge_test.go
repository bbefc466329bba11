package strategy

import (
	"reflect"
	"testing"
)

// TestKeepZero covers k = 0 (and s = 1): a summary covers every pending turn,
// so the trigger query shows no raw turn at all.
func TestKeepZero(t *testing.T) {
	cases := []struct {
		name      string
		strat     string
		s, o      int
		triggered []int
		queries   map[int]string
	}{
		{"s=2 k=0", LLMSummary, 2, 10, []int{2, 4, 6}, map[int]string{
			2: expSig("SYS INST", 1, 1, 0),
			3: "SYS INST S1",
			4: "SYS INST S1 A3 O3", // seed quirk: the whole cache from the next state on
			5: "SYS INST S2",
			6: "SYS INST S1 S2 A5 O5",
			7: "SYS INST S3",
		}},
		{"s=1 k=0", LLMSummary, 1, 10, []int{1, 2, 3, 4, 5, 6}, map[int]string{
			1: "SYS INST", 2: "SYS INST S1", 3: "SYS INST S2", 7: "SYS INST S6",
		}},
		{"hybrid s=2 k=0 o=1", Hybrid, 2, 1, []int{2, 4, 6}, map[int]string{
			3: "SYS INST S1", 4: "SYS INST S1 A3 O3", 6: "SYS INST S1 S2 A5 O5",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Defaults(c.strat)
			p.SumN, p.SumKeepM, p.ObsN = c.s, 0, c.o
			sim := simulate(t, p, 6)
			if !reflect.DeepEqual(sim.triggered, c.triggered) {
				t.Errorf("summaries after turns %v, want %v", sim.triggered, c.triggered)
			}
			for q, want := range c.queries {
				v, done := sim.viewAtQuery(t, p, q)
				if got := sig(v, done); got != want {
					t.Errorf("query %d: %s, want %s", q, got, want)
				}
			}
		})
	}
}

// TestOmitTurnsViews checks that omit_turns makes no request at any trigger
// and shows its placeholders like summaries, also in hybrid.
func TestOmitTurnsViews(t *testing.T) {
	for _, strat := range []string{LLMSummary, Hybrid} {
		p := Defaults(strat)
		p.SumN, p.SumKeepM, p.ObsN, p.OmitTurns = 3, 1, 1, true
		sim := simulate(t, p, 9)
		done := sim.doneAt[9]
		if !reflect.DeepEqual(sim.triggered, []int{4, 7}) || len(done) != 2 {
			t.Fatalf("%s: triggered %v", strat, sim.triggered)
		}
		for j, s := range done {
			if s.Kind != KindOmitted || s.Request != nil || s.Content != "Previous 3 turns omitted for brevity." {
				t.Errorf("%s summary %d: %+v", strat, j+1, s)
			}
		}
		v, _ := sim.viewAtQuery(t, p, 9) // after 8 turns: S1 S2 (quirk) + turns 7, 8
		want := "SYS INST S? S? A7 O7 A8 O8"
		if strat == Hybrid {
			want = "SYS INST S? S? A7 M7 A8 O8" // o=1: only the newest observation stays
		}
		if got := sig(v, nil); got != want {
			t.Errorf("%s query 9: %s, want %s", strat, got, want)
		}
	}
}
