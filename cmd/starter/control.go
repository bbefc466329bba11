package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/converter"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func cancelCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "cancel SWEEP",
		Short: "Cancel a sweep: running instances stop, finished ones are kept",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, err := g.connect(ctx, engine.WorkerQueryOnly, "cancel")
			if err != nil {
				return err
			}
			defer e.Close()
			id := workflows.SweepID(args[0])
			if err := e.Client.CancelWorkflow(ctx, id, ""); err != nil {
				return fmt.Errorf("cancelling sweep %q: %w", args[0], err)
			}
			// Wait a little for the cancellation to reach the trials.
			wctx, stop := context.WithTimeout(ctx, 30*time.Second)
			defer stop()
			_ = e.Client.GetWorkflow(wctx, id, "").Get(wctx, nil)
			fmt.Printf("Sweep %s cancelled. `starter resume %s` continues it later.\n", args[0], args[0])
			return nil
		},
	}
}

func resumeCmd(g *globals) *cobra.Command {
	var detach bool
	cmd := &cobra.Command{
		Use:   "resume SWEEP",
		Short: "Continue a sweep whose process died, or that was cancelled or failed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, err := g.connect(ctx, engine.WorkerIfEmbedded, "starter")
			if err != nil {
				return err
			}
			defer e.Close()
			banner(e, g)
			id := workflows.SweepID(args[0])
			desc, err := e.Client.DescribeWorkflowExecution(ctx, id, "")
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) {
				// Past retention Temporal forgot the sweep: restart it from
				// the input kept in the data directory.
				if in, serr := savedInput(g.dataDir, args[0]); serr == nil {
					breakerFlag(cmd, &in)
					fmt.Printf("Sweep %s is no longer in Temporal: restarting it from %s; finished instances are kept.\n", args[0], inputFile(args[0]))
					return start(ctx, e, in, specHash(in), detach)
				}
			}
			if err != nil {
				return fmt.Errorf("sweep %q: %w (see `starter status` for the list)", args[0], err)
			}
			info := desc.WorkflowExecutionInfo
			switch info.Status {
			case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
				fmt.Printf("Sweep %s is running: attaching.\n", args[0])
				return follow(ctx, e, id, detach)
			case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
				fmt.Printf("Sweep %s has completed.\n", args[0])
				return follow(ctx, e, id, false)
			}
			in, err := originalInput(ctx, e, id)
			if err != nil {
				if in, err = savedInput(g.dataDir, args[0]); err != nil {
					return err
				}
			}
			var hash string
			if p, ok := info.GetMemo().GetFields()["spec_hash"]; ok {
				_ = converter.GetDefaultDataConverter().FromPayload(p, &hash)
			}
			breakerFlag(cmd, &in)
			fmt.Printf("Sweep %s was %s: restarting it; finished instances are kept.\n", args[0], info.Status)
			return start(ctx, e, in, hash, detach)
		},
	}
	bindBreaker(cmd)
	cmd.Flags().BoolVar(&detach, "detach", false, "return once started")
	return cmd
}

// breakerFlag applies --stop-after-config-errors, when given, to a sweep
// that resume restarts (else it keeps the value it was started with).
func breakerFlag(cmd *cobra.Command, in *workflows.SweepInput) {
	if cmd.Flags().Changed("stop-after-config-errors") {
		in.Tuning.StopAfterConfigErrors = breakerLimit
	}
}

// originalInput reads the sweep's input from the first event of its history.
func originalInput(ctx context.Context, e *engine.Engine, id string) (workflows.SweepInput, error) {
	var in workflows.SweepInput
	it := e.Client.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		return in, fmt.Errorf("sweep %s has no history", id)
	}
	ev, err := it.Next()
	if err != nil {
		return in, err
	}
	attrs := ev.GetWorkflowExecutionStartedEventAttributes()
	if attrs == nil || len(attrs.GetInput().GetPayloads()) == 0 {
		return in, fmt.Errorf("sweep %s: first event has no input", id)
	}
	err = converter.GetDefaultDataConverter().FromPayload(attrs.GetInput().GetPayloads()[0], &in)
	return in, err
}

func serverCmd(g *globals) *cobra.Command {
	var port, uiPort int
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run only the embedded Temporal server and Web UI, for separate workers to join",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.address != "" {
				return fmt.Errorf("starter server runs the embedded server; unset TEMPORAL_ADDRESS / --temporal-address")
			}
			log, err := engine.NewLogger(g.dataDir+"/logs/server.log", nil)
			if err != nil {
				return err
			}
			e, err := engine.Start(cmd.Context(), engine.Options{DataDir: g.dataDir, Namespace: g.namespace, Port: port, UIPort: uiPort, ModelsFiles: g.modelsFile, Log: log, Retention: g.retention})
			if err != nil {
				return err
			}
			defer e.Close()
			if e.Attached {
				return fmt.Errorf("another process already serves %s at %s", g.dataDir, e.Address)
			}
			fmt.Printf("Temporal server: %s (namespace %s, data %s)\n", e.Address, g.namespace, g.dataDir)
			if e.UIURL != "" {
				fmt.Printf("Temporal Web UI: %s\n", e.UIURL)
			}
			fmt.Printf("Start workers with:  worker --temporal-address %s --data-dir %s\n", e.Address, g.dataDir)
			fmt.Printf("Start sweeps with:   starter sweep FILE --temporal-address %s --data-dir %s\n", e.Address, g.dataDir)
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			select {
			case <-sig:
			case <-cmd.Context().Done():
			}
			fmt.Println("Stopping the server; its state is kept in", g.dataDir)
			return nil
		},
	}
	cmd.Flags().IntVar(&port, "port", 0, "frontend port (default 7233, or a free port if taken)")
	cmd.Flags().IntVar(&uiPort, "ui-port", 0, "Web UI port (default 8233, or a free port; -1 disables)")
	return cmd
}
