package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/evaluate"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workflows"
)

type sweepFlags struct {
	name     string
	parallel int
	flags    sweep.CommandFlags
	detach   bool
	tuning   workflows.Tuning
	seed     int64
	budget   float64
	dryRun   bool
	asJSON   bool
	// skipPreflight is --skip-preflight (see preflight).
	skipPreflight bool
	// agentFile is --agent-config, seedDir --seed-configs, toolsDir
	// --tools-dir; agentCfg (one file) or seedCfgs (per strategy) are the
	// configurations once stored in the data directory (f.tuning refers
	// to them). See loadAgent.
	agentFile, seedDir, toolsDir string
	agentLoaded                  bool
	agentCfg                     *agent.Config
	seedCfgs                     map[string]seedChoice
	// harness is --harness ("" = the sweep file's harness key, else v4.1).
	harness string
}

func (f *sweepFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.name, "name", "", "sweep name (default: the file name without extension)")
	cmd.Flags().IntVar(&f.parallel, "parallel-trials", 2, "trials run at the same time")
	cmd.Flags().BoolVar(&f.flags.Wandb, "wandb", false, "log to Weights & Biases (overrides the sweep file's command)")
	cmd.Flags().StringVar(&f.flags.WandbProject, "wandb-project", "", "W&B project (overrides the sweep file's command)")
	cmd.Flags().StringVar(&f.flags.WandbEntity, "wandb-entity", "", "W&B entity (overrides the sweep file's command; default $WANDB_ENTITY)")
	cmd.Flags().StringVar(&f.flags.WandbGroup, "wandb-group", "", "W&B group of every trial's run")
	cmd.Flags().StringVar(&f.flags.WandbTags, "wandb-tags", "", "W&B tags, comma-separated, put before the generated ones")
	cmd.Flags().BoolVar(&f.detach, "detach", false, "start (or attach) and return at once; needs workers elsewhere")
	cmd.Flags().DurationVar(&f.tuning.HeartbeatTimeout, "heartbeat-timeout", 20*time.Second, "how soon a dead worker's instances move to another worker")
	cmd.Flags().Int64Var(&f.seed, "seed", 0, "seed of the random and bayes controllers (0: derived from the sweep name)")
	cmd.Flags().Float64Var(&f.budget, "budget-usd", 0, "stop starting trials and instances at this total cost in USD (overrides the file's budget_usd)")
	cmd.Flags().StringVar(&f.agentFile, "agent-config", "", "agent configuration file, ours or a seed SWE-agent config (default: the built-in config/agent.yaml)")
	cmd.Flags().StringVar(&f.seedDir, "seed-configs", "", "the seed repository (or its config/ directory): each trial runs the config run_sweep.py picks for its strategy")
	cmd.Flags().StringVar(&f.toolsDir, "tools-dir", "", "where a seed config's tool bundles are (default: the config's repository)")
	bindLongRun(cmd, f)
	bindHarness(cmd, f)
}

// bindLongRun adds the flags of long unattended runs (sweep and run).
func bindLongRun(cmd *cobra.Command, f *sweepFlags) {
	cmd.Flags().BoolVar(&f.skipPreflight, "skip-preflight", false, "start without checking first that every model's credentials work (offline planning, keys only on remote workers)")
	cmd.Flags().DurationVar(&f.tuning.APIGiveUp, "api-give-up", workflows.DefaultAPIGiveUp, "how long a model call may keep failing on a provider outage or rate limit before the instance ends exit_api")
	cmd.Flags().DurationVar(&f.tuning.CredentialWait, "credential-wait", workflows.DefaultCredentialWait, "how long model calls wait for credentials that may heal (expired session token, credentials endpoint down) before the instance ends exit_api")
}

// bindHarness adds --harness, the SWE-bench grading rules.
func bindHarness(cmd *cobra.Command, f *sweepFlags) {
	cmd.Flags().StringVar(&f.harness, "harness", "", "SWE-bench grading rules: v4.1 (default; the leaderboard's and the paper's) or v5 (overrides the sweep file's harness key)")
}

// resolveHarness sets the trials' grading rules from --harness, else the
// sweep file's harness key, else the default.
func (f *sweepFlags) resolveHarness(spec *sweep.Spec) error {
	name, where := f.harness, "--harness"
	if name == "" {
		name, where = spec.Harness, spec.File+": key \"harness\""
	}
	h, err := evaluate.ParseHarness(name)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	f.tuning.Harness = string(h)
	return nil
}

func sweepCmd(g *globals) *cobra.Command {
	f := &sweepFlags{}
	cmd := &cobra.Command{
		Use:   "sweep FILE",
		Short: "Run a W&B-format sweep file, or attach to it if it is already running",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case f.parallel <= 0:
				return fmt.Errorf("--parallel-trials must be at least 1, got %d", f.parallel)
			case f.tuning.HeartbeatTimeout < time.Second:
				return fmt.Errorf("--heartbeat-timeout must be at least 1s, got %s (it bounds how long a dead worker's instances wait before moving)", f.tuning.HeartbeatTimeout)
			}
			data, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			if f.dryRun {
				// Planning is quick, but a Ctrl-C or SIGTERM must stop it
				// whatever the sweep.
				done := make(chan error, 1)
				go func() { done <- dryRun(cmd.OutOrStdout(), g, args[0], data, f) }()
				select {
				case err := <-done:
					return err
				case <-cmd.Context().Done():
					return fmt.Errorf("dry run interrupted")
				}
			}
			if f.asJSON {
				return fmt.Errorf("--json goes with --dry-run")
			}
			in, err := planSweep(g, args[0], data, f)
			if err != nil {
				return err
			}
			return launch(cmd.Context(), g, in, f.detach)
		},
	}
	bindBreaker(cmd)
	f.bind(cmd)
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print the distinct trials (or the search space) and an estimated cost; start nothing")
	cmd.Flags().BoolVar(&f.asJSON, "json", false, "with --dry-run: print a JSON array, one object per distinct trial")
	return cmd
}

// planSweep parses and checks a sweep completely before anything starts.
func planSweep(g *globals, file string, data []byte, f *sweepFlags) (workflows.SweepInput, error) {
	if err := checkBreaker(); err != nil {
		return workflows.SweepInput{}, err
	}
	f.tuning.StopAfterConfigErrors = breakerLimit
	spec, presets, refs, err := checkSweep(g, file, data, f)
	if err != nil {
		return workflows.SweepInput{}, err
	}
	if err := f.loadAgent(g, spec); err != nil {
		return workflows.SweepInput{}, err
	}
	fmt.Println(f.promptsLine()) // the first line: which prompts the trials use
	for _, r := range refs {
		if c, ref := f.agentFor(r.Config.Strategy); c != nil {
			if err := config.CheckTrialAgent(*c, ref, r.Config, r.Strategy); err != nil {
				return workflows.SweepInput{}, fmt.Errorf("trial %s: %w", r.RunName, err)
			}
		}
	}
	if !f.skipPreflight {
		if err := preflight(context.Background(), presets, sweepModels(spec, refs)); err != nil {
			return workflows.SweepInput{}, err
		}
	}
	if unpriced := unpricedModels(spec, presets); len(unpriced) > 0 {
		fmt.Fprintf(os.Stderr, "warning: no price for %s: their calls count as $0, so cost-limit (and any budget) cannot stop them; call-limit still applies\n", strings.Join(unpriced, ", "))
	}
	for _, w := range unverifiedPrices(spec, presets) {
		fmt.Fprintf(os.Stderr, "warning: unverified price, costs may be off (set price in --models-file to fix) — %s\n", w)
	}
	if len(g.modelsFile) > 0 {
		// The presets travel with the sweep: workers need no --models-file.
		ref, err := activities.StoreModels(g.dataDir, g.modelsFile, presets)
		if err != nil {
			return workflows.SweepInput{}, err
		}
		f.tuning.Models = &ref
	}
	return workflows.SweepInput{Name: spec.Name, File: file, Source: string(data), Flags: f.flags, Parallel: f.parallel,
		Tuning: f.tuning, Seed: f.seed, BudgetUSD: f.budget}, nil
}

// checkSweep parses a sweep with the command's overrides and checks it: the
// grid's trials, or a random or bayes sweep's space, the metric and
// hyperband brackets, and that every model is a known preset.
func checkSweep(g *globals, file string, data []byte, f *sweepFlags) (*sweep.Spec, llm.Presets, []workflows.TrialRef, error) {
	spec, err := sweep.Parse(file, data)
	if err != nil {
		return nil, nil, nil, err
	}
	if f.name != "" {
		spec.Name = f.name
	}
	if err := f.resolveHarness(spec); err != nil {
		return nil, nil, nil, err
	}
	if err := sweep.ValidateName(spec.Name); err != nil {
		return nil, nil, nil, err
	}
	switch {
	case f.budget < 0 || math.IsNaN(f.budget) || math.IsInf(f.budget, 0):
		return nil, nil, nil, fmt.Errorf("--budget-usd must be a positive number of US dollars, got %v", f.budget)
	case f.budget > 0:
		spec.BudgetUSD = f.budget
	}
	presets, err := llm.LoadPresets(config.Models, g.modelsFile...)
	if err != nil {
		return nil, nil, nil, err
	}
	refs, err := workflows.PlanTrials(spec, f.flags, workflows.Tuning{})
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := sweep.NewController(spec, f.seed); err != nil {
		return nil, nil, nil, err
	}
	known := func(m string) bool { _, ok := presets[m]; return ok }
	for _, r := range refs {
		if err := r.Config.Validate(known); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: trial %s: %w", file, r.RunName, err)
		}
	}
	for i := range spec.Parameters {
		p := &spec.Parameters[i]
		if spec.Method == "grid" {
			break // every grid trial was checked above
		}
		choices, _ := p.Choices()
		for _, v := range choices {
			if name, ok := v.(string); ok && (p.Name == "model" || (p.Name == "summarizer-model" && name != sweep.SummarizerSame)) && !known(name) {
				return nil, nil, nil, &sweep.Error{File: file, Line: p.Line, Column: p.Column, Key: "parameters." + p.Name,
					Msg: fmt.Sprintf("%q is not a known model preset (see `starter models`)", name)}
			}
		}
	}
	return spec, presets, refs, nil
}

// unpricedModels lists the models of a sweep that have no price.
func unpricedModels(spec *sweep.Spec, presets llm.Presets) []string {
	return sweepPresets(spec, presets, func(p llm.Preset) bool { return !p.Priced() })
}

// unverifiedPrices lists "preset: why" for the sweep's presets whose price
// is marked unverified.
func unverifiedPrices(spec *sweep.Spec, presets llm.Presets) []string {
	var out []string
	for _, name := range sweepPresets(spec, presets, func(p llm.Preset) bool { return p.Price != nil && p.Price.Unverified != "" }) {
		out = append(out, name+": "+presets[name].Price.Unverified)
	}
	return out
}

// sweepPresets lists, once each, the model and summarizer presets of the
// sweep for which keep is true.
func sweepPresets(spec *sweep.Spec, presets llm.Presets, keep func(llm.Preset) bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range spec.Parameters {
		if p.Name != "model" && p.Name != "summarizer-model" {
			continue
		}
		choices, _ := p.Choices()
		for _, v := range choices {
			name, _ := v.(string)
			if pr, ok := presets[name]; ok && keep(pr) && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

func specHash(in workflows.SweepInput) string {
	key := in.Source + "\x00" + fmt.Sprintf("%+v", in.Flags)
	if in.Seed != 0 || in.BudgetUSD != 0 {
		key += fmt.Sprintf("\x00seed=%d budget=%v", in.Seed, in.BudgetUSD)
	}
	if in.Tuning.Agent != nil {
		key += "\x00agent=" + in.Tuning.Agent.Hash
	}
	for _, s := range sortedKeys(in.Tuning.AgentByStrategy) {
		key += "\x00agent." + s + "=" + in.Tuning.AgentByStrategy[s].Hash
	}
	if h := evaluate.Harness(in.Tuning.Harness); h.Or() != evaluate.DefaultHarness {
		key += "\x00harness=" + string(h)
	}
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:8])
}

// launch starts the sweep workflow, or attaches to the running one, and
// follows it until it ends.
func launch(ctx context.Context, g *globals, in workflows.SweepInput, detach bool) error {
	e, err := g.connect(ctx, engine.WorkerIfEmbedded, "starter")
	if err != nil {
		return err
	}
	defer e.Close()
	banner(e, g)
	if !detach {
		if url := serveUI(ctx, e, g); url != "" {
			fmt.Printf("Sweep UI: %s (while this runs; `starter ui` any time)\n", url)
		}
	}
	id := workflows.SweepID(in.Name)
	hash := specHash(in)
	desc, err := e.Client.DescribeWorkflowExecution(ctx, id, "")
	var nf *serviceerror.NotFound
	switch {
	case err != nil && !asNotFound(err, &nf):
		return fmt.Errorf("looking up sweep %s: %w", in.Name, err)
	case err == nil:
		info := desc.WorkflowExecutionInfo
		var old string
		if p, ok := info.GetMemo().GetFields()["spec_hash"]; ok {
			_ = converter.GetDefaultDataConverter().FromPayload(p, &old)
		}
		switch info.Status {
		case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
			if old != "" && old != hash {
				return fmt.Errorf("sweep %q is already running from a different version of %s; use --name to run this one under another name, or `starter cancel %s` first", in.Name, in.File, in.Name)
			}
			fmt.Printf("Sweep %s is already running: attaching.\n", in.Name)
			return follow(ctx, e, id, detach)
		case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
			if old == hash || old == "" {
				fmt.Printf("Sweep %s has already completed; its results:\n", in.Name)
				return follow(ctx, e, id, false)
			}
		case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
			return fmt.Errorf("sweep %q was cancelled; `starter resume %s` continues it (finished instances are kept)", in.Name, in.Name)
		}
	}
	return start(ctx, e, in, hash, detach)
}

func asNotFound(err error, nf **serviceerror.NotFound) bool {
	e, ok := err.(*serviceerror.NotFound)
	if ok {
		*nf = e
	}
	return ok
}

func start(ctx context.Context, e *engine.Engine, in workflows.SweepInput, hash string, detach bool) error {
	id := workflows.SweepID(in.Name)
	if err := saveInput(e.DataDir(), in); err != nil {
		return fmt.Errorf("sweep %s: keeping its input in the data directory: %w", in.Name, err)
	}
	opts := client.StartWorkflowOptions{
		ID: id, TaskQueue: workflows.TaskQueue, StaticSummary: "sweep " + in.Name + " (" + in.File + ")",
		Memo:                     map[string]any{"spec_hash": hash, "file": in.File},
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
	// Trials and instances carry search attributes only where the
	// namespace has them (an unregistered one would fail their tasks).
	if missing, err := engine.MissingSearchAttributes(ctx, e.Client, e.Namespace()); err == nil && len(missing) == 0 {
		in.Tuning.SearchAttributes = true
		opts.TypedSearchAttributes = temporal.NewSearchAttributes(workflows.SASweep.ValueSet(in.Name))
	} else if err == nil {
		fmt.Fprintf(os.Stderr, "note: namespace %s lacks the search attributes %s: the Web UI cannot filter this sweep's workflows by them. Register them with:\n%s",
			e.Namespace(), strings.Join(missing, ", "), engine.SearchAttributeCommands(e.Namespace()))
	}
	_, err := e.Client.ExecuteWorkflow(ctx, opts, workflows.SweepWorkflow, in)
	if err != nil {
		return fmt.Errorf("starting sweep %s: %w", in.Name, err)
	}
	fmt.Printf("Sweep %s started (workflow %s).\n", in.Name, id)
	return follow(ctx, e, id, detach)
}

func banner(e *engine.Engine, g *globals) {
	switch {
	case e.Server != nil:
		fmt.Printf("Embedded Temporal server at %s (data: %s)\n", e.Address, g.dataDir)
	case e.Attached:
		fmt.Printf("Using the Temporal server of another process on %s at %s\n", g.dataDir, e.Address)
	default:
		fmt.Printf("Temporal at %s (namespace %s)\n", e.Address, g.namespace)
	}
	if e.UIURL != "" {
		fmt.Printf("Temporal Web UI: %s\n", e.UIURL)
	}
}
