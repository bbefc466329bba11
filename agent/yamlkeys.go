package agent

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// keyChecker is implemented by types that check their own YAML keys (a
// history processor's keys depend on its type).
type keyChecker interface {
	checkKeys(n *yaml.Node, path string) error
}

// decodeStrict decodes a YAML node into v (a pointer), after checking that
// every mapping key is a field of the target type. An unknown key is an
// error naming its line and its full key path, e.g.
// "line 12: unknown key agent.tools.bundels (known: bundles, ...)".
func decodeStrict(n *yaml.Node, v any, path string) error {
	if err := checkKeys(n, reflect.TypeOf(v).Elem(), path); err != nil {
		return err
	}
	if err := n.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", orRoot(path), err)
	}
	return nil
}

var keyCheckerType = reflect.TypeOf((*keyChecker)(nil)).Elem()

// checkKeys walks n along type t.
func checkKeys(n *yaml.Node, t reflect.Type, path string) error {
	for n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(keyCheckerType) {
		return reflect.New(t).Interface().(keyChecker).checkKeys(n, path)
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			ft, ok := fields[k.Value]
			if !ok {
				return unknownKey(k, path, fields)
			}
			if err := checkKeys(val, ft, join(path, k.Value)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := checkKeys(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			if err := checkKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// yamlFields maps a struct's YAML keys to their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func unknownKey(k *yaml.Node, path string, fields map[string]reflect.Type) error {
	known := make([]string, 0, len(fields))
	for name := range fields {
		known = append(known, name)
	}
	sort.Strings(known)
	return fmt.Errorf("line %d: unknown key %s (known here: %s)", k.Line, join(path, k.Value), strings.Join(known, ", "))
}

// keysOf checks a mapping node's keys against an allowed list.
func keysOf(n *yaml.Node, path string, allowed ...string) error {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	fields := map[string]reflect.Type{}
	for _, a := range allowed {
		fields[a] = nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if _, ok := fields[n.Content[i].Value]; !ok {
			return unknownKey(n.Content[i], path, fields)
		}
	}
	return nil
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func orRoot(path string) string {
	if path == "" {
		return "configuration"
	}
	return path
}
