package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/traj"
)

// viewCmd prints what the model sees when queried for one turn of a
// recorded trajectory under a context strategy. It needs no server.
func viewCmd(_ *globals) *cobra.Command {
	d := strategy.Defaults("")
	p := d
	var turn int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "view TRAJ --turn T --strategy S [--hp-* flags] [--json]",
		Short: "Print the messages a model sees for one turn of a .traj under a context strategy",
		Long: "Prints exactly the messages the model is sent when queried for turn T (after T-1 completed\n" +
			"turns) of a recorded trajectory (ctxsweep's or the seed's .traj, old or new layout) under\n" +
			"strategy S: role, message_type, token count and what was masked or summarised per message.\n" +
			"Summaries are taken from the file when their request matches, else shown as a marked\n" +
			"placeholder (no LLM call is made). --json prints the message list as it would be sent.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if !cmd.Flags().Changed("turn") {
				return fmt.Errorf("view %s: --turn is required", name)
			}
			data, err := os.ReadFile(name)
			if err != nil {
				return fmt.Errorf("view: %w", err)
			}
			f, err := traj.Parse(name, data)
			if err != nil {
				return err
			}
			v, err := traj.Build(f, turn, p)
			if err != nil {
				return err
			}
			if asJSON {
				out, err := v.JSON()
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(out)
				return err
			}
			return v.Render(cmd.OutOrStdout(), llm.CountMessages)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&turn, "turn", 0, "the turn whose query to show (1 = the first query)")
	fl.StringVar(&p.Strategy, "strategy", strategy.Raw, "raw, observation_masking, llm_summary, hybrid or observation_masking_cached")
	fl.IntVar(&p.ObsN, "hp-obs-n", d.ObsN, "observations kept in full (masking strategies, hybrid)")
	fl.IntVar(&p.SumN, "hp-sum-n", d.SumN, "turns per summary (llm_summary, hybrid)")
	fl.IntVar(&p.SumKeepM, "hp-sum-keep-m", d.SumKeepM, "turns kept verbatim after a summary")
	fl.BoolVar(&p.StaticCheckpoint, "hp-sum-static-checkpoint", d.StaticCheckpoint, "show only the newest summary")
	fl.BoolVar(&p.ExtractActions, "hp-sum-extract-actions", d.ExtractActions, "append the summarised turns' actions to a summary")
	fl.IntVar(&p.MaxActionLength, "hp-sum-max-action-length", d.MaxActionLength, "words kept per extracted action (-1 all, 0 none)")
	fl.IntVar(&p.MaxReasoningLength, "hp-sum-max-reasoning-length", d.MaxReasoningLength, "words kept per item in a summary request (-1 all, 0 none)")
	fl.BoolVar(&p.OmitTurns, "hp-sum-omit-turns", d.OmitTurns, "replace summaries by an omission note (no summary call)")
	fl.BoolVar(&p.SeedCompat, "seed-compat", d.SeedCompat, "reproduce the seed's static-checkpoint quirk (all summaries reappear after a trigger)")
	fl.BoolVar(&asJSON, "json", false, "print the message list as sent: [{\"role\": ..., \"content\": ...}]")
	return cmd
}
