package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// runParams are run_sweep.py's flags that become sweep parameters.
var runParams = []string{
	"model", "strategy", "summarizer-model", "instances-subset", "instances-slice", "instances-shuffle",
	"instances-shuffle-seed", "call-limit", "cost-limit", "num-workers", "hp-obs-n", "hp-sum-n", "hp-sum-keep-m",
	"hp-sum-static-checkpoint", "hp-sum-extract-actions", "hp-sum-max-action-length", "hp-sum-max-reasoning-length",
	"hp-sum-omit-turns",
}

func runCmd(g *globals) *cobra.Command {
	vals := map[string]*string{}
	var wandb, dryRun, detach bool
	long := &sweepFlags{}
	var project, entity, group, agentFile, seedDir, toolsDir string
	var tags []string
	cmd := &cobra.Command{
		Use:   "run --model M --strategy S [flags]",
		Short: "Run one trial with the seed's run_sweep.py flags",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("model") {
				return fmt.Errorf("starter run needs --model M: a preset of `starter models` (replay runs offline)")
			}
			if !cmd.Flags().Changed("strategy") {
				return fmt.Errorf("starter run needs --strategy S: one of %s", strings.Join(sweep.Strategies, ", "))
			}
			params := yaml.Node{Kind: yaml.MappingNode}
			for _, name := range runParams {
				if !cmd.Flags().Changed(name) {
					continue
				}
				v := yaml.Node{Kind: yaml.ScalarNode, Value: *vals[name]}
				if name == "instances-slice" || name == "model" || name == "summarizer-model" {
					v.Style = yaml.DoubleQuotedStyle
				}
				params.Content = append(params.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name},
					&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "value"}, &v}})
			}
			doc := yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: "method"}, {Kind: yaml.ScalarNode, Value: "grid"},
				{Kind: yaml.ScalarNode, Value: "parameters"}, &params,
			}}
			src, err := yaml.Marshal(&doc)
			if err != nil {
				return err
			}
			f := &sweepFlags{flags: sweep.CommandFlags{Wandb: wandb, WandbProject: project, WandbEntity: entity}, parallel: 1,
				tuning: long.tuning, skipPreflight: long.skipPreflight || dryRun, harness: long.harness}
			spec, err := sweep.Parse("starter run flags", src)
			if err != nil {
				return fmt.Errorf("%w\n(the flags were turned into this sweep:\n%s)", err, src)
			}
			trials, err := spec.GridTrials(f.flags)
			if err != nil {
				return err
			}
			if len(trials) != 1 {
				return fmt.Errorf("starter run makes exactly one trial, got %d", len(trials))
			}
			t := trials[0]
			t.WandbGroup, t.WandbTags = group, tags
			f.name = "run-" + t.RunName()
			f.agentFile, f.seedDir, f.toolsDir = agentFile, seedDir, toolsDir
			if err := f.loadAgent(g, spec); err != nil {
				return err
			}
			if _, ref := f.agentFor(t.Strategy); ref != nil {
				f.name += "-agent-" + ref.Hash[:8] // another configuration, another run
			}
			in, err := planSweep(g, "starter run flags", src, f)
			if err != nil {
				return err
			}
			ref, err := workflows.TrialRefFor(in.Name, t, in.Tuning)
			if err != nil {
				return err
			}
			if dryRun {
				out := map[string]any{"run_name": t.RunName(), "tags": t.Tags(), "config": t, "strategy": ref.Strategy, "harness": in.Tuning.Harness,
					"limits": ref.AgentLimits(), "trial_id": ref.TrialID, "output_dir": g.dataDir + "/" + ref.Dir, "wandb_config": t.WandbConfig()}
				if a := ref.Tuning.Agent; a != nil {
					out["agent_config"] = a
				}
				if a := f.agentOf(t); a != nil {
					out["agent_history_processors"] = a.HistoryProcessors
				}
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				fmt.Println("Run name:", t.RunName())
				fmt.Println("Tags:", strings.Join(t.Tags(), ", "))
				fmt.Println("[DRY RUN] Resolved trial configuration:")
				if err := enc.Encode(out); err != nil {
					return err
				}
				fmt.Println("[DRY RUN] Nothing started")
				return nil
			}
			return launch(cmd.Context(), g, in, detach)
		},
	}
	fl := cmd.Flags()
	defaults := sweep.DefaultRunConfig()
	def := map[string]string{
		"summarizer-model": defaults.SummarizerModel, "instances-subset": defaults.InstancesSubset,
		"instances-shuffle": fmt.Sprint(defaults.InstancesShuffle), "instances-shuffle-seed": fmt.Sprint(defaults.InstancesShuffleSeed),
		"call-limit": fmt.Sprint(defaults.CallLimit), "cost-limit": fmt.Sprint(defaults.CostLimit), "num-workers": fmt.Sprint(defaults.NumWorkers),
	}
	for _, name := range runParams {
		vals[name] = fl.String(name, def[name], "sweep parameter "+name+" (as in run_sweep.py)")
	}
	fl.BoolVar(&wandb, "wandb", false, "log to Weights & Biases")
	fl.StringVar(&project, "wandb-project", "", "W&B project (default complexity-trap)")
	fl.StringVar(&entity, "wandb-entity", "", "W&B entity")
	fl.StringVar(&group, "wandb-group", "", "W&B group")
	fl.StringSliceVar(&tags, "wandb-tags", nil, "W&B tags, put before the generated ones")
	fl.BoolVar(&dryRun, "dry-run", false, "print the resolved trial configuration and run name without running")
	bindBreaker(cmd)
	fl.BoolVar(&detach, "detach", false, "return once started")
	bindLongRun(cmd, long)
	bindHarness(cmd, long)
	fl.StringVar(&agentFile, "agent-config", "", "agent configuration file, ours or a seed SWE-agent config (default: the built-in config/agent.yaml)")
	fl.StringVar(&seedDir, "seed-configs", "", "the seed repository (or its config/ directory): the config run_sweep.py picks for --strategy")
	fl.StringVar(&toolsDir, "tools-dir", "", "where a seed config's tool bundles are (default: the config's repository)")
	return cmd
}
