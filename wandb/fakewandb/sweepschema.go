package fakewandb

import (
	"fmt"
	"sort"
)

// Sweep config schema, after the public sweeps schema (wandb/sweeps
// config/schema.json): the real server refuses a config that breaks it
// and answers configValidationWarnings for keys it does not know.
var (
	sweepKeys = map[string]bool{"method": true, "metric": true, "parameters": true, "early_terminate": true,
		"controller": true, "name": true, "description": true, "program": true, "command": true, "project": true,
		"entity": true, "run_cap": true, "job": true, "image_uri": true}
	sweepMethods = map[string]bool{"grid": true, "random": true, "bayes": true, "custom": true}
	paramKeys    = map[string]bool{"value": true, "values": true, "probabilities": true, "min": true, "max": true,
		"distribution": true, "q": true, "mu": true, "sigma": true, "a": true, "b": true, "parameters": true}
	distributions = map[string]bool{"constant": true, "categorical": true, "int_uniform": true, "uniform": true,
		"q_uniform": true, "log_uniform": true, "log_uniform_values": true, "inv_log_uniform": true,
		"inv_log_uniform_values": true, "q_log_uniform": true, "q_log_uniform_values": true, "normal": true,
		"q_normal": true, "log_normal": true, "q_log_normal": true, "beta": true, "q_beta": true,
		"categorical_w_probabilities": true}
)

// checkSweepSchema returns the errors (the server refuses the sweep) and
// the warnings of a parsed sweep config.
func checkSweepSchema(cfg map[string]any) (errs, warns []string) {
	for _, k := range sortedKeys(cfg) {
		if !sweepKeys[k] {
			warns = append(warns, fmt.Sprintf("Additional property %s is not allowed", k))
		}
	}
	if m, _ := cfg["method"].(string); !sweepMethods[m] {
		errs = append(errs, fmt.Sprintf("method: %v is not one of grid, random, bayes, custom", cfg["method"]))
	}
	if mt, ok := cfg["metric"]; ok {
		m, _ := mt.(map[string]any)
		name, _ := m["name"].(string)
		if name == "" {
			errs = append(errs, "metric: name is required")
		}
		if g, ok := m["goal"]; ok && g != "minimize" && g != "maximize" {
			errs = append(errs, fmt.Sprintf("metric.goal: %v is not one of minimize, maximize", g))
		}
	} else if cfg["method"] == "bayes" {
		errs = append(errs, "metric is required for the bayes method")
	}
	if c, ok := cfg["controller"]; ok {
		m, _ := c.(map[string]any)
		if t := m["type"]; t != "local" && t != "cloud" {
			errs = append(errs, fmt.Sprintf("controller.type: %v is not one of local, cloud", t))
		}
	}
	params, _ := cfg["parameters"].(map[string]any)
	if len(params) == 0 {
		errs = append(errs, "parameters: at least one parameter is required")
	}
	errs = append(errs, checkParams("parameters", params)...)
	sort.Strings(warns)
	return errs, warns
}

func checkParams(where string, params map[string]any) []string {
	var errs []string
	for _, name := range sortedKeys(params) {
		p, ok := params[name].(map[string]any)
		at := where + "." + name
		if !ok {
			errs = append(errs, at+": must be a mapping")
			continue
		}
		for _, k := range sortedKeys(p) {
			if !paramKeys[k] {
				errs = append(errs, fmt.Sprintf("%s: unknown key %s", at, k))
			}
		}
		_, val := p["value"]
		vals, isList := p["values"].([]any)
		_, hasMin := p["min"]
		_, hasMax := p["max"]
		dist, hasDist := p["distribution"].(string)
		nested, isNested := p["parameters"].(map[string]any)
		switch {
		case isNested:
			errs = append(errs, checkParams(at+".parameters", nested)...)
		case hasDist && !distributions[dist]:
			errs = append(errs, fmt.Sprintf("%s: unknown distribution %s", at, dist))
		case val, hasDist:
		case isList && len(vals) > 0:
		case hasMin && hasMax:
			lo, ok1 := p["min"].(float64)
			hi, ok2 := p["max"].(float64)
			if li, ok := p["min"].(int); ok {
				lo, ok1 = float64(li), true
			}
			if hi2, ok := p["max"].(int); ok {
				hi, ok2 = float64(hi2), true
			}
			if !ok1 || !ok2 || lo >= hi {
				errs = append(errs, at+": min must be a number below max")
			}
		default:
			errs = append(errs, at+": needs value, values, min/max, distribution or parameters")
		}
	}
	return errs
}
