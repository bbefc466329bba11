package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func init() { commands = append(commands, retryCmd) }

// defaultRetryStatuses are the exit statuses `starter retry` re-runs
// unless told otherwise (plus records marked retryable): the ends that say
// nothing about the agent, only about keys, presets or infrastructure.
var defaultRetryStatuses = []string{agent.ExitError, agent.ExitEnvironmentError, agent.ExitAPI}

// attemptsDir is where a trial keeps the earlier attempts of retried
// instances: <trial>/.attempts/<instance>/<n>/.
const attemptsDir = ".attempts"

type retryPick struct {
	trialDir string // relative to the data directory
	trial    string // run name
	rec      workflows.InstanceRecord
}

func retryCmd(g *globals) *cobra.Command {
	var statuses, ids []string
	var trial string
	var dryRun, detach bool
	cmd := &cobra.Command{
		Use:   "retry SWEEP",
		Short: "Re-run chosen instances of a finished or cancelled sweep as new attempts (default: those that ended exit_error, exit_environment_error, exit_api or on a transient error)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			picks, err := pickRetries(g.dataDir, name, statuses, ids, trial)
			if err != nil {
				return err
			}
			printRetryPlan(picks, statuses)
			if len(picks) == 0 || dryRun {
				return nil
			}
			ctx := cmd.Context()
			e, err := g.connect(ctx, engine.WorkerIfEmbedded, "starter")
			if err != nil {
				return err
			}
			defer e.Close()
			banner(e, g)
			in, err := retryInput(ctx, e, g.dataDir, name)
			if err != nil {
				return err
			}
			if len(g.modelsFile) > 0 {
				// A fixed presets file replaces the one the sweep started with.
				ps, err := llm.LoadPresets(config.Models, g.modelsFile...)
				if err != nil {
					return err
				}
				ref, err := activities.StoreModels(g.dataDir, g.modelsFile, ps)
				if err != nil {
					return err
				}
				in.Tuning.Models = &ref
			}
			for _, p := range picks {
				n, err := archiveAttempt(g.dataDir, p)
				if err != nil {
					return err
				}
				fmt.Printf("  %s / %s: attempt %d kept in %s\n", p.trial, p.rec.InstanceID, n, path.Join(p.trialDir, attemptsDir, p.rec.InstanceID, strconv.Itoa(n)))
			}
			fmt.Printf("Restarting sweep %s: the trials run the instances above again and rewrite their results.\n", name)
			return start(ctx, e, in, specHash(in), detach)
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&statuses, "exit-status", nil, "exit statuses to retry, comma-separated (default: exit_error,exit_environment_error,exit_api and records marked retryable)")
	f.StringSliceVar(&ids, "instances", nil, "only these instance ids, comma-separated")
	f.StringVar(&trial, "trial", "", "only this trial: its run name, directory or hash")
	f.BoolVar(&dryRun, "dry-run", false, "print what would be retried; change nothing")
	f.BoolVar(&detach, "detach", false, "return once restarted")
	cmd.Long = "Re-runs chosen instances of a finished or cancelled sweep as new attempts. Earlier attempts move to <trial>/.attempts/<instance>/<n>/; the trials rewrite results.json, preds.json and the evaluation report, and log the new attempts to W&B as new rows. With --models-file the sweep runs with those presets from now on."
	return cmd
}

// pickRetries reads the records of a sweep's trials from the data
// directory and chooses the instances to retry.
func pickRetries(dataDir, name string, statuses, ids []string, trial string) ([]retryPick, error) {
	st := store.Store{Root: dataDir}
	root := path.Join("runs", name)
	trials, err := os.ReadDir(st.Path(root))
	if err != nil {
		return nil, fmt.Errorf("sweep %q: no results in %s: %w", name, st.Path(root), err)
	}
	wantStatus := func(r workflows.InstanceRecord) bool {
		if len(statuses) == 0 {
			return r.Retryable || slices.Contains(defaultRetryStatuses, r.ExitStatus)
		}
		return slices.Contains(statuses, r.ExitStatus)
	}
	var picks []retryPick
	matchedTrial, seen := false, map[string]bool{}
	for _, td := range trials {
		if !td.IsDir() {
			continue
		}
		run, key, _ := strings.Cut(td.Name(), "__")
		if trial != "" && trial != td.Name() && trial != run && trial != key && trial != "trial-"+key {
			continue
		}
		matchedTrial = true
		dir := path.Join(root, td.Name())
		insts, err := os.ReadDir(st.Path(dir))
		if err != nil {
			return nil, err
		}
		for _, id := range insts {
			if !id.IsDir() || strings.HasPrefix(id.Name(), ".") {
				continue
			}
			var r workflows.InstanceRecord
			ok, err := st.ReadJSON(store.RecordFile(store.InstanceDir(dir, id.Name())), &r)
			if err != nil {
				return nil, fmt.Errorf("trial %s: %w", run, err)
			}
			if !ok || r.InstanceID != id.Name() {
				continue
			}
			seen[r.InstanceID] = true
			if (len(ids) > 0 && !slices.Contains(ids, r.InstanceID)) || !wantStatus(r) {
				continue
			}
			picks = append(picks, retryPick{trialDir: dir, trial: run, rec: r})
		}
	}
	if trial != "" && !matchedTrial {
		return nil, fmt.Errorf("sweep %q has no trial %q (give a run name, directory or hash from `starter status %s`)", name, trial, name)
	}
	for _, id := range ids {
		if !seen[id] {
			return nil, fmt.Errorf("sweep %q: instance %q has no record (not run yet? `starter resume %s` runs what is missing)", name, id, name)
		}
	}
	return picks, nil
}

func printRetryPlan(picks []retryPick, statuses []string) {
	if len(picks) == 0 {
		what := strings.Join(defaultRetryStatuses, ", ") + " or retryable"
		if len(statuses) > 0 {
			what = strings.Join(statuses, ", ")
		}
		fmt.Printf("Nothing to retry: no instance ended %s.\n", what)
		return
	}
	by := map[string][]string{}
	var trials []string
	for _, p := range picks {
		if _, ok := by[p.trial]; !ok {
			trials = append(trials, p.trial)
		}
		line := p.rec.InstanceID + " (" + p.rec.ExitStatus
		if p.rec.Error != "" {
			line += ": " + firstLine(p.rec.Error)
		}
		by[p.trial] = append(by[p.trial], line+")")
	}
	sort.Strings(trials)
	fmt.Printf("Retrying %d instances as new attempts (earlier attempts are kept):\n", len(picks))
	for _, t := range trials {
		fmt.Printf("  trial %s:\n", t)
		for _, l := range by[t] {
			fmt.Printf("    %s\n", l)
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// retryInput is the input of the sweep to restart: from its workflow
// history, or the copy in the data directory once the history is gone
// (retention). A running sweep is not retried.
func retryInput(ctx context.Context, e *engine.Engine, dataDir, name string) (workflows.SweepInput, error) {
	id := workflows.SweepID(name)
	desc, err := e.Client.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &nf):
		return savedInput(dataDir, name)
	case err != nil:
		return workflows.SweepInput{}, fmt.Errorf("sweep %q: %w", name, err)
	case desc.WorkflowExecutionInfo.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return workflows.SweepInput{}, fmt.Errorf("sweep %q is still running: wait for it to end, or `starter cancel %s` first", name, name)
	}
	in, err := originalInput(ctx, e, id)
	if err != nil {
		return savedInput(dataDir, name)
	}
	return in, nil
}

// archiveAttempt moves an instance's directory to the trial's attempts
// and reopens its W&B row for the new attempt; it returns the attempt's
// number.
func archiveAttempt(dataDir string, p retryPick) (int, error) {
	st := store.Store{Root: dataDir}
	dir := st.Path(path.Join(p.trialDir, attemptsDir, p.rec.InstanceID))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	old, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := len(old) + 1
	if err := os.Rename(st.Path(store.InstanceDir(p.trialDir, p.rec.InstanceID)), filepath.Join(dir, strconv.Itoa(n))); err != nil {
		return 0, fmt.Errorf("instance %s: keeping its attempt: %w", p.rec.InstanceID, err)
	}
	return n, reopenWandb(st, p)
}

// reopenWandb takes a retried instance out of the trial's W&B ledger (see
// activities.WandbLogInstance): its new attempt is logged as new rows after
// the existing ones, and the run's summary and table are written again.
func reopenWandb(st store.Store, p retryPick) error {
	file := path.Join(p.trialDir, "wandb", "ledger.json")
	var led map[string]json.RawMessage
	ok, err := st.ReadJSON(file, &led)
	if err != nil || !ok {
		return err
	}
	var done []map[string]any
	if err := json.Unmarshal(led["done"], &done); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	done = slices.DeleteFunc(done, func(m map[string]any) bool { return m["instance_id"] == p.rec.InstanceID })
	led["done"], _ = json.Marshal(done)
	led["finished"] = json.RawMessage("false")
	return st.WriteJSON(file, led)
}

// inputFile is where `starter` keeps a sweep's input in the data
// directory, so that resume and retry work after Temporal has deleted the
// sweep's history (retention).
func inputFile(name string) string { return path.Join("sweeps", name, "input.json") }

func saveInput(dataDir string, in workflows.SweepInput) error {
	return store.Store{Root: dataDir}.WriteJSON(inputFile(in.Name), in)
}

func savedInput(dataDir, name string) (workflows.SweepInput, error) {
	var in workflows.SweepInput
	ok, err := store.Store{Root: dataDir}.ReadJSON(inputFile(name), &in)
	if err == nil && !ok {
		err = fmt.Errorf("Temporal has no sweep %q and %s has no copy of its input (was it started from another data directory?)", name, dataDir)
	}
	return in, err
}
