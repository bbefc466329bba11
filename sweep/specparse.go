package sweep

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// parser walks the yaml.v3 node tree, collecting positioned errors.
type parser struct {
	file  string
	errs  []error
	agent AgentFlags // set by parseCommand
}

func (p *parser) errorf(n *yaml.Node, key, format string, args ...any) {
	e := &Error{File: p.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

func (p *parser) err() error { return errors.Join(p.errs...) }

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError prefixes a yaml.v3 syntax error with the file name, moving
// its line number into the "file:line:" position.
func syntaxError(file string, err error) error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &Error{File: file, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return &Error{File: file, Msg: "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")}
}

// resolve follows aliases.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// kindName describes a node's type for error messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a float"
		}
		return fmt.Sprintf("the string %q", n.Value)
	}
	return "an unsupported YAML node"
}

// pair is one key/value of a mapping.
type pair struct {
	key   string
	kn, v *yaml.Node
}

// pairs returns a mapping's entries, reporting non-scalar and duplicate keys.
func (p *parser) pairs(n *yaml.Node, path string) []pair {
	var out []pair
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if kn.Kind != yaml.ScalarNode {
			p.errorf(kn, path, "keys must be strings, got %s", kindName(kn))
			continue
		}
		if seen[kn.Value] {
			p.errorf(kn, join(path, kn.Value), "duplicate key")
			continue
		}
		seen[kn.Value] = true
		out = append(out, pair{kn.Value, kn, v})
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (p *parser) mapping(n *yaml.Node, key string) bool {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, key, "must be a mapping, got %s", kindName(n))
		return false
	}
	return true
}

func (p *parser) str(n *yaml.Node, key string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		p.errorf(n, key, "must be a string, got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) int(n *yaml.Node, key string, min int) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		p.errorf(n, key, "must be an integer, got %s", kindName(n))
		return 0, false
	}
	if v < min {
		p.errorf(n, key, "must be >= %d, got %d", min, v)
		return 0, false
	}
	return v, true
}

// num decodes an integer or float scalar; isInt reports an integer tag.
func (p *parser) num(n *yaml.Node, key string) (v float64, isInt, ok bool) {
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&v) != nil {
		p.errorf(n, key, "must be a number, got %s", kindName(n))
		return 0, false, false
	}
	return v, tag == "!!int", true
}

func unknownKey(valid []string) string {
	return "unknown key (valid: " + strings.Join(valid, ", ") + ")"
}

var topKeys = []string{"name", "description", "program", "method", "metric",
	"parameters", "early_terminate", "run_cap", "command", "budget_usd", "harness"}

// W&B sweep keys that ctxsweep deliberately does not support.
var unsupportedTopKeys = map[string]bool{
	"project": true, "entity": true, "controller": true, "job": true, "image_uri": true,
}

func (p *parser) parseTop(s *Spec, doc *yaml.Node) {
	if doc.Kind != yaml.MappingNode {
		p.errorf(doc, "", "the top level must be a mapping of sweep keys, got %s", kindName(doc))
		return
	}
	seen := map[string]bool{}
	for _, e := range p.pairs(doc, "") {
		seen[e.key] = true
		switch e.key {
		case "name":
			if v, ok := p.str(e.v, e.key); ok && v != "" {
				s.Name = v
			}
		case "description":
			s.Description, _ = p.str(e.v, e.key)
		case "program":
			s.Program, _ = p.str(e.v, e.key)
		case "method":
			if v, ok := p.str(e.v, e.key); ok {
				if !oneOf(v, Methods) {
					p.errorf(e.v, e.key, "unknown method %q (valid: %s)", v, strings.Join(Methods, ", "))
				} else {
					s.Method = v
				}
			}
		case "metric":
			s.Metric = p.parseMetric(e.v)
		case "parameters":
			s.Parameters = p.parseParameters(e.v)
		case "early_terminate":
			s.EarlyTerminate = p.parseEarlyTerminate(e.v)
		case "run_cap":
			s.RunCap, _ = p.int(e.v, e.key, 1)
		case "command":
			s.Command, s.CommandFlags = p.parseCommand(e.v)
			s.Agent = p.agent
		case "budget_usd":
			if v, _, ok := p.num(e.v, e.key); ok {
				if !(v > 0) || math.IsInf(v, 0) {
					p.errorf(e.v, e.key, "must be a positive number of US dollars, got %v", v)
				} else {
					s.BudgetUSD = v
				}
			}
		case "harness":
			if v, ok := p.str(e.v, e.key); ok {
				s.Harness = v
			}
		default:
			if unsupportedTopKeys[e.key] {
				p.errorf(e.kn, e.key, "W&B key not supported by ctxsweep")
			} else {
				p.errorf(e.kn, e.key, "%s", unknownKey(topKeys))
			}
		}
	}
	for _, k := range []string{"method", "parameters"} {
		if !seen[k] {
			p.errorf(doc, k, "required key is missing")
		}
	}
	if s.Method == "bayes" && s.Metric == nil && seen["method"] && !seen["metric"] {
		p.errorf(doc, "metric", "required for method bayes")
	}
	if s.Method == "grid" {
		for i := range s.Parameters {
			if err := s.Parameters[i].gridCheck(s); err != nil {
				p.errs = append(p.errs, err)
			}
		}
	}
}
