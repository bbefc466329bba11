package wandb

import (
	"sort"
	"strings"
)

// metricDefs turns RunSpec.XAxes (metric pattern → step metric) into the
// `_wandb.value.m` define_metric records of the run config (protocol §4).
//
// Every step metric gets its own record {"1": name, "6": [3], "7": []}.
// Exact names and, on servers with EXPAND_DEFINED_METRIC_GLOBS, glob patterns
// get a record pointing at their step metric via the 1-based index "5", with
// options step_sync (1) and defined (3). Other servers need concrete names,
// so the client expands globs itself: every history or summary key that
// matches a glob gets a record {"1": key, "5": i, "6": [1], "7": []}. Records
// are ordered deterministically (step metrics first, then sorted), so the
// same keys always give the same config.
type metricDefs struct {
	xaxes map[string]string
	globs bool            // the server expands globs itself
	names map[string]bool // concrete names expanded from globs
}

func newMetricDefs(xaxes map[string]string, serverGlobs bool) *metricDefs {
	return &metricDefs{xaxes: xaxes, globs: serverGlobs, names: map[string]bool{}}
}

// stepMetrics returns the sorted distinct step metrics.
func (d *metricDefs) stepMetrics() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range d.xaxes {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// patterns returns the sorted XAxes keys.
func (d *metricDefs) patterns() []string {
	out := make([]string, 0, len(d.xaxes))
	for p := range d.xaxes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// observe records keys that match a glob; it reports whether the set of
// records changed (so the config must be re-sent).
func (d *metricDefs) observe(keys []string) bool {
	if d.globs || len(d.xaxes) == 0 {
		return false
	}
	changed := false
	for _, k := range keys {
		if d.names[k] || strings.HasPrefix(k, "_") {
			continue
		}
		if _, exact := d.xaxes[k]; exact {
			continue
		}
		if d.matchGlob(k) != "" {
			d.names[k] = true
			changed = true
		}
	}
	return changed
}

// matchGlob returns the first (sorted) glob pattern matching name.
func (d *metricDefs) matchGlob(name string) string {
	for _, p := range d.patterns() {
		if strings.Contains(p, "*") && globMatch(p, name) {
			return p
		}
	}
	return ""
}

// encode returns the `m` array.
func (d *metricDefs) encode() []any {
	steps := d.stepMetrics()
	index := map[string]int{}
	m := []any{}
	for i, s := range steps {
		index[s] = i + 1
		m = append(m, map[string]any{"1": s, "6": []int{3}, "7": []int{}})
	}
	for _, p := range d.patterns() {
		if _, isStep := index[p]; isStep || d.xaxes[p] == "" {
			continue
		}
		switch {
		case !strings.Contains(p, "*"):
			m = append(m, map[string]any{"1": p, "5": index[d.xaxes[p]], "6": []int{1, 3}, "7": []int{}})
		case d.globs:
			m = append(m, map[string]any{"2": p, "5": index[d.xaxes[p]], "6": []int{1, 3}, "7": []int{}})
		}
	}
	names := make([]string, 0, len(d.names))
	for n := range d.names {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, isStep := index[n]; isStep {
			continue
		}
		if p := d.matchGlob(n); p != "" {
			m = append(m, map[string]any{"1": n, "5": index[d.xaxes[p]], "6": []int{1}, "7": []int{}})
		}
	}
	return m
}

// globMatch matches name against a pattern whose only wildcard is "*"
// (any run of characters, "/" included, like Python's fnmatch).
func globMatch(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == name
	}
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	for i := 1; i < len(parts)-1; i++ {
		j := strings.Index(name, parts[i])
		if j < 0 {
			return false
		}
		name = name[j+len(parts[i]):]
	}
	return strings.HasSuffix(name, parts[len(parts)-1])
}
