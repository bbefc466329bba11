package fakewandb

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// SweepState is what the fake knows about a sweep.
type SweepState struct {
	Entity, Project string
	NodeID          string // GraphQL id (what upsertSweep(id:) takes)
	Name            string // the sweep ID
	DisplayName     string
	State           string
	Config          string // YAML as sent
	Controller      string
	Params          []string // top-level parameter names of the config
	Warnings        []string // configValidationWarnings of the last config
	Upserts         int
}

// sweepStates are the states upsertSweep accepts.
var sweepStates = map[string]bool{"PENDING": true, "RUNNING": true, "PAUSED": true, "CANCELED": true, "FINISHED": true}

// Sweeps returns every sweep, in creation order.
func (s *Server) Sweeps() []SweepState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SweepState, len(s.sweeps))
	for i, sw := range s.sweeps {
		out[i] = *sw
		out[i].Params = append([]string(nil), sw.Params...)
	}
	return out
}

// sweepID derives a deterministic 8-char [a-z0-9] ID, so two fresh servers
// given the same calls hand out the same IDs.
func sweepID(entity, project, display string, n int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%s/%d", entity, project, display, n)))
	id := strconv.FormatUint(binary.BigEndian.Uint64(sum[:8]), 36)
	return (strings.Repeat("0", 8) + id)[len(id):][:8]
}

// upsertSweep creates a sweep, or updates the one whose node id is given.
func (s *Server) upsertSweep(v map[string]any) (any, error) {
	var sw *SweepState
	if id := vstr(v, "id"); id != "" {
		for _, x := range s.sweeps {
			if x.NodeID == id {
				sw = x
			}
		}
		if sw == nil {
			return nil, fmt.Errorf("fake: no sweep with id %s", id)
		}
	} else {
		entity := orDefault(vstr(v, "entityName"), s.opts.Entity)
		project := vstr(v, "projectName")
		if project == "" {
			return nil, errors.New("fake: UpsertSweep without projectName")
		}
		display, n := vstr(v, "displayName"), 0
		for _, x := range s.sweeps {
			if x.Entity == entity && x.Project == project && x.DisplayName == display {
				n++
			}
		}
		name := sweepID(entity, project, display, n)
		sw = &SweepState{Entity: entity, Project: project, Name: name, NodeID: b64("Sweep:" + name),
			DisplayName: display, State: "PENDING"}
		s.sweeps = append(s.sweeps, sw)
	}
	warnings := []any{}
	if cfg, ok := v["config"].(string); ok {
		var parsed map[string]any
		if err := yaml.Unmarshal([]byte(cfg), &parsed); err != nil {
			s.violate("sweep %s: config is not a YAML mapping: %v", sw.Name, err)
		}
		errs, warns := checkSweepSchema(parsed)
		if len(errs) > 0 {
			s.violate("sweep %s: invalid sweep config: %s", sw.Name, strings.Join(errs, "; "))
			if vstr(v, "id") == "" {
				s.sweeps = s.sweeps[:len(s.sweeps)-1]
			}
			return nil, fmt.Errorf("Invalid sweep config: %s", strings.Join(errs, "; "))
		}
		for _, w := range warns {
			warnings = append(warnings, w)
		}
		params, _ := parsed["parameters"].(map[string]any)
		sw.Config, sw.Params, sw.Warnings = cfg, sortedKeys(params), warns
	}
	sw.Upserts++
	if st := vstr(v, "state"); st != "" && !sweepStates[st] {
		return nil, fmt.Errorf("invalid sweep state %q", st)
	}
	setStr(v, "state", &sw.State)
	setStr(v, "controller", &sw.Controller)
	setStr(v, "displayName", &sw.DisplayName)
	return map[string]any{"upsertSweep": map[string]any{
		"sweep":                    map[string]any{"id": sw.NodeID, "name": sw.Name, "project": projectJSON(sw.Entity, sw.Project)},
		"configValidationWarnings": warnings}}, nil
}

func sweepNode(sw *SweepState) map[string]any {
	return map[string]any{"id": sw.NodeID, "name": sw.Name, "displayName": sw.DisplayName,
		"state": sw.State, "config": sw.Config}
}

// getSweeps lists a project's sweeps, paginated by an index cursor.
func (s *Server) getSweeps(v map[string]any) any {
	entity, project := orDefault(vstr(v, "entity"), s.opts.Entity), vstr(v, "project")
	var all []*SweepState
	for _, sw := range s.sweeps {
		if sw.Entity == entity && sw.Project == project {
			all = append(all, sw)
		}
	}
	start, _ := strconv.Atoi(vstr(v, "cursor"))
	per := 50
	if f, ok := v["perPage"].(float64); ok && f > 0 {
		per = int(f)
	}
	start = min(start, len(all))
	end := min(start+per, len(all))
	edges := []any{}
	for i := start; i < end; i++ {
		edges = append(edges, map[string]any{"node": sweepNode(all[i]), "cursor": strconv.Itoa(i + 1)})
	}
	return map[string]any{"project": map[string]any{"totalSweeps": len(all), "sweeps": map[string]any{
		"edges": edges, "pageInfo": map[string]any{"endCursor": strconv.Itoa(end), "hasNextPage": end < len(all)}}}}
}

// getSweep finds a sweep by its ID.
func (s *Server) getSweep(v map[string]any) any {
	entity, project := orDefault(vstr(v, "entity"), s.opts.Entity), vstr(v, "project")
	for _, sw := range s.sweeps {
		if sw.Entity == entity && sw.Project == project && sw.Name == vstr(v, "name") {
			return map[string]any{"project": map[string]any{"sweep": sweepNode(sw)}}
		}
	}
	return map[string]any{"project": map[string]any{"sweep": nil}}
}

// checkSweepRun asserts §12.3 rule 12: a sweep run exists in a known sweep
// and has a config key {"value": …} for every sweep parameter.
func (s *Server) checkSweepRun(r *runState) {
	var sw *SweepState
	for _, x := range s.sweeps {
		if x.Entity == r.Entity && x.Project == r.Project && x.Name == r.Sweep {
			sw = x
		}
	}
	if sw == nil {
		s.violate("run %s: unknown sweep %q in %s/%s", r.Name, r.Sweep, r.Entity, r.Project)
		return
	}
	cfg, _ := decodeObject(r.Config)
	var missing []string
	for _, p := range sw.Params {
		if e, ok := cfg[p].(map[string]any); !ok || e["value"] == nil {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		s.violate("run %s: sweep %s parameters missing from config: %s", r.Name, sw.Name, strings.Join(missing, ", "))
	}
}
