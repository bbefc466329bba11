package agent

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Bundles maps the seed's tool bundles (seed-system §4.1) to the tools they
// give the model, in the seed's order. registry gives none (it is the
// other bundles' state store).
var Bundles = map[string][]string{
	"registry":     nil,
	"defaults":     {"goto", "open", "create", "scroll_up", "scroll_down"},
	"search":       {"find_file", "search_dir", "search_file"},
	"edit_replace": {"edit", "insert"},
	"submit":       {"submit"},
}

// DefaultBundles are the paper configs' bundles, in their order.
var DefaultBundles = []string{"registry", "defaults", "search", "edit_replace", "submit"}

// ToolSelection says which tools the model is offered and which actions are
// refused before they run.
type ToolSelection struct {
	// Bundles are bundle names (Bundles' keys; the seed's "tools/" prefix
	// is accepted). nil means DefaultBundles.
	Bundles []string `yaml:"bundles" json:"bundles,omitempty"`
	// Hidden are tools of the bundles that are not offered (the seed's
	// hidden_tools).
	Hidden []string `yaml:"hidden_tools" json:"hidden_tools,omitempty"`
	// EnableBash offers the bash tool (default true).
	EnableBash *bool `yaml:"enable_bash_tool" json:"enable_bash_tool,omitempty"`
	// Blocklist, BlocklistStandalone and BlockUnlessRegex replace the
	// seed's lists (§4.4) when set.
	Blocklist           []string          `yaml:"blocklist" json:"blocklist,omitempty"`
	BlocklistStandalone []string          `yaml:"blocklist_standalone" json:"blocklist_standalone,omitempty"`
	BlockUnlessRegex    map[string]string `yaml:"block_unless_regex" json:"block_unless_regex,omitempty"`
}

// bundleName strips the seed's "tools/" prefix and a trailing slash.
func bundleName(b string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(b), "tools/"), "/")
}

func (s ToolSelection) bundles() []string {
	if s.Bundles == nil {
		return DefaultBundles
	}
	return s.Bundles
}

// names lists the offered tool names: bash first (as the seed adds it
// before the bundles' commands), then each bundle's tools in order.
func (s ToolSelection) names() []string {
	var out []string
	if s.EnableBash == nil || *s.EnableBash {
		out = append(out, "bash")
	}
	for _, b := range s.bundles() {
		for _, t := range Bundles[bundleName(b)] {
			if !slices.Contains(s.Hidden, t) && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// validate checks the bundle names (or, with defs read from the bundles'
// files, their tools), hidden tools and regular expressions.
func (s ToolSelection) validate(defs []Tool) error {
	known := make([]string, 0, len(Bundles))
	for b := range Bundles {
		known = append(known, b)
	}
	slices.Sort(known)
	all := map[string]bool{"bash": true}
	for _, b := range s.bundles() {
		ts, ok := Bundles[bundleName(b)]
		if !ok && defs == nil {
			return fmt.Errorf("tools.bundles: bundle %q is not implemented (we have: %s)", b, strings.Join(known, ", "))
		}
		for _, t := range ts {
			all[t] = true
		}
	}
	if defs != nil {
		if err := checkToolDefs(defs); err != nil {
			return fmt.Errorf("tools.bundles: %w", err)
		}
		all = map[string]bool{"bash": true}
		for _, d := range defs {
			all[d.Name] = true
		}
	}
	for _, h := range s.Hidden {
		if !all[h] {
			return fmt.Errorf("tools.hidden_tools: %q is not a tool of the selected bundles", h)
		}
	}
	for prog, re := range s.BlockUnlessRegex {
		if _, err := regexp.Compile(re); err != nil {
			return fmt.Errorf("tools.block_unless_regex.%s: %v", prog, err)
		}
	}
	if len(s.names()) == 0 && defs == nil || defs != nil && len(all) == 1 && s.EnableBash != nil && !*s.EnableBash {
		return fmt.Errorf("tools: no tool is offered (enable bash or select a bundle)")
	}
	return nil
}

// Select returns the offered tools, in order, with window geometry w.
func (s ToolSelection) Select(w Window) []Tool {
	all := ToolsFor(w)
	var out []Tool
	for _, name := range s.names() {
		for _, t := range all {
			if t.Name == name {
				out = append(out, t)
			}
		}
	}
	return out
}

// Blocked reports whether an action is refused before it runs, with the
// configured lists, or the seed's (with the prefix-test fix, see Blocked)
// when none are configured.
func (s ToolSelection) Blocked(action string) bool {
	if s.Blocklist == nil && s.BlocklistStandalone == nil && s.BlockUnlessRegex == nil {
		return Blocked(action)
	}
	prefix, standalone := s.Blocklist, s.BlocklistStandalone
	if prefix == nil {
		prefix = Blocklist
	}
	if standalone == nil {
		standalone = BlocklistStandalone
	}
	unless := blockUnless
	if s.BlockUnlessRegex != nil {
		unless = map[string]*regexp.Regexp{}
		for prog, re := range s.BlockUnlessRegex {
			unless[prog] = regexp.MustCompile(re) // checked by validate
		}
	}
	return blocked(action, prefix, standalone, unless)
}

// CommandDocs documents tools for the {{command_docs}} template variable:
// per tool its description, signature and arguments.
func CommandDocs(tools []Tool) string {
	var b strings.Builder
	for _, t := range tools {
		sig := t.Signature
		if sig == "" {
			sig = t.Name
			for _, p := range t.Params {
				sig += " <" + p.Name + ">"
			}
		}
		fmt.Fprintf(&b, "%s:\n  docstring: %s\n  signature: %s\n", t.Name, t.Description, sig)
		if len(t.Params) > 0 {
			b.WriteString("  arguments:\n")
		}
		for _, p := range t.Params {
			req := "optional"
			if p.Required {
				req = "required"
			}
			fmt.Fprintf(&b, "    - %s (%s) [%s]: %s\n", p.Name, p.Type, req, p.Description)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
