package evaluate

import (
	"sort"
	"strings"
)

// OutcomeKind is how one submitted prediction ended.
type OutcomeKind string

// The three ends of a submitted prediction, as the run report counts them.
const (
	// OutcomeCompleted: the eval script ran and a report exists (resolved
	// or not, including logs graded as not applied).
	OutcomeCompleted OutcomeKind = "completed"
	// OutcomeEmptyPatch: null, empty or blank model_patch; never run.
	OutcomeEmptyPatch OutcomeKind = "empty_patch"
	// OutcomeError: no valid report (model patch did not apply, timeout,
	// container or infrastructure failure). Still in the denominator.
	OutcomeError OutcomeKind = "error"
)

// Outcome is the end of one submitted prediction.
type Outcome struct {
	InstanceID string
	Kind       OutcomeKind
	Report     *InstanceReport // set for OutcomeCompleted
	Reason     string          // why, for OutcomeError
}

// EmptyPatchOutcome records a prediction with an empty patch.
func EmptyPatchOutcome(id string) Outcome {
	return Outcome{InstanceID: id, Kind: OutcomeEmptyPatch}
}

// ErrorOutcome records a prediction that produced no report.
func ErrorOutcome(id, reason string) Outcome {
	return Outcome{InstanceID: id, Kind: OutcomeError, Reason: reason}
}

// CompletedOutcome records a graded prediction.
func CompletedOutcome(r InstanceReport) Outcome {
	return Outcome{InstanceID: r.InstanceID, Kind: OutcomeCompleted, Report: &r}
}

// RunInput is what the run report is built from.
type RunInput struct {
	// DatasetIDs are all instances of the evaluated dataset (or of the
	// selected subset): total_instances, and the base of incomplete_ids.
	DatasetIDs []string
	// Outcomes has one entry per submitted prediction (a later entry for
	// the same id replaces an earlier one).
	Outcomes []Outcome
	// Leftovers found by the executor after the run (may be empty).
	UnstoppedContainers []string
	UnremovedImages     []string
	// Harness is the rules the outcomes were graded by ("" = default).
	Harness Harness
}

// RunReport is the run-level report (anchors §1.7, harness
// make_run_report, schema_version 2). The unstopped/unremoved keys, which
// the harness adds only when it has a Docker client, are always present.
// Harness and HarnessRules are ours: they name the rules that produced the
// solve rate.
type RunReport struct {
	TotalInstances      int      `json:"total_instances"`
	SubmittedInstances  int      `json:"submitted_instances"`
	CompletedInstances  int      `json:"completed_instances"`
	ResolvedInstances   int      `json:"resolved_instances"`
	UnresolvedInstances int      `json:"unresolved_instances"`
	EmptyPatchInstances int      `json:"empty_patch_instances"`
	ErrorInstances      int      `json:"error_instances"`
	CompletedIDs        []string `json:"completed_ids"`
	IncompleteIDs       []string `json:"incomplete_ids"`
	EmptyPatchIDs       []string `json:"empty_patch_ids"`
	SubmittedIDs        []string `json:"submitted_ids"`
	ResolvedIDs         []string `json:"resolved_ids"`
	UnresolvedIDs       []string `json:"unresolved_ids"`
	ErrorIDs            []string `json:"error_ids"`
	SchemaVersion       int      `json:"schema_version"`
	UnstoppedInstances  int      `json:"unstopped_instances"`
	UnstoppedContainers []string `json:"unstopped_containers"`
	UnremovedImages     []string `json:"unremoved_images"`
	Harness             Harness  `json:"harness"`
	HarnessRules        string   `json:"harness_rules"`
}

// BuildRunReport counts outcomes the way the harness does: each dataset
// instance without an outcome is incomplete; with one it is empty_patch,
// error, or completed and then resolved or unresolved. submitted counts
// every distinct submitted id, even ids outside the dataset (which are
// otherwise ignored). All id lists are sorted and never null.
func BuildRunReport(in RunInput) RunReport {
	byID := map[string]Outcome{}
	for _, o := range in.Outcomes {
		byID[o.InstanceID] = o
	}
	r := RunReport{SchemaVersion: 2, Harness: in.Harness.Or(), HarnessRules: in.Harness.Or().Rules()}
	seen := map[string]bool{}
	for _, id := range in.DatasetIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		o, ok := byID[id]
		switch {
		case !ok:
			r.IncompleteIDs = append(r.IncompleteIDs, id)
		case o.Kind == OutcomeEmptyPatch:
			r.EmptyPatchIDs = append(r.EmptyPatchIDs, id)
		case o.Kind == OutcomeCompleted && o.Report != nil:
			r.CompletedIDs = append(r.CompletedIDs, id)
			if o.Report.Resolved {
				r.ResolvedIDs = append(r.ResolvedIDs, id)
			} else {
				r.UnresolvedIDs = append(r.UnresolvedIDs, id)
			}
		default: // error, or completed without a report
			r.ErrorIDs = append(r.ErrorIDs, id)
		}
	}
	for id := range byID {
		r.SubmittedIDs = append(r.SubmittedIDs, id)
	}
	r.TotalInstances = len(seen)
	r.SubmittedInstances = len(byID)
	r.CompletedInstances = len(r.CompletedIDs)
	r.ResolvedInstances = len(r.ResolvedIDs)
	r.UnresolvedInstances = len(r.UnresolvedIDs)
	r.EmptyPatchInstances = len(r.EmptyPatchIDs)
	r.ErrorInstances = len(r.ErrorIDs)
	r.UnstoppedContainers = append([]string(nil), in.UnstoppedContainers...)
	r.UnremovedImages = append([]string(nil), in.UnremovedImages...)
	r.UnstoppedInstances = len(r.UnstoppedContainers)
	for _, l := range []*[]string{&r.CompletedIDs, &r.IncompleteIDs, &r.EmptyPatchIDs, &r.SubmittedIDs,
		&r.ResolvedIDs, &r.UnresolvedIDs, &r.ErrorIDs, &r.UnstoppedContainers, &r.UnremovedImages} {
		if *l == nil {
			*l = []string{}
		}
		sort.Strings(*l)
	}
	return r
}

// JSON encodes the run report indented by 4 spaces, as the harness does.
func (r RunReport) JSON() ([]byte, error) {
	return encodeJSON(r)
}

// RunReportFileName is the harness's run report name:
// "<model_name_or_path with / → __>.<run_id>.json".
func RunReportFileName(modelNameOrPath, runID string) string {
	return strings.ReplaceAll(modelNameOrPath, "/", "__") + "." + runID + ".json"
}
