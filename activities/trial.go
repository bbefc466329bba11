package activities

import (
	"context"
	"fmt"
	"os"
	"path"

	"gopkg.in/yaml.v3"

	"github.com/ctxresearch/ctxsweep/evaluate"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// SelectInstances lists a trial's instances in run order.
func (a *Activities) SelectInstances(ctx context.Context, t workflows.TrialRef) (workflows.SelectInstancesResult, error) {
	ids, err := a.Tasks.Select(t.Config)
	if err != nil {
		return workflows.SelectInstancesResult{}, configError("trial %s: %v", t.RunName, err)
	}
	if len(ids) == 0 {
		return workflows.SelectInstancesResult{}, configError("trial %s: the instance selection is empty (subset %q, slice %q)", t.RunName, t.Config.InstancesSubset, t.Config.InstancesSlice)
	}
	if err := a.Store.WriteJSON(path.Join(t.Dir, "trial.json"), t); err != nil {
		return workflows.SelectInstancesResult{}, err
	}
	res := workflows.SelectInstancesResult{IDs: ids}
	presets, err := a.presets(t)
	if err != nil {
		return res, err
	}
	if p, ok := presets[t.Config.Model]; ok {
		res.ModelQueue, res.ModelSlots = p.TaskQueue(workflows.TaskQueue), p.MaxConcurrent()
	}
	if p, ok := presets[t.Config.Summarizer()]; ok {
		res.SummaryQueue, res.SummarySlots = p.TaskQueue(workflows.TaskQueue), p.MaxConcurrent()
	}
	return res, nil
}

// LoadRecords returns the records already stored for a trial's instances.
func (a *Activities) LoadRecords(ctx context.Context, in workflows.LoadRecordsInput) ([]workflows.InstanceRecord, error) {
	var out []workflows.InstanceRecord
	for _, id := range in.IDs {
		var r workflows.InstanceRecord
		ok, err := a.Store.ReadJSON(store.RecordFile(store.InstanceDir(in.Trial.Dir, id)), &r)
		if err != nil {
			return nil, err
		}
		if ok {
			r.TestsStatus = nil
			out = append(out, r)
		}
	}
	return out, nil
}

type pred struct {
	Model      string `json:"model_name_or_path"`
	InstanceID string `json:"instance_id"`
	ModelPatch string `json:"model_patch"`
}

// WriteTrial writes the trial's outputs: preds.json (seed layout, keyed by
// instance id), results.json (every record) and run_batch_exit_statuses.yaml.
func (a *Activities) WriteTrial(ctx context.Context, in workflows.WriteTrialInput) error {
	preds := map[string]pred{}
	byStatus := map[string][]string{}
	total := 0.0
	for _, r := range in.Records {
		patch := ""
		if r.PatchFile != "" {
			b, err := os.ReadFile(a.Store.Path(r.PatchFile))
			if err != nil {
				return fmt.Errorf("instance %s: %w", r.InstanceID, err)
			}
			patch = string(b)
		}
		preds[r.InstanceID] = pred{Model: path.Base(in.Trial.Dir), InstanceID: r.InstanceID, ModelPatch: patch}
		byStatus[r.ExitStatus] = append(byStatus[r.ExitStatus], r.InstanceID)
		total += r.TotalCost()
	}
	if err := a.Store.WriteJSON(path.Join(in.Trial.Dir, "preds.json"), preds); err != nil {
		return err
	}
	if err := a.Store.WriteJSON(path.Join(in.Trial.Dir, "results.json"), in.Records); err != nil {
		return err
	}
	y, err := yaml.Marshal(map[string]any{"instances_by_exit_status": byStatus, "total_cost": total})
	if err != nil {
		return err
	}
	if err := a.Store.WriteFile(path.Join(in.Trial.Dir, "run_batch_exit_statuses.yaml"), y); err != nil {
		return err
	}
	return a.writeRunReport(in)
}

// RunReportFile is the trial's SWE-bench run report (the harness's
// <model>.<run_id>.json, keys as anchors §1.7), next to preds.json.
func RunReportFile(trialDir string) string {
	return path.Join(trialDir, evaluate.RunReportFileName(path.Base(trialDir), "eval"))
}

// writeRunReport writes the run report over the trial's evaluated
// instances; a trial with evaluation off has none.
func (a *Activities) writeRunReport(in workflows.WriteTrialInput) error {
	if !in.Trial.Config.Evaluates() {
		return nil
	}
	ri := evaluate.RunInput{Harness: evaluate.Harness(in.Trial.Tuning.Harness)}
	for _, r := range in.Records {
		ri.DatasetIDs = append(ri.DatasetIDs, r.InstanceID)
		out, _, ok, err := a.loadOutcome(in.Trial.Dir, r.InstanceID)
		if err != nil {
			return err
		}
		if ok {
			ri.Outcomes = append(ri.Outcomes, out)
		}
	}
	data, err := evaluate.BuildRunReport(ri).JSON()
	if err != nil {
		return err
	}
	return a.Store.WriteFile(RunReportFile(in.Trial.Dir), data)
}
