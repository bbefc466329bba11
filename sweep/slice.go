package sweep

import (
	"fmt"
	"strconv"
	"strings"
)

// ApplySlice selects from items with Python slice syntax as the seed reads
// --instances-slice: "stop", "start:stop" or "start:stop:step", negative
// indices allowed; "" keeps everything.
func ApplySlice[T any](items []T, s string) ([]T, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return items, nil
	}
	if err := validSlice(s); err != nil {
		return nil, err
	}
	parts := strings.Split(s, ":")
	if len(parts) == 1 { // a bare number is the stop
		parts = []string{"", parts[0]}
	}
	get := func(i int) (int, bool) {
		if i >= len(parts) || strings.TrimSpace(parts[i]) == "" {
			return 0, false
		}
		n, _ := strconv.Atoi(strings.TrimSpace(parts[i]))
		return n, true
	}
	n := len(items)
	step, ok := get(2)
	if !ok {
		step = 1
	}
	lo, hi := 0, n
	if step < 0 {
		lo, hi = -1, n-1
	}
	clamp := func(v int) int {
		if v < 0 {
			v += n
			if v < lo {
				v = lo
			}
		} else if v > hi {
			v = hi
		}
		return v
	}
	start, stop := lo, hi
	if step > 0 {
		start, stop = 0, n
	} else {
		start, stop = n-1, -1
	}
	if v, ok := get(0); ok {
		start = clamp(v)
	}
	if v, ok := get(1); ok {
		stop = clamp(v)
	}
	var out []T
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		out = append(out, items[i])
	}
	if len(out) == 0 && n > 0 {
		return nil, fmt.Errorf("instances-slice %q selects none of the %d instances: a trial of 0 instances", s, n)
	}
	return out, nil
}
