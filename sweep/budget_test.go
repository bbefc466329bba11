package sweep

import (
	"math"
	"testing"
)

func TestBudgetAllows(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name                           string
		spent, committed, next, budget float64
		want                           bool
	}{
		{"no budget", 1e9, 1e9, 1e9, 0, true},
		{"negative budget means none", 5, 0, 1, -1, true},
		{"well under", 1, 1, 1, 10, true},
		{"exactly at the budget", 4, 3, 3, 10, true},
		{"float sums at the budget", 0.1, 0.2, 0.7, 1.0, true},
		{"one cent over", 4, 3, 3.01, 10, false},
		{"committed work counts", 2, 7.5, 1, 10, false},
		{"already over", 11, 0, 0, 10, false},
		{"nothing next, spent at budget", 10, 0, 0, 10, true},
		{"negative amounts count as zero", -5, 0, 9, 10, true},
		{"NaN spent refuses", nan, 0, 1, 10, false},
		{"NaN budget refuses", 0, 0, 1, nan, false},
		{"infinite budget", 1e12, 0, 1, inf, true},
		{"infinite next refuses", 0, 0, inf, 10, false},
	}
	for _, tc := range tests {
		if got := BudgetAllows(tc.spent, tc.committed, tc.next, tc.budget); got != tc.want {
			t.Errorf("%s: BudgetAllows(%v, %v, %v, %v) = %v", tc.name, tc.spent, tc.committed, tc.next, tc.budget, got)
		}
	}
}
