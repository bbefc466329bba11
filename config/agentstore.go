package config

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
)

// How an agent configuration given with --agent-config reaches the
// workers: the starter parses the file (our format or the seed's), stores
// the parsed configuration once in the data directory under its content
// hash (AgentFile), and the trial carries only an agent.ConfigRef (hash,
// file name, limits: a few hundred bytes, in every activity input). Each
// worker loads the configuration by hash from the shared data directory
// and checks the hash, so every worker of a trial runs exactly the same
// configuration, whatever its own built-in one. Trials without a ref run
// the worker's built-in configuration (config/agent.yaml).

// AgentFile is where a configuration is stored, relative to the data
// directory.
func AgentFile(hash string) string { return "agent-configs/" + hash + ".json" }

// StoredAgent is the content of an AgentFile.
type StoredAgent struct {
	// File is the path the configuration was read from.
	File   string       `json:"file"`
	Config agent.Config `json:"config"`
}

// LoadAgentFile reads and parses an agent configuration file (the tool
// bundles of a seed configuration from its repository, see
// LoadAgentFileTools).
func LoadAgentFile(file string) (agent.Config, error) {
	return LoadAgentFileTools(file, "")
}

// StoreAgentFile parses an agent configuration file, stores it in the data
// directory (once per content) and returns the reference trials carry.
func StoreAgentFile(dataDir, file string) (agent.ConfigRef, agent.Config, error) {
	c, err := LoadAgentFile(file)
	if err != nil {
		return agent.ConfigRef{}, c, err
	}
	ref, err := StoreAgent(dataDir, file, c)
	return ref, c, err
}

// StoreAgent stores a parsed configuration (read from file) in the data
// directory, once per content, and returns the reference trials carry.
func StoreAgent(dataDir, file string, c agent.Config) (agent.ConfigRef, error) {
	if abs, err := filepath.Abs(file); err == nil {
		file = abs
	}
	ref := agent.ConfigRef{Hash: c.Hash(), File: file, Limits: c.Limits}
	st := store.Store{Root: dataDir}
	if !st.Exists(AgentFile(ref.Hash)) {
		if err := st.WriteJSON(AgentFile(ref.Hash), StoredAgent{File: file, Config: c}); err != nil {
			return ref, err
		}
	}
	return ref, nil
}

var loaded sync.Map // store root + hash -> agent.Config

// LoadStoredAgent returns the configuration a trial refers to, from the
// data directory of st. A missing or altered file is an error that says
// what to do.
func LoadStoredAgent(st store.Store, ref agent.ConfigRef) (agent.Config, error) {
	key := st.Root + "\x00" + ref.Hash
	if c, ok := loaded.Load(key); ok {
		return c.(agent.Config), nil
	}
	var s StoredAgent
	ok, err := st.ReadJSON(AgentFile(ref.Hash), &s)
	switch {
	case err != nil:
		return agent.Config{}, err
	case !ok:
		return agent.Config{}, fmt.Errorf("agent configuration %s (from %s) is not in %s: workers must share the starter's data directory",
			ref.Hash, ref.File, st.Path(AgentFile(ref.Hash)))
	case s.Config.Hash() != ref.Hash:
		return agent.Config{}, fmt.Errorf("agent configuration %s was altered (its content hashes to %s)", st.Path(AgentFile(ref.Hash)), s.Config.Hash())
	}
	loaded.Store(key, s.Config)
	return s.Config, nil
}

// CheckStrategy reports an error when a configuration's history
// processors disagree with a trial's strategy parameters. A configuration
// without history_processors agrees with every strategy. Unset processor
// parameters take the seed's code defaults (§2.3, §2.4.1), not the paper's
// values.
func CheckStrategy(c agent.Config, p strategy.Params) error {
	if p.Summarizes() && strings.TrimSpace(c.Templates.SummarySystem) == "" {
		key := "templates.summary_system_template"
		if c.Seed {
			key = "agent." + key
		}
		return fmt.Errorf("strategy %s needs a summary system prompt, and the agent configuration has no %s: "+
			"add one, or use the seed's summary config for this strategy (--seed-configs)", p.Strategy, key)
	}
	if c.HistoryProcessors == nil {
		return nil
	}
	name, err := agent.ProcessorStrategy(c.HistoryProcessors)
	if err != nil {
		return err
	}
	var diffs []string
	differ := func(what string, cfg, trial any) {
		if fmt.Sprint(cfg) != fmt.Sprint(trial) {
			diffs = append(diffs, fmt.Sprintf("%s %v (trial: %v)", what, cfg, trial))
		}
	}
	differ("strategy", name, p.Strategy)
	if m, ok := agent.Processor(c.HistoryProcessors, agent.ProcLastNObservations); ok && p.Masks() {
		differ("last_n_observations.n", *m.N, p.ObsN)
		differ("last_n_observations.polling", or(m.Polling, 1), p.Polling)
	}
	if s, ok := agent.Processor(c.HistoryProcessors, agent.ProcSummarize); ok && p.Summarizes() {
		differ("summarize_every_n_turns.n", *s.N, p.SumN)
		differ("keep_last_m_turns", or(s.KeepLastMTurns, 0), p.SumKeepM)
		differ("enable_static_checkpointing", or(s.StaticCheckpointing, false), p.StaticCheckpoint)
		differ("extract_action_from_turns", or(s.ExtractActionFromTurns, false), p.ExtractActions)
		differ("max_kept_action_length", or(s.MaxKeptActionLength, -1), p.MaxActionLength)
		differ("max_kept_reasoning_length", or(s.MaxKeptReasoningLength, -1), p.MaxReasoningLength)
		differ("omit_turns", or(s.OmitTurns, false), p.OmitTurns)
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("the agent configuration's history_processors disagree with the trial: %s. The sweep's strategy and hp-* "+
		"parameters choose the context management; make them agree, or remove history_processors from the configuration",
		strings.Join(diffs, "; "))
}

func or[T any](p *T, def T) T {
	if p != nil {
		return *p
	}
	return def
}
