package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// trajGlobs find a batch's trajectories: `<id>/<id>.traj` (seed §8.1) or
// `<id>.traj` directly in the directory (older SWE-agent layout).
var trajGlobs = []string{"*.traj", filepath.Join("*", "*.traj")}

func trajFiles(dir string) []string {
	var out []string
	for _, g := range trajGlobs {
		m, _ := filepath.Glob(filepath.Join(dir, g))
		out = append(out, m...)
	}
	slices.Sort(out)
	return out
}

func hasTraj(dir string) bool { return len(trajFiles(dir)) > 0 }

// trajStats is a model-stats object of a .traj `info`, in the current
// layout (`tokens`) or the older one (`tokens_sent`).
type trajStats struct {
	InstanceCost *float64 `json:"instance_cost"`
	Tokens       *struct {
		RawInput    int `json:"raw_input"`
		CachedInput int `json:"cached_input"`
	} `json:"tokens"`
	TokensSent int `json:"tokens_sent"`
}

type trajFile struct {
	Trajectory []json.RawMessage `json:"trajectory"`
	Info       *struct {
		ExitStatus        *string    `json:"exit_status"`
		ModelStats        *trajStats `json:"model_stats"`
		AgentModelStats   *trajStats `json:"agent_model_stats"`
		SummaryModelStats *trajStats `json:"summary_model_stats"`
	} `json:"info"`
}

// addTrajDir reads a SWE-agent batch directory: one instance per .traj
// (id = file stem, turns = trajectory steps, cost as scripts/parse_trajectory.py
// computes it, seed §8.4) and the predictions for the submitted patches.
// Outcomes come from a report JSON given alongside.
func (s *Set) addTrajDir(dir string) error {
	e := s.fresh(filepath.Base(filepath.Clean(dir)), dir)
	e.addSource(dir)
	for _, p := range trajFiles(dir) {
		var t trajFile
		if err := readJSON(p, &t); err != nil {
			return err
		}
		if t.Info == nil {
			return fmt.Errorf("%s: field \"info\": missing", p)
		}
		agent, field := t.Info.AgentModelStats, "info.agent_model_stats"
		if agent == nil {
			agent, field = t.Info.ModelStats, "info.model_stats"
		}
		if agent == nil {
			return fmt.Errorf("%s: field \"info.model_stats\": missing", p)
		}
		if agent.InstanceCost == nil {
			return fmt.Errorf("%s: field %q: missing", p, field+".instance_cost")
		}
		in := e.instance(strings.TrimSuffix(filepath.Base(p), ".traj"))
		in.HasCost, in.Cost = true, *agent.InstanceCost
		if sm := t.Info.SummaryModelStats; sm != nil && sm.InstanceCost != nil {
			in.SummaryCost = *sm.InstanceCost
		}
		in.HasTurns, in.Turns = true, len(t.Trajectory)
		if t.Info.ExitStatus != nil {
			in.ExitStatus = *t.Info.ExitStatus
			in.Submitted = strings.HasPrefix(in.ExitStatus, "submitted")
		}
		for _, st := range []*trajStats{agent, t.Info.SummaryModelStats} {
			switch {
			case st == nil:
			case st.Tokens != nil:
				in.InputTokens += st.Tokens.RawInput + st.Tokens.CachedInput
				in.CachedTokens += st.Tokens.CachedInput
			default:
				in.InputTokens += st.TokensSent
			}
		}
	}
	return s.addPreds(e, dir)
}

type predEntry struct {
	Model      string  `json:"model_name_or_path"`
	InstanceID string  `json:"instance_id"`
	ModelPatch *string `json:"model_patch"`
}

// addPreds reads preds.json (an object keyed by instance id, seed §8.3) or
// all_preds.jsonl: an instance with a non-empty patch was submitted, and the
// model_name_or_path names the run in harness report file names.
func (s *Set) addPreds(e *Experiment, dir string) error {
	var preds []predEntry
	if p := filepath.Join(dir, "preds.json"); exists(p) {
		var m map[string]predEntry
		if err := readJSON(p, &m); err != nil {
			return err
		}
		for id, pr := range m {
			if pr.InstanceID == "" {
				pr.InstanceID = id
			}
			preds = append(preds, pr)
		}
	} else if p := filepath.Join(dir, "all_preds.jsonl"); exists(p) {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		for n := 1; sc.Scan(); n++ {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var pr predEntry
			if err := json.Unmarshal(sc.Bytes(), &pr); err != nil {
				return fmt.Errorf("%s:%d: %v", p, n, err)
			}
			if pr.InstanceID == "" {
				return fmt.Errorf("%s:%d: field \"instance_id\": missing", p, n)
			}
			preds = append(preds, pr)
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	for _, pr := range preds {
		if pr.Model != "" && !slices.Contains(e.aliases, pr.Model) {
			e.aliases = append(e.aliases, pr.Model)
		}
		if in, ok := e.byID[pr.InstanceID]; ok && pr.ModelPatch != nil && *pr.ModelPatch != "" {
			in.Submitted = true
		}
	}
	return nil
}
