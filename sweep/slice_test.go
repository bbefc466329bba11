package sweep

import (
	"reflect"
	"testing"
)

func TestApplySliceMatchesPython(t *testing.T) {
	items := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	// Expected values computed with python3: list(range(10))[slice].
	cases := map[string][]int{
		"":       items,
		":3":     {0, 1, 2},
		"3":      {0, 1, 2},
		"2:5":    {2, 3, 4},
		"-3:":    {7, 8, 9},
		"::3":    {0, 3, 6, 9},
		"::-1":   {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
		"8:2:-2": {8, 6, 4},
		"-100:2": {0, 1},
		"5:100":  {5, 6, 7, 8, 9},
		"-2:-1":  {8},
	}
	for s, want := range cases {
		got, err := ApplySlice(items, s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v", s, got, want)
		}
	}
	if _, err := ApplySlice(items, "a:b"); err == nil {
		t.Error("bad slice accepted")
	}
	// Slices that select nothing would make a trial of 0 instances
	// (issue 21): refused, statically or against the list.
	for _, s := range []string{"5:2", "2:2", "-1:-3", "2:5:-1", "20:30"} {
		if got, err := ApplySlice(items, s); err == nil {
			t.Errorf("%q: selects %v, want an error", s, got)
		}
	}
}
