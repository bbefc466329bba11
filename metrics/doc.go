// Package metrics turns completed instance records into the W&B payloads
// the seed's WandB hook logged (seed-system §7): per-step rows on the
// global_step axis, per-instance rows, live aggregates on the n_instances
// axis, the end-of-batch summary, the turn_distribution histogram and the
// `instances` table, plus the define_metric x-axis rules.
//
// The package is pure: no I/O, no clocks, no shared counters. Every output
// is a function of the list of completed instances in completion order, so
// the values logged after k completions depend only on the first k
// records. A separate W&B client sends what these functions return.
//
// Where this package deliberately differs from the seed (summarizer and
// re-query fields on step rows, n_resolved/solve_rate, extra table columns,
// deterministic step order) is documented on the functions concerned and in
// README.md.
package metrics
