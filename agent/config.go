package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config is an agent configuration: prompt templates, tool environment
// variables (WINDOW, OVERLAP), the tools offered, limits and the history
// processors. ParseConfig reads it from our YAML format (config/agent.yaml)
// or from a seed SWE-agent config file (top-level `agent:`, mapped by
// parseSeed).
type Config struct {
	Templates Templates         `yaml:"templates" json:"templates"`
	Env       map[string]string `yaml:"env" json:"env"`
	Tools     ToolSelection     `yaml:"tools" json:"tools"`
	Limits    ConfigLimits      `yaml:"limits" json:"limits"`
	// HistoryProcessors, when given (nil is "not given", empty is raw),
	// must agree with the trial's strategy:
	// the sweep's strategy and hp-* parameters choose the context
	// management, as run_sweep.py chooses the config file by strategy.
	HistoryProcessors []HistoryProcessor `yaml:"history_processors" json:"history_processors"`
	// ToolDefs are the tool definitions read from a seed configuration's
	// bundle files (ParseConfigWith), in bundle order, hidden tools
	// included; nil means our built-in definitions (ToolsFor).
	ToolDefs []Tool `yaml:"-" json:"tool_defs,omitempty"`
	// Seed is set for a seed SWE-agent configuration (error messages name
	// its keys under agent.).
	Seed bool `yaml:"-" json:"seed,omitempty"`
	// Notes are settings that were read but have no effect here; the
	// starter prints them.
	Notes []string `yaml:"-" json:"notes,omitempty"`
}

// ParseConfig reads an agent configuration in our format or the seed's
// (detected by a top-level `agent` key). Unknown keys are errors naming
// the file, the line and the key path.
func ParseConfig(file string, data []byte) (Config, error) {
	return ParseConfigWith(file, data, nil)
}

// BundleReader finds a tool bundle's config.yaml for the path a seed
// configuration names (e.g. tools/search); found is false when there is
// none.
type BundleReader func(path string) (f BundleFile, found bool, err error)

// ParseConfigWith is ParseConfig, reading the tool bundles a seed
// configuration names with read: their definitions become ToolDefs, so
// the model gets the bundles' texts exactly. With read nil, or when a
// bundle is not found, our built-in definitions stand in (with a note).
func ParseConfigWith(file string, data []byte, read BundleReader) (Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, fmt.Errorf("%s: %w", file, err)
	}
	doc := &root
	for doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return Config{}, fmt.Errorf("%s: an agent configuration is a YAML mapping", file)
	}
	var c Config
	var err error
	if mapValue(doc, "agent") != nil {
		c, err = parseSeed(doc)
		if err == nil && read != nil {
			err = c.readBundles(read)
		}
	} else {
		err = decodeStrict(doc, &c, "")
	}
	if err == nil {
		err = c.finish()
	}
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

// finish validates a decoded configuration and fills defaults.
func (c *Config) finish() error {
	if err := c.Templates.validate(); err != nil {
		return err
	}
	notes, err := c.Limits.validate()
	if err != nil {
		return err
	}
	c.Notes = append(c.Notes, notes...)
	c.Templates.MaxObservationSize = 100000
	if v := c.Limits.MaxObservationLength; v != nil && *v > 0 {
		c.Templates.MaxObservationSize = *v
	}
	if err := c.Tools.validate(c.ToolDefs); err != nil {
		return err
	}
	for i, p := range c.HistoryProcessors {
		if err := p.validate(i); err != nil {
			return err
		}
	}
	if _, err := ProcessorStrategy(c.HistoryProcessors); err != nil {
		return err
	}
	for _, k := range []string{"WINDOW", "OVERLAP"} {
		if v, ok := c.Env[k]; ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil || n < 0 || k == "WINDOW" && n == 0 {
				return fmt.Errorf("env.%s: %q is not a valid line count", k, v)
			}
		}
	}
	if w := WindowFromEnv(c.Env); c.Env["OVERLAP"] != "" && strconv.Itoa(w.Overlap) != strings.TrimSpace(c.Env["OVERLAP"]) {
		return fmt.Errorf("env.OVERLAP (%s) must be smaller than WINDOW (%d)", c.Env["OVERLAP"], w.Size)
	}
	return nil
}

// Window is the viewer geometry from WINDOW and OVERLAP.
func (c Config) Window() Window { return WindowFromEnv(c.Env) }

// ToolList is the tools offered to the model, in order: bash first (when
// enabled), then the bundles' tools, without the hidden ones. With ToolDefs
// (a seed configuration's bundle files) the definitions are the bundles'.
func (c Config) ToolList() []Tool {
	if c.ToolDefs == nil {
		return c.Tools.Select(c.Window())
	}
	var out []Tool
	if c.Tools.EnableBash == nil || *c.Tools.EnableBash {
		out = append(out, bashTool())
	}
	for _, t := range c.ToolDefs {
		if !slices.Contains(c.Tools.Hidden, t.Name) {
			out = append(out, t)
		}
	}
	return out
}

// readBundles reads the bundles of a seed configuration. If one is missing
// the built-in definitions stay, with a note saying so.
func (c *Config) readBundles(read BundleReader) error {
	var defs []Tool
	var missing []string
	for _, b := range c.Tools.bundles() {
		f, found, err := read(b)
		if err != nil {
			return fmt.Errorf("agent.tools.bundles: %s: %w", b, err)
		}
		if !found {
			missing = append(missing, b)
			continue
		}
		tools, err := ParseBundle(f.File, f.Data)
		if err != nil {
			return fmt.Errorf("agent.tools.bundles: %w", err)
		}
		defs = append(defs, tools...)
	}
	if len(missing) > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("tool bundles %s not found (looked next to the configuration's repository, "+
			"or give --tools-dir): the tools are described with our built-in wording, not the bundles'", strings.Join(missing, ", ")))
		return nil
	}
	if defs == nil {
		defs = []Tool{}
	}
	c.ToolDefs = defs
	return nil
}

// Hash identifies the configuration's content (the first 16 hex digits of
// the SHA-256 of its JSON form).
func (c Config) Hash() string {
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// ConfigRef names a configuration stored by content in the data directory
// (config.StoreAgentFile); trials carry it so that every worker runs the
// same configuration.
type ConfigRef struct {
	// Hash is Config.Hash; the configuration is agent-configs/<Hash>.json.
	Hash string `json:"hash"`
	// File is where it was read from (for messages).
	File string `json:"file,omitempty"`
	// Limits are its limits, which the instance workflow applies (it reads
	// no files).
	Limits ConfigLimits `json:"limits"`
	// HPRewrite applies the trial's hp-* parameters to the configuration's
	// history processors, as run_sweep.py rewrites its files (set for
	// configurations chosen by --seed-configs; see config.TrialAgent).
	HPRewrite bool `json:"hp_rewrite,omitempty"`
}

// Apply is Limits.Apply of the referenced configuration; a nil reference
// (the built-in configuration) leaves l as it is.
func (r *ConfigRef) Apply(l Limits) Limits {
	if r == nil {
		return l
	}
	return r.Limits.Apply(l)
}
