package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/workflows"
)

type trialJSON struct {
	workflows.SweepTrial
	Running   []string                   `json:"running,omitempty"`
	Instances []workflows.InstanceRecord `json:"instances"`
}

type statusJSON struct {
	workflows.SweepStatus
	Workflow string      `json:"workflow_status"`
	Trials   []trialJSON `json:"trials"`
	*failureView
}

func statusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [SWEEP]",
		Short: "Show a sweep's trials and instances (or list sweeps)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if g.address == "" {
				if _, err := os.Stat(g.dataDir); os.IsNotExist(err) {
					// Nothing ran here: say so without creating it.
					if len(args) > 0 {
						return fmt.Errorf("sweep %q: data directory %s does not exist (wrong --data-dir or CTXSWEEP_DATA_DIR?)", args[0], g.dataDir)
					}
					if asJSON {
						fmt.Println("[]")
						return nil
					}
					fmt.Printf("No sweeps yet: data directory %s does not exist. Start one with `starter sweep sweeps/demo.yaml`.\n", g.dataDir)
					return nil
				}
			}
			e, err := g.connect(ctx, engine.WorkerQueryOnly, "status")
			if err != nil {
				return err
			}
			defer e.Close()
			if len(args) == 0 {
				return listSweeps(ctx, e, asJSON)
			}
			id := workflows.SweepID(args[0])
			desc, err := e.Client.DescribeWorkflowExecution(ctx, id, "")
			if err != nil {
				return fmt.Errorf("sweep %q: %w (see `starter status` for the list)", args[0], err)
			}
			st, live, err := querySweepLive(ctx, e, id, time.Minute)
			if err != nil {
				return fmt.Errorf("sweep %q: querying status: %w", args[0], err)
			}
			view := newFailureView(g.dataDir)
			view.update(st, live)
			if !asJSON {
				printTrials(os.Stdout, st)
				printWaiting(ctx, os.Stdout, e, st)
				printFailures(os.Stdout, view, time.Now())
				return nil
			}
			out := statusJSON{SweepStatus: st, Workflow: desc.WorkflowExecutionInfo.Status.String(), failureView: view}
			for _, t := range st.Trials {
				tj := trialJSON{SweepTrial: t, Instances: []workflows.InstanceRecord{}}
				if ts, err := queryTrial(ctx, e, t.ID); err == nil {
					tj.Running = ts.Running
					if ts.Records != nil {
						tj.Instances = ts.Records
					}
				}
				out.Trials = append(out.Trials, tj)
			}
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(out)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: every trial with its state and its instances")
	return cmd
}

func queryTrial(ctx context.Context, e *engine.Engine, id string) (workflows.TrialStatus, error) {
	return e.QueryTrial(ctx, id)
}

// printFailures lists the failed instances by exit status, each failure
// class once with what to do, and the model endpoints failing right now.
func printFailures(w *os.File, v *failureView, now time.Time) {
	if n := v.failedCount(); n > 0 {
		fmt.Fprintf(w, "Failed instances: %s\n", strings.TrimPrefix(v.summary(time.Time{}), "failed "))
		for _, c := range v.Classes {
			fmt.Fprintf(w, "  %d× %s\n", c.Count, strings.ReplaceAll(c.lines(), "\n", "\n  "))
		}
	}
	for _, t := range v.Trouble {
		fmt.Fprintln(w, t.lines(now))
	}
}

type sweepListEntry struct {
	Name    string    `json:"name"`
	Status  string    `json:"status"`
	Started time.Time `json:"started"`
}

func listSweeps(ctx context.Context, e *engine.Engine, asJSON bool) error {
	var entries []sweepListEntry
	seen := map[string]bool{}
	var token []byte
	for {
		resp, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Query: "WorkflowType = 'SweepWorkflow'", NextPageToken: token,
		})
		if err != nil {
			return err
		}
		for _, x := range resp.Executions {
			// A resumed (or continued-as-new) sweep has several runs under
			// one workflow id: list the newest once.
			id := x.Execution.WorkflowId
			if seen[id] {
				continue
			}
			seen[id] = true
			entries = append(entries, sweepListEntry{Name: strings.TrimPrefix(id, "sweep/"), Status: x.Status.String(), Started: x.StartTime.AsTime()})
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	if asJSON {
		if entries == nil {
			entries = []sweepListEntry{}
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	if len(entries) == 0 {
		fmt.Println("No sweeps yet. Start one with `starter sweep sweeps/demo.yaml`.")
		return nil
	}
	fmt.Printf("%-40s %-12s %s\n", "sweep", "status", "started")
	for _, x := range entries {
		fmt.Printf("%-40s %-12s %s\n", x.Name, x.Status, x.Started.Local().Format(time.DateTime))
	}
	return nil
}
