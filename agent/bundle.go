package agent

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// BundleFile is a seed tool bundle's config.yaml (seed-system §4.1): Path
// is the bundle as the agent configuration names it (e.g. tools/search),
// File where it was read from, Data its content.
type BundleFile struct {
	Path string
	File string
	Data []byte
}

// ParseBundle reads the tools of a seed bundle's config.yaml in their
// declared order: each tool's docstring (the description, as the seed
// sends it: placeholders such as {WINDOW} are not substituted), signature
// and arguments (name, type, description, required, enum, items) in order.
// Keys the seed does not use for the model (state_command, end_name,
// argument_format) are read and dropped.
func ParseBundle(file string, data []byte) ([]Tool, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	doc := &root
	for doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if err := keysOf(doc, "", "tools", "state_command"); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	tools := mapValue(doc, "tools")
	if tools == nil || tools.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: a tool bundle's config.yaml has a `tools:` mapping", file)
	}
	var out []Tool
	for i := 0; i+1 < len(tools.Content); i += 2 {
		name, n := tools.Content[i].Value, tools.Content[i+1]
		t, err := parseBundleTool(name, n)
		if err != nil {
			if !strings.Contains(err.Error(), "line ") {
				err = fmt.Errorf("line %d: %w", tools.Content[i].Line, err)
			}
			return nil, fmt.Errorf("%s: tools.%s: %w", file, name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func parseBundleTool(name string, n *yaml.Node) (Tool, error) {
	if err := keysOf(n, "", "signature", "docstring", "arguments", "end_name"); err != nil {
		return Tool{}, err
	}
	var raw struct {
		Signature *string `yaml:"signature"`
		Docstring *string `yaml:"docstring"`
		EndName   *string `yaml:"end_name"`
	}
	if err := n.Decode(&raw); err != nil {
		return Tool{}, err
	}
	if raw.EndName != nil && *raw.EndName != "" {
		return Tool{}, fmt.Errorf("end_name: multi-line commands are not implemented")
	}
	t := Tool{Name: name}
	if raw.Docstring != nil {
		t.Description = *raw.Docstring
	}
	if raw.Signature != nil {
		t.Signature = *raw.Signature
	}
	args := mapValue(n, "arguments")
	if args == nil || args.Kind == yaml.ScalarNode && args.ShortTag() == "!!null" {
		return t, nil
	}
	if args.Kind != yaml.SequenceNode {
		return Tool{}, fmt.Errorf("arguments: a list of arguments")
	}
	for i, a := range args.Content {
		p, err := parseBundleArg(a)
		if err != nil {
			return Tool{}, fmt.Errorf("arguments[%d]: %w", i, err)
		}
		if slices.ContainsFunc(t.Params, func(q Param) bool { return q.Name == p.Name }) {
			return Tool{}, fmt.Errorf("arguments[%d]: argument %s is declared twice", i, p.Name)
		}
		t.Params = append(t.Params, p)
	}
	return t, nil
}

func parseBundleArg(n *yaml.Node) (Param, error) {
	if err := keysOf(n, "", "name", "type", "description", "required", "enum", "items", "argument_format"); err != nil {
		return Param{}, err
	}
	var raw struct {
		Name        string   `yaml:"name"`
		Type        string   `yaml:"type"`
		Description *string  `yaml:"description"`
		Required    *bool    `yaml:"required"`
		Enum        []string `yaml:"enum"`
		Format      *string  `yaml:"argument_format"`
	}
	if err := n.Decode(&raw); err != nil {
		return Param{}, err
	}
	var missing []string
	for _, m := range []struct {
		key string
		ok  bool
	}{{"name", raw.Name != ""}, {"type", raw.Type != ""}, {"description", raw.Description != nil}, {"required", raw.Required != nil}} {
		if !m.ok {
			missing = append(missing, m.key)
		}
	}
	if len(missing) > 0 {
		return Param{}, fmt.Errorf("line %d: argument %s lacks %s", n.Line, raw.Name, strings.Join(missing, ", "))
	}
	if raw.Format != nil && strings.TrimSpace(*raw.Format) != "{{value}}" && strings.TrimSpace(*raw.Format) != "{value}" {
		return Param{}, fmt.Errorf("%s: argument_format %q is not implemented", raw.Name, *raw.Format)
	}
	p := Param{Name: raw.Name, Type: raw.Type, Description: *raw.Description, Required: *raw.Required, Enum: raw.Enum}
	if items := mapValue(n, "items"); items != nil && items.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(items.Content); i += 2 {
			p.Items = append(p.Items, KV{Key: items.Content[i].Value, Value: items.Content[i+1].Value})
		}
	}
	return p, nil
}

// implemented are our implementations of the seed's tools, by name.
func implemented() map[string]Tool {
	out := map[string]Tool{}
	for _, t := range ToolsFor(DefaultWindow) {
		out[t.Name] = t
	}
	return out
}

// checkToolDefs checks that every tool a bundle defines is one we run, with
// the arguments our implementation reads.
func checkToolDefs(defs []Tool) error {
	impl := implemented()
	seen := map[string]bool{"bash": true}
	for _, d := range defs {
		ours, ok := impl[d.Name]
		if !ok || d.Name == "bash" {
			names := make([]string, 0, len(impl))
			for n := range impl {
				names = append(names, n)
			}
			slices.Sort(names)
			return fmt.Errorf("tool %q is not implemented (we run: %s)", d.Name, strings.Join(names, ", "))
		}
		if seen[d.Name] {
			return fmt.Errorf("tool %q is defined by two bundles", d.Name)
		}
		seen[d.Name] = true
		var want, got []string
		for _, p := range ours.Params {
			want = append(want, p.Name)
		}
		for _, p := range d.Params {
			got = append(got, p.Name)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			return fmt.Errorf("tool %q has arguments %v; our implementation takes %v", d.Name, got, want)
		}
	}
	return nil
}
