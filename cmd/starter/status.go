package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
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
}

func statusCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [SWEEP]",
		Short: "Show a sweep's trials and instances (or list sweeps)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, err := g.connect(ctx, engine.WorkerQueryOnly, "status")
			if err != nil {
				return err
			}
			defer e.Close()
			if len(args) == 0 {
				return listSweeps(ctx, e)
			}
			id := workflows.SweepID(args[0])
			desc, err := e.Client.DescribeWorkflowExecution(ctx, id, "")
			if err != nil {
				return fmt.Errorf("sweep %q: %w (see `starter status` for the list)", args[0], err)
			}
			st, err := querySweep(ctx, e, id, time.Minute)
			if err != nil {
				return fmt.Errorf("sweep %q: querying status: %w", args[0], err)
			}
			if !asJSON {
				printTrials(os.Stdout, st)
				printWaiting(ctx, os.Stdout, e, st)
				return nil
			}
			out := statusJSON{SweepStatus: st, Workflow: desc.WorkflowExecutionInfo.Status.String()}
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

func listSweeps(ctx context.Context, e *engine.Engine) error {
	resp, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query: "WorkflowType = 'SweepWorkflow'",
	})
	if err != nil {
		return err
	}
	if len(resp.Executions) == 0 {
		fmt.Println("No sweeps yet. Start one with `starter sweep sweeps/demo.yaml`.")
		return nil
	}
	fmt.Printf("%-40s %-12s %s\n", "sweep", "status", "started")
	for _, x := range resp.Executions {
		fmt.Printf("%-40s %-12s %s\n", x.Execution.WorkflowId[len("sweep/"):], x.Status.String(), x.StartTime.AsTime().Local().Format(time.DateTime))
	}
	return nil
}
