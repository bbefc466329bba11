package fakewandb

import (
	"crypto/sha256"
	"encoding/hex"
)

// checkConfig asserts §12.3 rules 8 and 9 on a config variable: it parses,
// every top-level value is {"value": …}, `_wandb.value.t` exists, and the
// metric records of `_wandb.value.m` use only keys 1,2,5,6,7,8 with every
// "5" pointing (1-based) at a record that has a "1" name.
func (s *Server) checkConfig(r *runState, cfg string) {
	m, ok := decodeObject(cfg)
	if !ok {
		s.violate("run %s: config is not a JSON object", r.Name)
		return
	}
	for _, k := range sortedKeys(m) {
		if e, ok := m[k].(map[string]any); !ok || !hasKey(e, "value") {
			s.violate("run %s: config key %q is not {\"value\": ...}", r.Name, k)
		}
	}
	w, _ := m["_wandb"].(map[string]any)
	wv, _ := w["value"].(map[string]any)
	if wv["t"] == nil {
		s.violate("run %s: config lacks _wandb.value.t (run not resumable)", r.Name)
	}
	recs, _ := wv["m"].([]any)
	for i, x := range recs {
		e, ok := x.(map[string]any)
		if !ok {
			s.violate("run %s: _wandb.value.m[%d] is not an object", r.Name, i)
			continue
		}
		for k := range e {
			switch k {
			case "1", "2", "5", "6", "7", "8":
			default:
				s.violate("run %s: _wandb.value.m[%d] has key %q", r.Name, i, k)
			}
		}
		if idx, ok := e["5"].(float64); ok {
			j := int(idx)
			if j < 1 || j > len(recs) {
				s.violate("run %s: _wandb.value.m[%d] step index %d out of range", r.Name, i, j)
			} else if t, _ := recs[j-1].(map[string]any); t == nil || t["1"] == nil {
				s.violate("run %s: _wandb.value.m[%d] step index %d names no metric", r.Name, i, j)
			}
		}
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

// checkTables asserts §12.3 rule 11 on every table-file value inside v: the
// file was uploaded, and sha256, size, ncols and nrows match its content.
func (s *Server) checkTables(r *runState, v any, where string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			s.checkTables(r, e, where)
		}
	case map[string]any:
		if x["_type"] != "table-file" {
			for _, k := range sortedKeys(x) {
				s.checkTables(r, x[k], where)
			}
			return
		}
		path, _ := x["path"].(string)
		data, ok := r.Files[path]
		if !ok {
			s.violate("run %s: %s: table %q was not uploaded first", r.Name, where, path)
			return
		}
		sum := sha256.Sum256(data)
		var tbl struct {
			Columns []any   `json:"columns"`
			Data    [][]any `json:"data"`
		}
		err := decodeLenient(data, &tbl)
		for _, c := range []struct {
			ok   bool
			what string
		}{
			{x["sha256"] == hex.EncodeToString(sum[:]), "sha256"},
			{x["size"] == float64(len(data)), "size"},
			{err == nil && tbl.Columns != nil && tbl.Data != nil, "content {columns, data}"},
			{x["ncols"] == float64(len(tbl.Columns)), "ncols"},
			{x["nrows"] == float64(len(tbl.Data)), "nrows"},
		} {
			if !c.ok {
				s.violate("run %s: %s: table %q has a wrong %s", r.Name, where, path, c.what)
			}
		}
	}
}

// checkComplete asserts §12.3 rule 10 at completion: every path handed out
// by CreateRunFiles was PUT and reported in "uploaded".
func (s *Server) checkComplete(r *runState) {
	for _, p := range sortedKeys(r.createdURLs) {
		if _, ok := r.Files[p]; !ok {
			s.violate("run %s: %s was never uploaded", r.Name, p)
		} else if !contains(r.Uploaded, p) {
			s.violate("run %s: %s not reported in \"uploaded\" before complete", r.Name, p)
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// checkHistoryLine asserts §12.3 rule 2 on a new history line at off.
func (s *Server) checkHistoryLine(r *runState, off int, m map[string]any) {
	step, ok := m["_step"].(float64)
	if !ok || step != float64(int(step)) {
		s.violate("run %s: history line %d has no integer _step", r.Name, off)
	}
	rt, ok := m["_runtime"].(float64)
	if !ok {
		s.violate("run %s: history line %d has no float _runtime", r.Name, off)
	}
	if _, ok := m["_timestamp"].(float64); !ok {
		s.violate("run %s: history line %d has no float _timestamp", r.Name, off)
	}
	prev, ok := decodeObject(r.Lines[historyFile][off-1])
	if off == 0 || !ok {
		return
	}
	if ps, _ := prev["_step"].(float64); ps+1 != step {
		s.violate("run %s: history line %d: _step %v does not follow %v", r.Name, off, step, ps)
	}
	if prt, _ := prev["_runtime"].(float64); rt < prt {
		s.violate("run %s: history line %d: _runtime %v decreased from %v", r.Name, off, rt, prt)
	}
}
