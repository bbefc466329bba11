package sweep

import (
	"reflect"
	"testing"
)

func TestBands(t *testing.T) {
	f := false
	tests := []struct {
		name string
		et   EarlyTerminate
		want []int // prefix of the bands
		err  bool
	}{
		{"seed min_iter=3 eta=2 s=2 (s ignored)", EarlyTerminate{MinIter: 3, Eta: 2, S: 2}, []int{3, 6, 12, 24, 48}, false},
		{"min_iter without s", EarlyTerminate{MinIter: 3, Eta: 2}, []int{3, 6, 12, 24, 48}, false},
		{"eta default 3", EarlyTerminate{MinIter: 1}, []int{1, 3, 9, 27}, false},
		{"fractional eta truncates", EarlyTerminate{MinIter: 2, Eta: 1.5}, []int{2, 3, 4, 6, 10}, false},
		{"max_iter=27 eta=3 s=2", EarlyTerminate{MaxIter: 27, Eta: 3, S: 2}, []int{3, 9}, false},
		{"max_iter=5 eta=2 s=2", EarlyTerminate{MaxIter: 5, Eta: 2, S: 2, Strict: &f}, []int{1, 2}, false},
		{"max_iter=81 eta=3 s=10 stops below 1", EarlyTerminate{MaxIter: 81, Eta: 3, S: 10}, []int{1, 3, 9, 27}, false},
		{"max_iter wins over min_iter", EarlyTerminate{MaxIter: 27, MinIter: 2, Eta: 3, S: 1}, []int{9}, false},
		{"no bands", EarlyTerminate{MaxIter: 2, Eta: 3, S: 1}, nil, true},
		{"nothing", EarlyTerminate{Eta: 3}, nil, true},
		{"bad eta", EarlyTerminate{MinIter: 3, Eta: 1}, nil, true},
	}
	for _, tc := range tests {
		got, err := tc.et.Bands()
		if (err != nil) != tc.err {
			t.Errorf("%s: err %v", tc.name, err)
			continue
		}
		if tc.err {
			continue
		}
		if len(got) < len(tc.want) || !reflect.DeepEqual(got[:len(tc.want)], tc.want) {
			t.Errorf("%s: bands %v, want prefix %v", tc.name, got, tc.want)
		}
		if tc.et.MaxIter > 0 && len(got) != len(tc.want) {
			t.Errorf("%s: bands %v, want exactly %v", tc.name, got, tc.want)
		}
	}
}

// The wandb/sweeps docstring example (max_iter=5, eta=2, s=2 → bands
// [1 2]), worked out by hand under the current rule: band 2's threshold is
// sorted(9,10,8,7,6)[int(5/2)] = 8; b (10 > 8) stops, c (8) and d (7) run on.
func TestToStopWandbExample(t *testing.T) {
	et := &EarlyTerminate{Type: "hyperband", MaxIter: 5, Eta: 2, S: 2}
	history := []TrialState{
		{Values: []float64{10, 9}, Done: true},
		{Values: []float64{10, 10}},
		{Values: []float64{10, 8, 8}},
		{Values: []float64{10, 7, 7}},
		{Values: []float64{10, 6, 6}, Done: true},
	}
	before := cloneHistory(history)
	if got := et.ToStop(history, "minimize"); !reflect.DeepEqual(got, []int{1}) {
		t.Fatalf("ToStop = %v, want [1]", got)
	}
	if !reflect.DeepEqual(before, history) {
		t.Fatal("ToStop modified the history")
	}
	var nilET *EarlyTerminate
	if got := nilET.ToStop(history, "minimize"); got != nil {
		t.Fatalf("nil early_terminate stops %v", got)
	}
}

func cloneHistory(h []TrialState) []TrialState {
	out := make([]TrialState, len(h))
	for i, t := range h {
		out[i] = t
		out[i].Values = append([]float64(nil), t.Values...)
	}
	return out
}

type simTrial struct {
	start  int       // step at which the trial starts
	values []float64 // metric after each instance
}

// simulate advances every started, running trial by one instance per step,
// asks ToStop after each step, and returns trial → iteration when stopped.
func simulate(t *testing.T, et *EarlyTerminate, goal string, trials []simTrial) map[int]int {
	t.Helper()
	h := make([]TrialState, len(trials))
	stopped := map[int]int{}
	for step := 0; step < 100; step++ {
		for i, tr := range trials {
			if step >= tr.start && h[i].Running() {
				h[i].Values = append(h[i].Values, tr.values[len(h[i].Values)])
				h[i].Done = len(h[i].Values) == len(tr.values)
			}
		}
		for _, i := range et.ToStop(h, goal) {
			if !h[i].Running() {
				t.Fatalf("step %d: ToStop returned trial %d, which is not running", step, i)
			}
			h[i].Stopped = true
			stopped[i] = h[i].Iterations()
		}
	}
	return stopped
}

func TestHyperbandSimulated(t *testing.T) {
	no := false
	tests := []struct {
		name   string
		et     EarlyTerminate
		goal   string
		trials []simTrial
		want   map[int]int
	}{
		{
			// Bands 3, 6, 12; r = 1/2. Step 2: band-3 values -.9 -.6 -.3 -.1
			// (negated), threshold sorted[2] = -.3: D stops at 3, C (= the
			// threshold) runs on. Step 4: E reaches band 3 with .8, the
			// threshold tightens to sorted(-.9 -.8 -.6 -.3 -.1)[2] = -.6 and C
			// stops at 5, between bands. B (-.6) survives. Step 7: E reaches 6;
			// band-6 values -.8 (A) -.4 (B) -.8 (E) → threshold -.8, B stops
			// at 8. With only A and B past 6 the threshold was B's own value.
			name: "maximize, min_iter=3 eta=2, late starter",
			et:   EarlyTerminate{Type: "hyperband", MinIter: 3, Eta: 2, S: 2},
			goal: "maximize",
			trials: []simTrial{
				{0, []float64{1, 1, .9, .9, .8, .8, .8, .8, .8, .8}},
				{0, []float64{0, .5, .6, .6, .6, .4, .5, .5, .5, .5}},
				{0, []float64{0, 0, .3, .4, .5, .7, .7, .7, .7, .7}},
				{0, []float64{0, 0, .1, .2, .2, .2, .2, .2, .2, .2}},
				{2, []float64{1, 1, .8, .8, .8, .8, .8, .8, .8, .8}},
			},
			want: map[int]int{3: 3, 2: 5, 1: 8},
		},
		{
			// Bands [1 3] (9/3, 9/9); r = 1/3; strict false compares min(h).
			// Step 0: band-1 values 5 2 3 4 → threshold sorted[1] = 3: P (5)
			// and S (4) stop at 1. Step 2: band-3 values 2 (Q) .5 (R) →
			// threshold sorted[0] = .5: Q (min 2) stops at 3; R finishes.
			name: "minimize, max_iter=9 eta=3 s=2, strict false",
			et:   EarlyTerminate{Type: "hyperband", MaxIter: 9, Eta: 3, S: 2, Strict: &no},
			goal: "minimize",
			trials: []simTrial{
				{0, []float64{5, 1, 1, 1}},
				{0, []float64{2, 2, 2, 2}},
				{0, []float64{3, 3, .5, .5}},
				{0, []float64{4, 4, 4, 4}},
			},
			want: map[int]int{0: 1, 3: 1, 1: 3},
		},
		{
			// strict (default) judges h[B-1], not the best value. Bands [2]
			// (max_iter 4, eta 2, s 1); r = 1/2. Step 1: band-2 values 3 (T)
			// 2 (U) 2.5 (V) → threshold sorted[1] = 2.5: T (3 > 2.5) stops at
			// 2 although min(T) = 1 would have kept it with strict: false.
			name: "minimize, strict uses the value at the band",
			et:   EarlyTerminate{Type: "hyperband", MaxIter: 4, Eta: 2, S: 1},
			goal: "minimize",
			trials: []simTrial{
				{0, []float64{1, 3, 3}},
				{0, []float64{2, 2, 2}},
				{0, []float64{2.5, 2.5, 2.5}},
			},
			want: map[int]int{0: 2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := simulate(t, &tc.et, tc.goal, tc.trials)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("stopped (trial: iteration) %v, want %v", got, tc.want)
			}
		})
	}
}
