package activities

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/evaluate"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workerid"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// LabelPurpose says what a sandbox is for ("agent" or "eval"); the other
// labels are the sandbox package's.
const LabelPurpose = "ctxsweep.purpose"

// WorkerID names this worker process in sandbox labels (see workerid).
func WorkerID() string { return workerid.Self().String() }

func (a *Activities) openOptions(ref workflows.InstanceRef, purpose string) OpenOptions {
	return OpenOptions{Root: a.SandboxRoot, Labels: map[string]string{
		sandbox.LabelSweep: ref.Trial.Sweep, sandbox.LabelTrial: ref.Trial.RunName, sandbox.LabelInstance: ref.InstanceID,
		LabelPurpose: purpose, sandbox.LabelWorker: WorkerID(),
	}}
}

// evalReportFile and evalLogFile are where an instance's evaluation is kept
// (the harness's report.json and test_output.txt).
func evalReportFile(dir string) string { return path.Join(dir, "eval", "report.json") }
func evalLogFile(dir string) string    { return path.Join(dir, "eval", "test_output.txt") }

// Evaluate runs the instance's tests against the stored patch in a fresh
// sandbox and keeps the report and the test log next to the instance. An
// empty patch is not run (counted as empty_patch, as the harness does).
// Evaluation is skipped when the trial turns it off.
func (a *Activities) Evaluate(ctx context.Context, in workflows.EvaluateInput) (workflows.EvaluateResult, error) {
	cfg := in.Ref.Trial.Config
	if !cfg.Evaluates() {
		return workflows.EvaluateResult{Note: "evaluation is off for this trial"}, nil
	}
	dir := in.Ref.Dir()
	id := in.Ref.InstanceID
	patch, err := os.ReadFile(a.Store.Path(store.PatchFile(dir, id)))
	if err != nil && !os.IsNotExist(err) {
		return workflows.EvaluateResult{}, err
	}
	harness := evaluate.Harness(in.Ref.Trial.Tuning.Harness).Or()
	start := time.Now()
	var ev Evaluation
	if strings.TrimSpace(string(patch)) == "" {
		ev = Evaluation{Evaluated: true, Outcome: evaluate.EmptyPatchOutcome(id)}
	} else {
		stop := keepAlive(ctx)
		opts := a.openOptions(in.Ref, "eval")
		opts.Harness = harness
		ev, err = a.Tasks.Evaluate(ctx, cfg, id, string(patch), opts)
		stop()
		if err != nil {
			return workflows.EvaluateResult{}, fmt.Errorf("instance %s: evaluation: %w", id, err)
		}
	}
	if !ev.Evaluated {
		return workflows.EvaluateResult{Note: "this instance source cannot evaluate"}, nil
	}
	sum := &workflows.EvalSummary{Outcome: string(ev.Outcome.Kind), Seconds: time.Since(start).Seconds(), Error: ev.Outcome.Reason}
	report := map[string]any{"instance_id": id, "outcome": ev.Outcome.Kind, "harness": harness, "harness_rules": harness.Rules()}
	if r := ev.Outcome.Report; r != nil {
		if len(r.Log.Notes) > 0 {
			report["notes"] = r.Log.Notes
		}
		sum.Resolution = string(r.Resolution)
		sum.PatchApplied = r.PatchSuccessfullyApplied
		if ts := r.TestsStatus; ts != nil {
			sum.FailToPass = [2]int{len(ts.FailToPass.Success), len(ts.FailToPass.Success) + len(ts.FailToPass.Failure)}
			sum.PassToPass = [2]int{len(ts.PassToPass.Success), len(ts.PassToPass.Success) + len(ts.PassToPass.Failure)}
		}
		raw, err := r.JSON()
		if err != nil {
			return workflows.EvaluateResult{}, err
		}
		report["report"] = json.RawMessage(raw)
	}
	if ev.Outcome.Reason != "" {
		report["error"] = ev.Outcome.Reason
	}
	if len(ev.Log) > 0 {
		if err := a.Store.WriteFile(evalLogFile(dir), ev.Log); err != nil {
			return workflows.EvaluateResult{}, err
		}
		sum.LogFile = evalLogFile(dir)
	}
	if err := a.Store.WriteJSON(evalReportFile(dir), report); err != nil {
		return workflows.EvaluateResult{}, err
	}
	sum.ReportFile = evalReportFile(dir)
	resolved := ev.Outcome.Report != nil && ev.Outcome.Report.Resolved
	return workflows.EvaluateResult{Evaluated: true, Resolved: resolved, Eval: sum}, nil
}

// storedEval is evalReportFile's content.
type storedEval struct {
	InstanceID string                     `json:"instance_id"`
	Outcome    evaluate.OutcomeKind       `json:"outcome"`
	Report     map[string]json.RawMessage `json:"report,omitempty"`
	Error      string                     `json:"error,omitempty"`
}

// loadOutcome reads an instance's stored evaluation back as an outcome for
// the run report (ok is false when the instance was not evaluated).
func (a *Activities) loadOutcome(trialDir, id string) (evaluate.Outcome, json.RawMessage, bool, error) {
	var st storedEval
	ok, err := a.Store.ReadJSON(evalReportFile(store.InstanceDir(trialDir, id)), &st)
	if err != nil || !ok {
		return evaluate.Outcome{}, nil, false, err
	}
	out := evaluate.Outcome{InstanceID: id, Kind: st.Outcome, Reason: st.Error}
	raw := st.Report[id]
	if st.Outcome == evaluate.OutcomeCompleted && raw != nil {
		var r evaluate.InstanceReport
		if err := json.Unmarshal(raw, &r); err != nil {
			return out, nil, false, fmt.Errorf("%s: %w", evalReportFile(store.InstanceDir(trialDir, id)), err)
		}
		r.InstanceID = id
		out.Report = &r
	}
	var tests json.RawMessage
	if raw != nil {
		var body struct {
			TestsStatus json.RawMessage `json:"tests_status"`
		}
		if json.Unmarshal(raw, &body) == nil {
			tests = body.TestsStatus
		}
	}
	return out, tests, true, nil
}
