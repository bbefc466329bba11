package report

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"

	"github.com/ctxresearch/ctxsweep/stats"
)

// TrialColumns are the per-experiment CSV columns: the paper's
// bootstrapped_cis.csv names first (seed §11.3, as issue 9 lists them), then
// ours.
var TrialColumns = []string{"experiment", "n_instances", "solve_rate", "solve_rate_lo", "solve_rate_hi",
	"mean_cost", "mean_cost_lo", "mean_cost_hi",
	"group", "model", "strategy", "resolved", "n_cost", "mean_agent_cost", "mean_summary_cost",
	"mean_turns", "cache_hit_rate", "submitted", "exit_statuses", "harness"}

// PairColumns are the paired CSV columns: the paper's
// paired_ci_diffs_vs_raw.csv names, then ours.
var PairColumns = []string{"group", "strategy", "experiment_other", "experiment_raw", "n_common",
	"solve_rate_diff", "solve_rate_lo", "solve_rate_hi", "solve_rate_p",
	"mean_cost_diff", "mean_cost_lo", "mean_cost_hi", "mean_cost_p", "n_common_cost"}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func ivCells(iv *stats.Interval) []string {
	if iv == nil {
		return []string{"", "", ""}
	}
	return []string{num(iv.Point), num(iv.Lo), num(iv.Hi)}
}

func diffCells(d *stats.PairedDiff) []string {
	if d == nil {
		return []string{"", "", "", ""}
	}
	return []string{num(d.Diff), num(d.Lo), num(d.Hi), num(d.P)}
}

func optCell(v *float64) string {
	if v == nil {
		return ""
	}
	return num(*v)
}

// WriteCSV writes one line per experiment with TrialColumns; values are
// fractions and USD, unrounded; empty cells are unknown.
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TrialColumns); err != nil {
		return err
	}
	for _, row := range r.Rows {
		nCost := ""
		if row.MeanCost != nil {
			nCost = strconv.Itoa(row.MeanCost.N)
		}
		rec := []string{row.Experiment, strconv.Itoa(row.N)}
		rec = append(rec, ivCells(row.SolveRate)...)
		rec = append(rec, ivCells(row.MeanCost)...)
		rec = append(rec, row.Group, row.Model, row.Strategy, strconv.Itoa(row.Resolved), nCost,
			num(row.MeanAgentCost), num(row.MeanSummaryCost), optCell(row.MeanTurns),
			optCell(row.CacheHitRate), strconv.Itoa(row.Submitted), exitsCell(row.ExitStatuses), row.Harness)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func exitsCell(m map[string]int) string {
	if len(m) == 0 {
		return ""
	}
	return exits(m)
}

// WritePairsCSV writes one line per paired comparison with PairColumns.
func WritePairsCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(PairColumns); err != nil {
		return err
	}
	for _, p := range r.Pairs {
		rec := []string{p.Group, p.Strategy, p.Experiment, p.Baseline, strconv.Itoa(p.NCommon)}
		rec = append(rec, diffCells(p.SolveRate)...)
		rec = append(rec, diffCells(p.MeanCost)...)
		rec = append(rec, strconv.Itoa(p.NCommonCost))
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the whole report, indented.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
