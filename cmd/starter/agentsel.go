package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// seedChoice is the seed configuration picked for one strategy.
type seedChoice struct {
	file string
	cfg  agent.Config
	ref  *agent.ConfigRef
}

// loadAgent decides the agent configuration of the sweep's trials: one
// file (--agent-config, or --agent-config=FILE in the sweep file's
// command), the seed's per strategy (--seed-configs, or
// --seed-configs=DIR in the command; paths in the file are relative to
// it), or the built-in one. Chosen configurations are stored in the data
// directory (once each) and every trial carries a reference to its own
// (see config.StoreAgentFile).
func (f *sweepFlags) loadAgent(g *globals, spec *sweep.Spec) error {
	if f.agentLoaded {
		return nil
	}
	f.agentLoaded = true
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) || spec.File == "" {
			return p
		}
		return filepath.Join(filepath.Dir(spec.File), p)
	}
	if f.agentFile == "" && f.seedDir == "" {
		f.agentFile, f.seedDir = rel(spec.Agent.ConfigFile), rel(spec.Agent.SeedDir)
	}
	if f.toolsDir == "" {
		f.toolsDir = rel(spec.Agent.ToolsDir)
	}
	switch {
	case f.agentFile != "" && f.seedDir != "":
		return fmt.Errorf("give --agent-config or --seed-configs, not both (the seed's configs are one per strategy)")
	case f.agentFile != "":
		c, err := config.LoadAgentFileTools(f.agentFile, f.toolsDir)
		if err != nil {
			return err
		}
		ref, err := config.StoreAgent(g.dataDir, f.agentFile, c)
		if err != nil {
			return err
		}
		f.agentCfg, f.tuning.Agent = &c, &ref
		for _, n := range c.Notes {
			fmt.Fprintf(os.Stderr, "note: %s: %s\n", f.agentFile, n)
		}
	case f.seedDir != "":
		f.seedCfgs = map[string]seedChoice{}
		f.tuning.AgentByStrategy = map[string]*agent.ConfigRef{}
		var noted []string
		for _, s := range sweepStrategies(spec) {
			file, c, err := config.LoadSeedConfig(f.seedDir, f.toolsDir, s)
			if err != nil {
				return err
			}
			ref, err := config.StoreAgent(g.dataDir, file, c)
			if err != nil {
				return err
			}
			ref.HPRewrite = true
			f.seedCfgs[s] = seedChoice{file: ref.File, cfg: c, ref: &ref}
			f.tuning.AgentByStrategy[s] = &ref
			for _, n := range c.Notes {
				if !slices.Contains(noted, n) {
					noted = append(noted, n)
					fmt.Fprintf(os.Stderr, "note: %s: %s\n", f.seedDir, n)
				}
			}
		}
	}
	return nil
}

// sweepStrategies are the strategies a sweep's trials can have.
func sweepStrategies(spec *sweep.Spec) []string {
	for i := range spec.Parameters {
		if p := &spec.Parameters[i]; p.Name == "strategy" {
			var out []string
			choices, _ := p.Choices()
			for _, v := range choices {
				if s, ok := v.(string); ok && !slices.Contains(out, s) {
					out = append(out, s)
				}
			}
			return out
		}
	}
	return []string{sweep.DefaultRunConfig().Strategy}
}

// agentFor is the configuration a trial of the strategy runs and its
// reference; nil for the built-in one.
func (f *sweepFlags) agentFor(strategy string) (*agent.Config, *agent.ConfigRef) {
	if f.seedCfgs != nil {
		if s, ok := f.seedCfgs[strategy]; ok {
			return &s.cfg, s.ref
		}
		return nil, nil
	}
	return f.agentCfg, f.tuning.Agent
}

// promptsLine says which prompts the trials use: a sweep's first line.
func (f *sweepFlags) promptsLine() string {
	switch {
	case f.seedCfgs != nil:
		var parts []string
		for _, s := range sortedKeys(f.seedCfgs) {
			parts = append(parts, s+" → "+filepath.Base(f.seedCfgs[s].file))
		}
		return fmt.Sprintf("Prompts: the seed's configs from %s, per strategy as run_sweep.py picks them (%s)", f.seedDir, strings.Join(parts, ", "))
	case f.agentCfg != nil:
		return fmt.Sprintf("Prompts: %s (agent configuration %s)", f.agentFile, f.tuning.Agent.Hash)
	}
	return config.BuiltinPromptsNote
}

// trialAgent describes the configuration one trial runs, for dry runs.
type trialAgent struct {
	File string `json:"file"`
	Hash string `json:"hash"`
	// HistoryProcessors are the configuration's, rewritten from the
	// trial's hp-* parameters as run_sweep.py does (seed configs).
	HistoryProcessors []agent.HistoryProcessor `json:"history_processors"`
}

// agentOf is the configuration a trial runs, nil for the built-in one.
func (f *sweepFlags) agentOf(c sweep.RunConfig) *trialAgent {
	cfg, ref := f.agentFor(c.Strategy)
	if cfg == nil || ref == nil {
		return nil
	}
	return &trialAgent{File: ref.File, Hash: ref.Hash, HistoryProcessors: config.TrialAgent(*cfg, ref, c).HistoryProcessors}
}

// String is the dry run's line for the configuration.
func (a *trialAgent) String() string {
	if a.HistoryProcessors == nil {
		return fmt.Sprintf("%s (%s)", filepath.Base(a.File), a.Hash[:8])
	}
	var procs []string
	for _, p := range a.HistoryProcessors {
		procs = append(procs, processorText(p))
	}
	if len(procs) == 0 {
		procs = []string{"none"}
	}
	return fmt.Sprintf("%s (%s), history processors: %s", filepath.Base(a.File), a.Hash[:8], strings.Join(procs, " then "))
}

func processorText(p agent.HistoryProcessor) string {
	var kv []string
	add := func(k string, v any) {
		switch x := v.(type) {
		case *int:
			if x != nil {
				kv = append(kv, fmt.Sprintf("%s=%d", k, *x))
			}
		case *bool:
			if x != nil {
				kv = append(kv, fmt.Sprintf("%s=%v", k, *x))
			}
		}
	}
	add("n", p.N)
	add("polling", p.Polling)
	add("keep_last_m_turns", p.KeepLastMTurns)
	add("enable_static_checkpointing", p.StaticCheckpointing)
	add("extract_action_from_turns", p.ExtractActionFromTurns)
	add("max_kept_action_length", p.MaxKeptActionLength)
	add("max_kept_reasoning_length", p.MaxKeptReasoningLength)
	add("omit_turns", p.OmitTurns)
	return p.Type + " " + strings.Join(kv, " ")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
