package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/agent"
)

func init() { commands = append(commands, parseTrajCmd) }

// parseTrajCmd prints the seed's scripts/parse_trajectory.py metrics
// (seed-system §8.4) for the .traj files under a directory. It reads files
// only: no Temporal server is started or contacted.
func parseTrajCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "parse-trajectory DIR",
		Short: "Submission rate, cost, turns, API calls and tokens of the .traj files under DIR",
		Long: `Reads every *.traj file under DIR (recursively): ctxsweep's and SWE-agent's, in the current
layout or the older one (model_stats with tokens_sent/tokens_received, read as raw input and
output tokens). Per file: instance id (file stem), exit status, submitted (status exactly
"submitted", as the seed's script counts), turns (trajectory steps, failed re-queries included),
agent and summary cost, API calls and tokens. Then totals, averages, summary cost fraction and
cache hit rate. --json prints the aggregate without the per-instance list.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ms, skipped, err := readTrajMetrics(args[0])
			if err != nil {
				return err
			}
			for _, s := range skipped {
				fmt.Fprintln(cmd.ErrOrStderr(), "skipped", s)
			}
			if len(skipped) > 0 {
				defer fmt.Fprintf(cmd.ErrOrStderr(), "%d of %d .traj file(s) skipped (see above); the figures are over the others\n", len(skipped), len(skipped)+len(ms))
			}
			out := cmd.OutOrStdout()
			if len(ms) == 0 {
				if asJSON {
					fmt.Fprintln(out, `{"error": "No trajectory files found", "n_instances": 0}`)
				} else if len(skipped) > 0 {
					fmt.Fprintf(out, "No readable trajectory files under %s\n", args[0])
				} else {
					fmt.Fprintf(out, "No trajectory files found under %s\n", args[0])
				}
				return exitError(1)
			}
			s := agent.SummarizeTrajs(ms)
			if asJSON {
				s.PerInstance = nil
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(s)
			}
			return writeTrajSummary(out, args[0], s)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the aggregate metrics as JSON (without the per-instance list)")
	return cmd
}

// readTrajMetrics parses every .traj under dir, in path order; a file that
// cannot be read or parsed is skipped with its reason (one bad file does
// not hide the others).
func readTrajMetrics(dir string) ([]agent.TrajMetrics, []string, error) {
	if fi, err := os.Stat(dir); err != nil {
		return nil, nil, err
	} else if !fi.IsDir() {
		return nil, nil, fmt.Errorf("%s is not a directory", dir)
	}
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".traj") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Strings(files)
	var ms []agent.TrajMetrics
	var skipped []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %v", f, err))
			continue
		}
		m, err := agent.ParseTrajMetrics(strings.TrimSuffix(filepath.Base(f), ".traj"), data)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("%s: %s", f, jsonProblem(err)))
			continue
		}
		ms = append(ms, m)
	}
	return ms, skipped, nil
}

// jsonProblem says what is wrong with a file in words, not Go types.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Sprintf("field %q holds a JSON %s where the trajectory format has another type", field, te.Value)
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON (byte %d: %v)", se.Offset, se)
	}
	return err.Error()
}

func writeTrajSummary(out io.Writer, dir string, s agent.TrajSummary) error {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "INSTANCE\tEXIT STATUS\tTURNS\tAPI CALLS\tCOST\tRAW IN\tCACHED IN\tOUT")
	legacy := false
	for _, m := range s.PerInstance {
		legacy = legacy || m.Legacy
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t$%.4f\t%d\t%d\t%d\n", m.InstanceID, m.ExitStatus, m.Turns,
			m.AgentAPICalls+m.SummaryAPICalls, m.TotalCost, m.RawInputTokens, m.CachedInputTokens, m.OutputTokens)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nTrajectories under %s\n", dir)
	fmt.Fprintf(out, "Instances:       %d\n", s.Instances)
	fmt.Fprintf(out, "Submitted:       %d (%.1f%%; status exactly \"submitted\")\n", s.Submitted, 100*s.SubmissionRate)
	fmt.Fprintf(out, "Total cost:      $%.4f (agent $%.4f, summary $%.4f, %.1f%% summary)\n",
		s.TotalCost, s.TotalAgentCost, s.TotalSummaryCost, 100*s.SummaryCostFraction)
	fmt.Fprintf(out, "Average cost:    $%.4f per instance\n", s.AvgCost)
	fmt.Fprintf(out, "Turns:           %d (%.2f per instance)\n", s.TotalTurns, s.AvgTurns)
	fmt.Fprintf(out, "Agent API calls: %d (%.2f per instance); summary calls %d\n", s.TotalAPICalls, s.AvgAPICalls, s.TotalSummaryAPICalls)
	fmt.Fprintf(out, "Tokens:          raw input %d, cached input %d, output %d; cache hit rate %.1f%%\n",
		s.TotalRawInputTokens, s.TotalCachedInputTokens, s.TotalOutputTokens, 100*s.CacheHitRate)
	if legacy {
		fmt.Fprintln(out, "Note: some files use the older stats layout; their tokens_sent/tokens_received are shown as raw input/output.")
	}
	return nil
}
