package evaluate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// ParsePredictions reads a predictions file in any of the shapes the
// harness accepts (anchors §1.6): JSONL (one object per line), a JSON list
// of objects, or a JSON object keyed by instance_id (the preds.json of
// SWE-agent / mini-swe-agent; a missing instance_id is taken from the
// key). Keyed files come back sorted by instance_id.
func ParsePredictions(data []byte) ([]Prediction, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var values []json.RawMessage
	for {
		var v json.RawMessage
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("evaluate: predictions value %d: %w", len(values)+1, err)
		}
		values = append(values, v)
	}
	if len(values) == 1 {
		v := bytes.TrimSpace(values[0])
		if len(v) > 0 && v[0] == '[' {
			var list []Prediction
			if err := json.Unmarshal(v, &list); err != nil {
				return nil, fmt.Errorf("evaluate: predictions list: %w", err)
			}
			return list, nil
		}
		if keyed, ok, err := keyedPredictions(v); ok || err != nil {
			return keyed, err
		}
	}
	out := make([]Prediction, 0, len(values))
	for i, v := range values {
		var p Prediction
		if err := json.Unmarshal(v, &p); err != nil {
			return nil, fmt.Errorf("evaluate: prediction %d: %w", i+1, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// keyedPredictions decodes {"<id>": {...}, ...}; ok is false when v is a
// single prediction object instead.
func keyedPredictions(v []byte) ([]Prediction, bool, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(v, &probe); err != nil {
		return nil, false, nil
	}
	if _, single := probe["instance_id"]; single {
		return nil, false, nil
	}
	out := make([]Prediction, 0, len(probe))
	for id, raw := range probe {
		var p Prediction
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, true, fmt.Errorf("evaluate: prediction %q: %w", id, err)
		}
		if p.InstanceID == "" {
			p.InstanceID = id
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].InstanceID < out[j].InstanceID })
	return out, true, nil
}
