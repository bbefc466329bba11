package metrics

import (
	"reflect"
	"testing"
)

func TestNewHistogram(t *testing.T) {
	h := NewHistogram([]float64{1, 2, 3}, 64)
	if len(h.Bins) != 65 || len(h.Counts) != 64 || h.Bins[0] != 1 || h.Bins[64] != 3 || h.Bins[32] != 2 {
		t.Fatalf("bins %v", h.Bins)
	}
	want := make([]int, 64)
	want[0], want[32], want[63] = 1, 1, 1 // the last bin is closed
	if !reflect.DeepEqual(h.Counts, want) {
		t.Errorf("counts %v", h.Counts)
	}

	// All values equal: the range widens to ±0.5.
	h = NewHistogram([]float64{5, 5, 5}, 64)
	if h.Bins[0] != 4.5 || h.Bins[64] != 5.5 || h.Counts[32] != 3 {
		t.Errorf("constant: bins %v..%v counts %v", h.Bins[0], h.Bins[64], h.Counts)
	}

	// No values: numpy's [0, 1].
	h = NewHistogram(nil, 64)
	if h.Bins[0] != 0 || h.Bins[64] != 1 || h.Bins[1] != 1.0/64 {
		t.Errorf("empty bins %v", h.Bins)
	}
	for _, c := range h.Counts {
		if c != 0 {
			t.Fatal("empty counts")
		}
	}

	// Values on interior edges belong to the bin on their right.
	var xs []float64
	for i := 0; i <= 64; i++ {
		xs = append(xs, float64(i))
	}
	h = NewHistogram(xs, 64)
	for i, c := range h.Counts {
		if want := map[bool]int{true: 2, false: 1}[i == 63]; c != want {
			t.Fatalf("bin %d has %d", i, c)
		}
	}

	// A range that does not divide evenly.
	h = NewHistogram([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 3)
	if !reflect.DeepEqual(h.Counts, []int{4, 3, 4}) {
		t.Errorf("3 bins over 0..10: %v (edges %v)", h.Counts, h.Bins)
	}
}

func TestTurnHistogram(t *testing.T) {
	h := TurnHistogram(fixture()) // turns 10, 4, 7
	if h.Bins[0] != 4 || h.Bins[64] != 10 || h.Counts[0] != 1 || h.Counts[32] != 1 || h.Counts[63] != 1 {
		t.Errorf("%v %v", h.Bins, h.Counts)
	}
	v := h.Value()
	if v["_type"] != "histogram" || !reflect.DeepEqual(v["values"], h.Counts) || !reflect.DeepEqual(v["bins"], h.Bins) {
		t.Errorf("value %v", v)
	}
}
