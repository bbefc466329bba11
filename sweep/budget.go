package sweep

import "math"

// budgetSlack absorbs float rounding in sums of dollar amounts (a
// nano-dollar).
const budgetSlack = 1e-9

// BudgetAllows reports whether new work estimated at next USD may start
// under a sweep budget (the sweep file's budget_usd, or --budget-usd):
// spent is the cost already incurred, committed the estimated remaining cost
// of work already started (running instances). It allows the work when
// spent + committed + next <= budget. budget <= 0 means no budget. Negative
// amounts count as 0; a NaN amount or budget refuses (fail safe), an
// infinite budget allows.
func BudgetAllows(spent, committed, next, budget float64) bool {
	for _, v := range []float64{spent, committed, next, budget} {
		if math.IsNaN(v) {
			return false
		}
	}
	if budget <= 0 || math.IsInf(budget, 1) {
		return true
	}
	total := math.Max(spent, 0) + math.Max(committed, 0) + math.Max(next, 0)
	return total <= budget+budgetSlack
}
