package report

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/ctxresearch/ctxsweep/stats"
)

// groupRows splits the rows by panel, keeping their order.
func groupRows(rows []Row) (groups []string, by map[string][]Row) {
	by = map[string][]Row{}
	for _, r := range rows {
		if _, ok := by[r.Group]; !ok {
			groups = append(groups, r.Group)
		}
		by[r.Group] = append(by[r.Group], r)
	}
	return groups, by
}

// headers are the strategy column titles of a group; a strategy seen twice
// gets "#2", "#3".
func headers(rows []Row) []string {
	seen := map[string]int{}
	out := make([]string, len(rows))
	for i, r := range rows {
		l := shortLabel(r.Strategy)
		seen[l]++
		if seen[l] > 1 {
			l = fmt.Sprintf("%s #%d", l, seen[l])
		}
		out[i] = l
	}
	return out
}

func pct(iv *stats.Interval) string {
	if iv == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%% [%.1f, %.1f]", 100*iv.Point, 100*iv.Lo, 100*iv.Hi)
}

// costDigits shows small costs (the demo's are fractions of a cent) with
// enough decimals to tell strategies apart.
func costDigits(vs ...float64) int {
	for _, v := range vs {
		if v != 0 && math.Abs(v) < 0.01 {
			return 6
		}
	}
	return 4
}

func usd(iv *stats.Interval) string {
	if iv == nil {
		return "n/a"
	}
	d := costDigits(iv.Point)
	return fmt.Sprintf("%.*f [%.*f, %.*f]", d, iv.Point, d, iv.Lo, d, iv.Hi)
}

func optf(v *float64, format string, scale float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf(format, *v*scale)
}

func exits(m map[string]int) string {
	if len(m) == 0 {
		return "n/a"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

// metricLines are the table's rows: a label and one cell per experiment.
func metricLines(rows []Row) [][]string {
	line := func(label string, f func(Row) string) []string {
		out := []string{label}
		for _, r := range rows {
			out = append(out, f(r))
		}
		return out
	}
	return [][]string{
		line("n", func(r Row) string { return fmt.Sprint(r.N) }),
		line("resolved", func(r Row) string { return fmt.Sprint(r.Resolved) }),
		line("solve rate [95% CI]", func(r Row) string { return pct(r.SolveRate) }),
		line("mean cost $ [95% CI]", func(r Row) string { return usd(r.MeanCost) }),
		line("  agent + summary $", func(r Row) string {
			if r.MeanCost == nil {
				return "n/a"
			}
			d := costDigits(r.MeanCost.Point)
			return fmt.Sprintf("%.*f + %.*f", d, r.MeanAgentCost, d, r.MeanSummaryCost)
		}),
		line("mean turns", func(r Row) string { return optf(r.MeanTurns, "%.1f", 1) }),
		line("cache hit", func(r Row) string { return optf(r.CacheHitRate, "%.1f%%", 100) }),
		line("submitted", func(r Row) string { return fmt.Sprint(r.Submitted) }),
		line("exits", func(r Row) string { return exits(r.ExitStatuses) }),
	}
}

func pairCells(p PairRow) []string {
	sr, sp, mc, mp := "n/a", "", "n/a", ""
	if d := p.SolveRate; d != nil {
		sr = fmt.Sprintf("%+.1f pp [%+.1f, %+.1f]", 100*d.Diff, 100*d.Lo, 100*d.Hi)
		sp = fmt.Sprintf("%.4g", d.P)
	}
	if d := p.MeanCost; d != nil {
		n := costDigits(d.Lo, d.Hi)
		mc = fmt.Sprintf("%+.*f [%+.*f, %+.*f]", n, d.Diff, n, d.Lo, n, d.Hi)
		mp = fmt.Sprintf("%.4g", d.P)
	}
	return []string{shortLabel(strategyFromLabel(p.Strategy)), p.Experiment, p.Baseline,
		fmt.Sprint(p.NCommon), sr, sp, fmt.Sprint(p.NCommonCost), mc, mp}
}

var pairHeader = []string{"strategy", "experiment", "baseline", "n", "Δ solve rate [95% CI]", "p",
	"n cost", "Δ mean cost $ [95% CI]", "p"}

func pairsOf(r *Report, group string) []PairRow {
	var out []PairRow
	for _, p := range r.Pairs {
		if p.Group == group {
			out = append(out, p)
		}
	}
	return out
}

// WriteTable prints one block per model: strategies side by side, the
// experiment names, then the paired differences against the baseline.
func WriteTable(w io.Writer, r *Report) error {
	groups, by := groupRows(r.Rows)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for gi, g := range groups {
		if gi > 0 {
			fmt.Fprintln(tw)
		}
		rows := by[g]
		hs := headers(rows)
		fmt.Fprintln(tw, g)
		fmt.Fprintln(tw, "\t"+strings.Join(hs, "\t"))
		for _, l := range metricLines(rows) {
			fmt.Fprintln(tw, strings.Join(l, "\t"))
		}
		tw.Flush()
		for i, row := range rows {
			fmt.Fprintf(w, "  %s = %s (graded by %s)\n", hs[i], row.Experiment, HarnessLabel(row.Harness))
		}
		short := map[string]string{}
		for i, row := range rows {
			short[row.Experiment] = hs[i]
		}
		if ps := pairsOf(r, g); len(ps) > 0 {
			fmt.Fprintf(tw, "paired differences (experiment − baseline), %d resamples, seeds %d/%d:\n", r.Resamples, r.Seed, r.Seed+1)
			fmt.Fprintln(tw, "  "+strings.Join(pairHeader, "\t"))
			for _, p := range ps {
				c := pairCells(p)
				for _, j := range []int{1, 2} { // the names are listed above
					if l, ok := short[c[j]]; ok {
						c[j] = l
					}
				}
				fmt.Fprintln(tw, "  "+strings.Join(c, "\t"))
			}
		}
	}
	return tw.Flush()
}

func mdRow(cells []string) string {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	return "| " + strings.Join(cells, " | ") + " |\n"
}

// WriteMarkdown writes the same blocks as Markdown tables.
func WriteMarkdown(w io.Writer, r *Report) error {
	groups, by := groupRows(r.Rows)
	var b strings.Builder
	for _, g := range groups {
		rows := by[g]
		hs := headers(rows)
		fmt.Fprintf(&b, "### %s\n\n", g)
		b.WriteString(mdRow(append([]string{""}, hs...)))
		b.WriteString(strings.Repeat("|---", len(hs)+1) + "|\n")
		b.WriteString(mdRow(append([]string{"experiment"}, func() []string {
			var names []string
			for _, row := range rows {
				names = append(names, "`"+row.Experiment+"`")
			}
			return names
		}()...)))
		b.WriteString(mdRow(append([]string{"graded by"}, func() []string {
			var hs []string
			for _, row := range rows {
				hs = append(hs, HarnessLabel(row.Harness))
			}
			return hs
		}()...)))
		for _, l := range metricLines(rows) {
			l[0] = strings.TrimSpace(l[0])
			b.WriteString(mdRow(l))
		}
		if ps := pairsOf(r, g); len(ps) > 0 {
			fmt.Fprintf(&b, "\nPaired differences (experiment − baseline; %d resamples, seeds %d/%d):\n\n", r.Resamples, r.Seed, r.Seed+1)
			b.WriteString(mdRow(slices.Clone(pairHeader)))
			b.WriteString(strings.Repeat("|---", len(pairHeader)) + "|\n")
			for _, p := range ps {
				c := pairCells(p)
				c[1], c[2] = "`"+c[1]+"`", "`"+c[2]+"`"
				b.WriteString(mdRow(c))
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// finite reports whether an interval can be drawn.
func finite(iv *stats.Interval) bool {
	return iv != nil && !math.IsNaN(iv.Point) && !math.IsInf(iv.Point, 0)
}

// HarnessLabel names the grading rules of a row for people.
func HarnessLabel(h string) string {
	switch h {
	case "":
		return "harness not recorded"
	case "v4.1":
		return "SWE-bench v4.1.0 rules"
	case "v5":
		return "SWE-bench v5 rules"
	}
	return "SWE-bench " + h + " rules"
}
