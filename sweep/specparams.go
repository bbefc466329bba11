package sweep

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

var paramKeys = []string{"value", "values", "distribution", "min", "max", "mu", "sigma", "q"}

// Distributions lists the W&B parameter distributions.
var Distributions = []string{"constant", "categorical", "uniform", "int_uniform", "q_uniform",
	"log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values",
	"q_log_uniform", "q_log_uniform_values", "normal", "q_normal", "log_normal",
	"q_log_normal", "beta", "q_beta"}

// discrete reports whether a parameter is a constant or categorical.
func (p *Parameter) discrete() bool {
	return p.Distribution == "" || p.Distribution == "constant" || p.Distribution == "categorical"
}

// gridCheck rejects parameters a grid cannot enumerate.
func (p *Parameter) gridCheck(s *Spec) error {
	if !p.discrete() {
		return s.errorAt(p, "distribution %q cannot be used with method grid (grid needs \"value\" or \"values\")", p.Distribution)
	}
	return nil
}

// checkParamValue type-checks v against the RunConfig field of name.
func checkParamValue(name string, v any) error {
	c := DefaultRunConfig()
	if err := c.Set(name, v); err != nil {
		return err
	}
	return checkField(name, &c)
}

func (p *parser) parseParameters(n *yaml.Node) []Parameter {
	if !p.mapping(n, "parameters") {
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, "parameters", "must not be empty")
		return nil
	}
	var out []Parameter
	for _, e := range p.pairs(n, "parameters") {
		if p.agentParameter(e) {
			continue
		}
		if _, ok := lookupParam(e.key); !ok {
			p.errorf(e.kn, "parameters."+e.key, "%v", unknownParamError(e.key))
			continue
		}
		if param, ok := p.parseParameter(e); ok {
			out = append(out, param)
		}
	}
	return out
}

func (p *parser) parseParameter(e pair) (Parameter, bool) {
	path := "parameters." + e.key
	prm := Parameter{Name: e.key, Line: e.kn.Line, Column: e.kn.Column}
	if e.v.Kind != yaml.MappingNode {
		p.errorf(e.v, path, "must be a mapping such as {value: x} or {values: [x, y]}, got %s", kindName(e.v))
		return prm, false
	}
	nerr := len(p.errs)
	var minInt, maxInt bool
	has := map[string]bool{}
	for _, f := range p.pairs(e.v, path) {
		key := path + "." + f.key
		has[f.key] = true
		switch f.key {
		case "value":
			var v any
			if err := f.v.Decode(&v); err != nil {
				p.errorf(f.v, key, "%v", err)
			} else if err := checkParamValue(e.key, v); err != nil {
				p.errorf(f.v, key, "%v", err)
			}
			prm.Value, prm.HasValue = v, true
		case "values":
			prm.Values = p.parseValues(e.key, path, f.v)
		case "distribution":
			if d, ok := p.str(f.v, key); ok {
				if !oneOf(d, Distributions) {
					p.errorf(f.v, key, "unknown distribution %q (valid: %s)", d, strings.Join(Distributions, ", "))
				}
				prm.Distribution = d
			}
		case "min", "max", "mu", "sigma", "q":
			v, isInt, ok := p.num(f.v, key)
			if !ok {
				continue
			}
			switch f.key {
			case "min":
				prm.Min, minInt = &v, isInt
			case "max":
				prm.Max, maxInt = &v, isInt
			case "mu":
				prm.Mu = &v
			case "sigma":
				prm.Sigma = &v
			case "q":
				prm.Q = &v
			}
		default:
			p.errorf(f.kn, path, "unknown key %q (valid: %s)", f.key, strings.Join(paramKeys, ", "))
		}
	}
	if len(p.errs) > nerr {
		return prm, false
	}
	if prm.Distribution == "" && (prm.Min != nil || prm.Max != nil) {
		prm.Distribution = "uniform"
		if minInt && maxInt {
			prm.Distribution = "int_uniform"
		}
	}
	if msg := shapeError(&prm, has); msg != "" {
		p.errorf(e.kn, path, "%s", msg)
		return prm, false
	}
	if msg := rangeError(&prm, minInt, maxInt); msg != "" {
		p.errorf(e.kn, path, "%s", msg)
		return prm, false
	}
	return prm, true
}

// parseValues decodes and type-checks a "values" list.
func (p *parser) parseValues(name, path string, n *yaml.Node) []any {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "\"values\" must be a non-empty list, got %s", kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		p.errorf(n, path, "\"values\" must be a non-empty list")
		return nil
	}
	out := make([]any, 0, len(n.Content))
	for i, c := range n.Content {
		var v any
		if err := c.Decode(&v); err != nil {
			p.errorf(c, fmt.Sprintf("%s.values[%d]", path, i), "%v", err)
			continue
		}
		if err := checkParamValue(name, v); err != nil {
			p.errorf(resolve(c), fmt.Sprintf("%s.values[%d]", path, i), "%v", err)
		}
		out = append(out, v)
	}
	return out
}

// shapeError checks which keys may be combined.
func shapeError(p *Parameter, has map[string]bool) string {
	numeric := has["min"] || has["max"] || has["mu"] || has["sigma"] || has["q"]
	switch {
	case has["value"] && has["values"]:
		return `"value" and "values" are mutually exclusive`
	case (has["value"] || has["values"]) && numeric:
		return `"value"/"values" cannot be combined with "min", "max", "mu", "sigma" or "q"`
	case has["value"] && p.Distribution != "" && p.Distribution != "constant":
		return fmt.Sprintf(`"value" cannot be used with distribution %q`, p.Distribution)
	case has["values"] && p.Distribution != "" && p.Distribution != "categorical":
		return fmt.Sprintf(`"values" cannot be used with distribution %q`, p.Distribution)
	case p.Distribution == "constant" && !has["value"]:
		return `distribution "constant" needs "value"`
	case p.Distribution == "categorical" && !has["values"]:
		return `distribution "categorical" needs "values"`
	case !has["value"] && !has["values"] && p.Distribution == "":
		return `needs "value", "values", or a distribution with "min"/"max"`
	}
	return ""
}

// rangeError checks a numeric distribution against its RunConfig field.
func rangeError(p *Parameter, minInt, maxInt bool) string {
	if p.discrete() {
		return ""
	}
	var c RunConfig
	pr, _ := lookupParam(p.Name)
	switch pr.field(&c).(type) {
	case *float64:
	case *int, **int:
		if p.Distribution != "int_uniform" {
			return fmt.Sprintf("%s is an integer parameter; distribution %q is not allowed (use int_uniform or values)", p.Name, p.Distribution)
		}
		if !minInt || !maxInt {
			return `int_uniform needs integer "min" and "max"`
		}
		for _, b := range []*float64{p.Min, p.Max} {
			if err := checkParamValue(p.Name, int(*b)); err != nil {
				return err.Error()
			}
		}
	default:
		return fmt.Sprintf("%s is not numeric; distribution %q is not allowed (use value or values)", p.Name, p.Distribution)
	}
	needsRange := !strings.Contains(p.Distribution, "normal") && !strings.Contains(p.Distribution, "beta")
	if needsRange {
		if p.Min == nil || p.Max == nil {
			return fmt.Sprintf(`distribution %q needs "min" and "max"`, p.Distribution)
		}
		if *p.Min >= *p.Max {
			return fmt.Sprintf(`"min" (%v) must be less than "max" (%v)`, *p.Min, *p.Max)
		}
	}
	return ""
}

// agentParameter reads agent_config, seed_configs and tools_dir (or with
// dashes) given as parameters: {value: PATH}, one per sweep, the same as
// --agent-config=PATH, --seed-configs=PATH and --tools-dir=PATH in the
// command. They choose the trials' prompts, not an experiment dimension,
// so they are not trial parameters.
func (p *parser) agentParameter(e pair) bool {
	var dst *string
	switch strings.ReplaceAll(e.key, "-", "_") {
	case "agent_config":
		dst = &p.agent.ConfigFile
	case "seed_configs":
		dst = &p.agent.SeedDir
	case "tools_dir":
		dst = &p.agent.ToolsDir
	default:
		return false
	}
	path := "parameters." + e.key
	var v *yaml.Node
	if e.v.Kind == yaml.MappingNode && len(e.v.Content) == 2 && e.v.Content[0].Value == "value" {
		v = e.v.Content[1]
	}
	if v == nil || v.Kind != yaml.ScalarNode || v.Value == "" {
		p.errorf(e.v, path, "must be {value: PATH}: one agent configuration choice per sweep")
		return true
	}
	*dst = v.Value
	return true
}
