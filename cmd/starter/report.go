package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/report"
	"github.com/ctxresearch/ctxsweep/stats"
)

func init() { commands = append(commands, reportCmd) }

// reportCmd prints the paper's tables from trial outputs and imported
// results. It reads files only: no Temporal server is started or contacted.
func reportCmd(g *globals) *cobra.Command {
	var (
		format, plotFile, pairedCSV string
		pairs                       []string
		seed                        uint64
		resamples                   int
	)
	cmd := &cobra.Command{
		Use:   "report [SWEEP|DIR|FILE...]",
		Short: "Solve rates and costs with bootstrap CIs, paired differences vs raw, and a PNG figure",
		Long: `Reads trial outputs and prints, per model, each strategy's n, resolved, solve rate and
mean cost (agent + summary) with 95% percentile bootstrap CIs, mean turns, cache-hit rate and
exit statuses, then the paired differences (experiment − raw of the same model, inner join on
instance id) with 95% paired-bootstrap CIs and the seed's two-sided p-value.

Arguments: sweep names (their trials under <data-dir>/runs/<name>), trial directories, SWE-agent
trajectory directories (.traj files and preds), SWE-bench report JSON files (matched to an
experiment by file name: <run>.<run>.json, _.<run>.json, <run>.report.json), per-instance CSVs
with the columns of the paper's instance_costs_*.csv, or directories of such files. No argument
reports every sweep in the data directory. Solve rates use --seed, costs --seed+1.

The p-value is the seed's: 2·min(P̂(d ≥ 0), P̂(d ≤ 0)) over the resampled differences d, ties at
0 counting in both tails and unclipped, so two identical outcome vectors give p = 2.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := report.Options{Resamples: resamples, Seed: seed}
			for _, p := range pairs {
				pr, err := report.ParsePair(p)
				if err != nil {
					return err
				}
				opts.Pairs = append(opts.Pairs, pr)
			}
			if resamples < 1 {
				return fmt.Errorf("--resamples must be positive, got %d", resamples)
			}
			write, ok := map[string]func(io.Writer, *report.Report) error{
				"table": report.WriteTable, "markdown": report.WriteMarkdown,
				"csv": report.WriteCSV, "json": report.WriteJSON,
			}[format]
			if !ok {
				return fmt.Errorf("--format %q: want table, markdown, csv or json", format)
			}
			set, err := report.Load(g.dataDir, args)
			if err != nil {
				return err
			}
			for _, n := range set.Notes() {
				fmt.Fprintln(cmd.ErrOrStderr(), "note:", n)
			}
			r, err := report.Analyze(set, opts)
			if err != nil {
				return err
			}
			if err := write(cmd.OutOrStdout(), r); err != nil {
				return err
			}
			if pairedCSV != "" {
				if err := writeFile(pairedCSV, r, report.WritePairsCSV); err != nil {
					return err
				}
			}
			if plotFile != "" {
				if err := writeFile(plotFile, r, report.WritePNG); err != nil {
					return err
				}
				w, h := report.PlotSize(r)
				fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%dx%d)\n", plotFile, w, h)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "table", "output format: table, markdown, csv or json")
	f.StringArrayVar(&pairs, "pair", nil, "compare EXPERIMENT=BASELINE (repeatable; replaces the automatic pairing with raw)")
	f.StringVar(&plotFile, "plot", "", "write the cost-vs-solve-rate figure to this PNG file")
	f.StringVar(&pairedCSV, "paired-csv", "", "write the paired differences to this CSV file (columns of paired_ci_diffs_vs_raw.csv)")
	f.Uint64Var(&seed, "seed", 0, "bootstrap seed for solve rates; costs use seed+1")
	f.IntVar(&resamples, "resamples", stats.DefaultResamples, "bootstrap resamples")
	return cmd
}

// writeFile renders to memory first so that a failed render leaves no
// partial file.
func writeFile(path string, r *report.Report, render func(io.Writer, *report.Report) error) error {
	var b bytes.Buffer
	if err := render(&b, r); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
