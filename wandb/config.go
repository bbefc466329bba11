package wandb

import (
	"encoding/json"
	"fmt"
	"sort"
)

// encodeUserConfig wraps every top-level key as {"value": v} (§2.2). Values
// are normalized through JSON, so nested maps stay nested inside "value".
func encodeUserConfig(cfg map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(cfg)+1)
	for k, v := range cfg {
		if k == "_wandb" {
			return nil, fmt.Errorf("wandb: config key _wandb is reserved")
		}
		nv, err := normalize(v)
		if err != nil {
			return nil, fmt.Errorf("wandb: config %q: %w", k, err)
		}
		out[k] = map[string]any{"value": nv}
	}
	return out, nil
}

// mergeOldConfig applies the resume rule of §2.3: keep the old top-level keys
// that are not set now, and the old `_wandb` subkeys other than t and m.
// It returns the extra `_wandb` subkeys to keep.
func mergeOldConfig(cfg map[string]any, oldJSON string) map[string]any {
	extra := map[string]any{}
	if oldJSON == "" {
		return extra
	}
	var old any
	if decodeLenient([]byte(oldJSON), &old) != nil {
		return extra
	}
	om, _ := old.(map[string]any)
	for k, v := range om {
		if k == "_wandb" {
			if w, ok := v.(map[string]any); ok {
				if wv, ok := w["value"].(map[string]any); ok {
					for sk, sv := range wv {
						if sk != "t" && sk != "m" {
							extra[sk] = sv
						}
					}
				}
			}
			continue
		}
		if _, set := cfg[k]; !set {
			cfg[k] = v
		}
	}
	return extra
}

// configJSON renders the full config variable (a JSON string) with the
// internal `_wandb` entry: telemetry "t" (so the run is resumable) and the
// metric definitions "m".
func configJSON(user map[string]any, extra map[string]any, m []any) (string, error) {
	full := make(map[string]any, len(user)+1)
	for k, v := range user {
		full[k] = v
	}
	w := map[string]any{}
	for k, v := range extra {
		w[k] = v
	}
	w["t"] = map[string]any{"12": ClientVersion}
	w["m"] = m
	full["_wandb"] = map[string]any{"value": w}
	b, err := marshalLine(full)
	return string(b), err
}

// metricNamesFromConfig returns the "1" names of an old `_wandb.value.m`.
func metricNamesFromConfig(oldJSON string) []string {
	var old struct {
		W struct {
			Value struct {
				M []map[string]any `json:"m"`
			} `json:"value"`
		} `json:"_wandb"`
	}
	if json.Unmarshal(substituteTokens([]byte(oldJSON)), &old) != nil {
		return nil
	}
	var names []string
	for _, e := range old.W.Value.M {
		if n, ok := e["1"].(string); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
