package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/docker/docker/client"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workerid"
)

func init() { commands = append(commands, instancesCmd) }

func instancesCmd(g *globals) *cobra.Command {
	c := sweep.DefaultRunConfig()
	cmd := &cobra.Command{
		Use:   "instances",
		Short: "Print the instance ids a trial would run, in run order, one per line",
		Long: "Loads the dataset (a SWE-bench subset from Hugging Face, cached on disk, or --instances-file)\n" +
			"and applies the seed's order: sorted by id and shuffled (with CPython's random.Random(seed)),\n" +
			"then filtered (regex anchored at the start) and sliced (Python slice syntax).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t := &engine.Tasks{Progress: func(msg string) { fmt.Fprintln(os.Stderr, msg) }}
			ids, err := t.Select(c)
			if err != nil {
				return err
			}
			for _, id := range ids {
				fmt.Println(id)
			}
			fmt.Fprintf(os.Stderr, "%d instances\n", len(ids))
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&c.InstancesSubset, "instances-subset", c.InstancesSubset, "SWE-bench subset: verified, verified-mini, lite, full, multilingual, or demo")
	fl.StringVar(&c.InstancesSlice, "instances-slice", "", "Python slice of the ordered ids (e.g. :20, 10:30, ::2)")
	fl.BoolVar(&c.InstancesShuffle, "instances-shuffle", false, "shuffle (after sorting by id) as the seed does")
	fl.IntVar(&c.InstancesShuffleSeed, "instances-shuffle-seed", c.InstancesShuffleSeed, "shuffle seed")
	fl.StringVar(&c.InstancesFile, "instances-file", "", "local dataset file (.json, .jsonl or .parquet) instead of Hugging Face")
	fl.StringVar(&c.InstancesFilter, "instances-filter", "", "keep ids matching this regex (anchored at the start)")
	return cmd
}

func init() { commands = append(commands, gcCmd) }

func gcCmd(g *globals) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove sandboxes left behind by dead workers: containers (--all: every ctxsweep container) and local sandbox directories",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			root := activities.SandboxRootFor(g.dataDir)
			before, _ := os.ReadDir(root)
			engine.RemoveDeadSandboxes(g.dataDir, zap.NewNop())
			after, _ := os.ReadDir(root)
			fmt.Printf("%d local sandbox folder(s) of dead workers removed from %s\n", len(before)-len(after), root)
			cli, err := engineDocker(ctx)
			if err != nil {
				fmt.Printf("Docker was not reachable, so no container was checked: %v\n", err)
				return nil
			}
			defer cli.Close()
			removed, err := engine.GCContainers(ctx, cli, g.dataDir, all)
			if err == nil {
				workerid.Prune(g.dataDir, time.Now())
			}
			for _, name := range removed {
				fmt.Println("removed", name)
			}
			fmt.Printf("%d containers removed\n", len(removed))
			return err
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "remove every container ctxsweep created, including those of running workers")
	return cmd
}

func engineDocker(ctx context.Context) (*dockerClient, error) { return sandbox.NewDockerClient(ctx) }

type dockerClient = client.Client
