// Package evaluate is a pure, in-process port of the SWE-bench evaluation
// harness for Python repositories (anchors.md §1.3–1.7). It writes the shell
// scripts that another component runs inside an instance container, and it
// reads back their output; it never starts containers, processes or network
// connections itself.
//
// Grading follows harness v4.1.0 (pinned; say so in reports). v5-only
// hardening (prefix matching of truncated ids, rejecting spoofed exit codes,
// SKIPPED P2P counted as maintained) is NOT applied; the v5 exit-code line is
// written by the eval script and parsed, but only reported.
//
// The pieces, in the order a run uses them:
//
//	spec := evaluate.Spec{InstanceID: ..., Repo: "django/django", Version: "4.2", ...}
//	if evaluate.IsEmptyPatch(pred.ModelPatch) {
//		out = evaluate.EmptyPatchOutcome(spec.InstanceID) // never run
//	}
//	applySh := evaluate.ApplyPatchCommand("/tmp/patch.diff")  // run in /testbed
//	if !evaluate.PatchApplied(applyOutput) {
//		out = evaluate.ErrorOutcome(spec.InstanceID, "patch apply failed")
//	}
//	script, err := evaluate.MakeEvalScript(spec)  // copy to /eval.sh, run with bash
//	rep, err := evaluate.Grade(spec, testOutput)  // per-instance report.json
//	out = evaluate.CompletedOutcome(rep)
//	run := evaluate.BuildRunReport(evaluate.RunInput{DatasetIDs: ids, Outcomes: outs})
//
// Scripts assume the SWE-bench image layout: repository at /testbed, conda
// environment "testbed" under /opt/miniconda3 (activated only when present).
package evaluate
