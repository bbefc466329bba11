package llm

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Price is USD per million tokens. Source says where and when the price
// was read ("as of <date>, <provider> pricing page").
type Price struct {
	Input       float64 `yaml:"input" json:"input"`
	CachedInput float64 `yaml:"cached_input" json:"cached_input"`
	Output      float64 `yaml:"output" json:"output"`
	// CacheWrite prices prompt tokens written to the provider's cache
	// (Anthropic, Bedrock); 0 = priced as input.
	CacheWrite float64 `yaml:"cache_write,omitempty" json:"cache_write,omitempty"`
	// Tiers replace the base prices for calls whose prompt (cached
	// included) is longer than Above tokens; the highest matching tier wins.
	Tiers  []PriceTier `yaml:"tiers,omitempty" json:"tiers,omitempty"`
	Source string      `yaml:"source" json:"source"`
	// Unverified says why the price may differ from what the provider
	// bills (e.g. a region's own rate that the table could not confirm);
	// `starter models` marks such prices and a sweep using them warns.
	Unverified string `yaml:"unverified,omitempty" json:"unverified,omitempty"`
}

// PriceTier is a long-context price (USD per million tokens).
type PriceTier struct {
	Above       int     `yaml:"above" json:"above"`
	Input       float64 `yaml:"input" json:"input"`
	CachedInput float64 `yaml:"cached_input" json:"cached_input"`
	Output      float64 `yaml:"output" json:"output"`
	CacheWrite  float64 `yaml:"cache_write,omitempty" json:"cache_write,omitempty"`
}

// Preset describes one model the sweep files can name.
type Preset struct {
	Name          string  `yaml:"-" json:"name"`
	Provider      string  `yaml:"provider" json:"provider"`
	ModelID       string  `yaml:"model_id" json:"model_id"`
	APIBase       string  `yaml:"api_base,omitempty" json:"api_base,omitempty"`
	APIKeyEnv     string  `yaml:"api_key_env,omitempty" json:"api_key_env,omitempty"`
	ContextWindow int     `yaml:"context_window,omitempty" json:"context_window,omitempty"`
	MaxOutput     int     `yaml:"max_output_tokens,omitempty" json:"max_output_tokens,omitempty"`
	Temperature   float64 `yaml:"temperature" json:"temperature"`
	Price         *Price  `yaml:"price,omitempty" json:"price,omitempty"`
	ZeroCost      bool    `yaml:"zero_cost,omitempty" json:"zero_cost,omitempty"`
	Note          string  `yaml:"note,omitempty" json:"note,omitempty"`
	// CacheMarks is how many of the latest user and tool messages get an
	// explicit prompt-cache mark (Anthropic's ephemeral cache_control, as
	// the seed's cache_control processor sets them, or a Bedrock Converse
	// cachePoint; at most 4, the APIs' limit). 0: no marks, so an
	// Anthropic or Bedrock Claude endpoint caches nothing.
	CacheMarks int `yaml:"cache_marks,omitempty" json:"cache_marks,omitempty"`
	// RateLimit bounds requests to this preset's provider across all
	// workers (see RateLimit).
	RateLimit *RateLimit `yaml:"rate_limit,omitempty" json:"rate_limit,omitempty"`
}

// Priced reports whether Cost means something: the preset has a price or
// is a zero-cost subscription. Unpriced presets run, but a cost limit
// cannot be enforced for them.
func (p Preset) Priced() bool { return p.ZeroCost || p.Price != nil }

// Cost of one call with provider-reported usage u, in USD: uncached prompt
// tokens at the input price, cache reads at the cached-input price, cache
// writes at the cache-write price (input when unset), output and reasoning
// tokens at the output price. 0 for zero-cost and unpriced presets.
func (p Preset) Cost(u agent.Usage) float64 {
	if p.ZeroCost || p.Price == nil {
		return 0
	}
	in, cached, out, write := p.Price.Input, p.Price.CachedInput, p.Price.Output, p.Price.CacheWrite
	best := -1
	for _, t := range p.Price.Tiers {
		if u.Input > t.Above && t.Above > best {
			best, in, cached, out, write = t.Above, t.Input, t.CachedInput, t.Output, t.CacheWrite
		}
	}
	if write == 0 {
		write = in
	}
	writes := min(max(u.CacheWrite, 0), max(u.RawInput(), 0))
	return (float64(u.RawInput()-writes)*in + float64(writes)*write + float64(u.CachedInput)*cached +
		float64(u.Output+u.Reasoning)*out) / 1e6
}

// Presets is a set of presets by name.
type Presets map[string]Preset

// ParsePresets reads a presets YAML document ({models: {name: preset}}).
// Unknown keys are errors naming the file and line.
func ParsePresets(file string, data []byte) (Presets, error) {
	var doc struct {
		Models map[string]Preset `yaml:"models"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := Presets{}
	for name, p := range doc.Models {
		if p.Provider == "" {
			return nil, fmt.Errorf("%s: models.%s: provider is required", file, name)
		}
		if p.CacheMarks < 0 || p.CacheMarks > 4 {
			return nil, fmt.Errorf("%s: models.%s: cache_marks is %d; give 0 to 4 (Anthropic allows 4 cache breakpoints per request)", file, name, p.CacheMarks)
		}
		if p.CacheMarks > 0 && p.Provider != ProviderAnthropic && p.Provider != ProviderBedrock {
			return nil, fmt.Errorf("%s: models.%s: cache_marks applies to providers %s and %s only (others cache prompt prefixes automatically)", file, name, ProviderAnthropic, ProviderBedrock)
		}
		p.Name = name
		out[name] = p
	}
	return out, nil
}

// LoadPresets reads the built-in presets and then each extra file, later
// files overriding earlier entries of the same name.
func LoadPresets(builtin []byte, files ...string) (Presets, error) {
	all, err := ParsePresets("built-in models.yaml", builtin)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("model presets: %w", err)
		}
		extra, err := ParsePresets(f, data)
		if err != nil {
			return nil, err
		}
		for k, v := range extra {
			all[k] = v
		}
	}
	return all, nil
}

// Get returns a preset or an error listing the known names.
func (ps Presets) Get(name string) (Preset, error) {
	if p, ok := ps[name]; ok {
		return p, nil
	}
	return Preset{}, fmt.Errorf("unknown model %q; known models: %s (add your own in a presets file, see `starter models`)", name, strings.Join(ps.Names(), ", "))
}

// Names returns the sorted preset names.
func (ps Presets) Names() []string {
	out := make([]string, 0, len(ps))
	for k := range ps {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
