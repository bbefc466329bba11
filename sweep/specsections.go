package sweep

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Parsing of the metric, early_terminate and command sections.

func (p *parser) parseMetric(n *yaml.Node) *Metric {
	if !p.mapping(n, "metric") {
		return nil
	}
	m := &Metric{Goal: "minimize"}
	for _, e := range p.pairs(n, "metric") {
		key := "metric." + e.key
		switch e.key {
		case "name":
			m.Name, _ = p.str(e.v, key)
		case "goal":
			if v, ok := p.str(e.v, key); ok {
				if v != "minimize" && v != "maximize" {
					p.errorf(e.v, key, "must be minimize or maximize, got %q", v)
				}
				m.Goal = v
			}
		case "target":
			if v, _, ok := p.num(e.v, key); ok {
				m.Target = &v
			}
		default:
			p.errorf(e.kn, key, "%s", unknownKey([]string{"name", "goal", "target"}))
		}
	}
	if m.Name == "" {
		p.errorf(n, "metric.name", "required non-empty string")
	}
	return m
}

func (p *parser) parseEarlyTerminate(n *yaml.Node) *EarlyTerminate {
	const path = "early_terminate"
	if !p.mapping(n, path) {
		return nil
	}
	et := &EarlyTerminate{Eta: 3}
	for _, e := range p.pairs(n, path) {
		key := path + "." + e.key
		switch e.key {
		case "type":
			if v, ok := p.str(e.v, key); ok {
				if v != "hyperband" {
					p.errorf(e.v, key, "unknown type %q (valid: hyperband)", v)
				}
				et.Type = v
			}
		case "min_iter":
			et.MinIter, _ = p.int(e.v, key, 1)
		case "max_iter":
			et.MaxIter, _ = p.int(e.v, key, 1)
		case "s":
			et.S, _ = p.int(e.v, key, 1)
		case "eta":
			if v, _, ok := p.num(e.v, key); ok {
				if v <= 1 {
					p.errorf(e.v, key, "must be > 1, got %v", v)
				}
				et.Eta = v
			}
		case "strict":
			var b bool
			if e.v.Kind != yaml.ScalarNode || e.v.ShortTag() != "!!bool" || e.v.Decode(&b) != nil {
				p.errorf(e.v, key, "must be a boolean, got %s", kindName(e.v))
			} else {
				et.Strict = &b
			}
		default:
			p.errorf(e.kn, key, "%s", unknownKey([]string{"type", "min_iter", "max_iter", "eta", "s", "strict"}))
		}
	}
	if et.Type == "" {
		p.errorf(n, path+".type", "required (hyperband)")
	}
	if et.MinIter == 0 && et.MaxIter == 0 {
		p.errorf(n, path, `needs "min_iter", or "max_iter" with "s"`)
	}
	if et.MaxIter > 0 && et.MinIter == 0 && et.S == 0 {
		p.errorf(n, path, `"max_iter" needs "s"`)
	}
	return et
}

// parseCommand keeps the raw command and extracts the run flags that follow
// ${args}. Any other token after ${args} is rejected, since trials run
// in-process and could not honour it.
func (p *parser) parseCommand(n *yaml.Node) ([]string, CommandFlags) {
	var flags CommandFlags
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "command", "must be a list of strings, got %s", kindName(n))
		return nil, flags
	}
	cmd := make([]string, 0, len(n.Content))
	argsAt := -1
	for i, c := range n.Content {
		c = resolve(c)
		key := fmt.Sprintf("command[%d]", i)
		if c.Kind != yaml.ScalarNode || c.ShortTag() == "!!null" {
			p.errorf(c, key, "must be a string, got %s", kindName(c))
			continue
		}
		tok := c.Value
		cmd = append(cmd, tok)
		switch {
		case argsAt < 0:
			if tok == "${args}" {
				argsAt = i
			}
		case tok == "--wandb":
			flags.Wandb = true
		case strings.HasPrefix(tok, "--wandb-project="):
			flags.WandbProject = strings.TrimPrefix(tok, "--wandb-project=")
		case strings.HasPrefix(tok, "--wandb-entity="):
			flags.WandbEntity = strings.TrimPrefix(tok, "--wandb-entity=")
		case strings.HasPrefix(tok, "--agent-config="):
			p.agent.ConfigFile = strings.TrimPrefix(tok, "--agent-config=")
		case strings.HasPrefix(tok, "--seed-configs="):
			p.agent.SeedDir = strings.TrimPrefix(tok, "--seed-configs=")
		case strings.HasPrefix(tok, "--tools-dir="):
			p.agent.ToolsDir = strings.TrimPrefix(tok, "--tools-dir=")
		default:
			p.errorf(c, key, "unsupported token %q after ${args} (supported: --wandb, --wandb-project=X, --wandb-entity=X, "+
				"--agent-config=FILE, --seed-configs=DIR, --tools-dir=DIR)", tok)
		}
	}
	if argsAt < 0 {
		p.errorf(n, "command", "must contain ${args}")
	}
	return cmd, flags
}
