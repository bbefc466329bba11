package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// SeedStrategyFiles are the configuration files the seed's run_sweep.py
// picks per strategy (its STRATEGY_CONFIGS, seed-system §0), in the seed
// repository's config/ directory. observation_masking_cached (ours) runs on
// the observation_masking file.
var SeedStrategyFiles = map[string]string{
	strategy.Raw:                      "default_no_demo_raw.yaml",
	strategy.ObservationMasking:       "default_no_demo_N=1_M=10.yaml",
	strategy.LLMSummary:               "default_no_demo_checkpoint_same_model_openhands_N=21_M=10.yaml",
	strategy.Hybrid:                   "default_no_demo_checkpoint_same_model_openhands_N=21_M=10_masking_M=10.yaml",
	strategy.ObservationMaskingCached: "default_no_demo_N=1_M=10.yaml",
}

// BuiltinPromptsNote is the first line a sweep prints when it runs on the
// built-in agent configuration.
const BuiltinPromptsNote = "Prompts: built-in prompts — not the paper's (config/agent.yaml; " +
	"--seed-configs DIR uses the seed's configs per strategy, --agent-config FILE one file)"

// LoadAgentFileTools reads an agent configuration file; the tool bundles a
// seed configuration names are read from toolsDir when given, else from
// the configuration's repository (the directories above the file).
func LoadAgentFileTools(file, toolsDir string) (agent.Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return agent.Config{}, fmt.Errorf("agent configuration: %w", err)
	}
	return agent.ParseConfigWith(file, data, BundleReader(file, toolsDir))
}

// BundleReader finds the seed bundles named by the configuration file
// (paths such as tools/search, relative to the seed repository's root as
// SWE-agent resolves them): under toolsDir (as DIR/tools/search or
// DIR/search) when given, else in the file's directory and each one above
// it (the seed keeps its configs in config/, next to tools/).
func BundleReader(file, toolsDir string) agent.BundleReader {
	return func(path string) (agent.BundleFile, bool, error) {
		var dirs []string
		switch {
		case filepath.IsAbs(path):
			dirs = []string{path}
		case toolsDir != "":
			dirs = []string{filepath.Join(toolsDir, path), filepath.Join(toolsDir, filepath.Base(path))}
		default:
			abs, err := filepath.Abs(filepath.Dir(file))
			if err != nil {
				return agent.BundleFile{}, false, err
			}
			for d := abs; ; d = filepath.Dir(d) {
				dirs = append(dirs, filepath.Join(d, path))
				if filepath.Dir(d) == d {
					break
				}
			}
		}
		for _, d := range dirs {
			f := filepath.Join(d, "config.yaml")
			data, err := os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				return agent.BundleFile{}, false, err
			}
			return agent.BundleFile{Path: path, File: f, Data: data}, true, nil
		}
		if toolsDir != "" {
			return agent.BundleFile{}, false, fmt.Errorf("no %s/config.yaml under --tools-dir %s", path, toolsDir)
		}
		return agent.BundleFile{}, false, nil
	}
}

// SeedConfigFile is the seed configuration file run_sweep.py picks for a
// strategy, in dir: the seed repository (holding config/) or its config/
// directory itself.
func SeedConfigFile(dir, strat string) (string, error) {
	name, ok := SeedStrategyFiles[strat]
	if !ok {
		return "", fmt.Errorf("no seed configuration for strategy %q", strat)
	}
	for _, d := range []string{filepath.Join(dir, "config"), dir} {
		f := filepath.Join(d, name)
		if _, err := os.Stat(f); err == nil {
			return f, nil
		}
	}
	return "", fmt.Errorf("--seed-configs %s: no %s (the seed's config for %s) in %s or %s/config", dir, name, strat, dir, dir)
}

// LoadSeedConfig reads the seed configuration for a strategy from dir. For
// observation_masking_cached (ours, no seed file) the observation_masking
// file is used without its history_processors.
func LoadSeedConfig(dir, toolsDir, strat string) (string, agent.Config, error) {
	file, err := SeedConfigFile(dir, strat)
	if err != nil {
		return "", agent.Config{}, err
	}
	c, err := LoadAgentFileTools(file, toolsDir)
	if err != nil {
		return file, c, err
	}
	if strat == strategy.ObservationMaskingCached {
		c.HistoryProcessors = nil
		c.Notes = append(c.Notes, "observation_masking_cached has no seed config: it runs on the observation_masking file's prompts and tools")
	}
	return file, c, nil
}

// RewriteProcessors is run_sweep.py's generate_custom_config (seed-system
// §6.2): every last_n_observations processor gets n from --hp-obs-n and
// every summarize_every_n_turns processor the --hp-sum-* values that are
// given. A configuration without history processors (raw) is unchanged.
// procs is not modified.
func RewriteProcessors(procs []agent.HistoryProcessor, c sweep.RunConfig) []agent.HistoryProcessor {
	if procs == nil {
		return nil
	}
	out := make([]agent.HistoryProcessor, len(procs))
	copy(out, procs)
	for i := range out {
		p := &out[i]
		switch p.Type {
		case agent.ProcLastNObservations:
			set(&p.N, c.HpObsN)
		case agent.ProcSummarize:
			set(&p.N, c.HpSumN)
			set(&p.KeepLastMTurns, c.HpSumKeepM)
			set(&p.StaticCheckpointing, c.HpSumStaticCheckpoint)
			set(&p.ExtractActionFromTurns, c.HpSumExtractActions)
			set(&p.MaxKeptActionLength, c.HpSumMaxActionLength)
			set(&p.MaxKeptReasoningLength, c.HpSumMaxReasoningLength)
			set(&p.OmitTurns, c.HpSumOmitTurns)
		}
	}
	return out
}

func set[T any](dst **T, v *T) {
	if v != nil {
		x := *v
		*dst = &x
	}
}

// TrialAgent is the configuration a trial runs: c, with its history
// processors rewritten from the trial's hp-* parameters when the reference
// says so (a configuration chosen by --seed-configs, as run_sweep.py
// rewrites its files).
func TrialAgent(c agent.Config, ref *agent.ConfigRef, trial sweep.RunConfig) agent.Config {
	if ref != nil && ref.HPRewrite {
		c.HistoryProcessors = RewriteProcessors(c.HistoryProcessors, trial)
	}
	return c
}

// CheckTrialAgent checks the configuration a trial runs (TrialAgent)
// against the trial's strategy parameters (CheckStrategy), naming the file.
func CheckTrialAgent(c agent.Config, ref *agent.ConfigRef, trial sweep.RunConfig, p strategy.Params) error {
	err := CheckStrategy(TrialAgent(c, ref, trial), p)
	if err != nil && ref != nil && ref.File != "" && !strings.HasPrefix(err.Error(), ref.File) {
		err = fmt.Errorf("%s: %w", ref.File, err)
	}
	return err
}
