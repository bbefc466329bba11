package ui

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// progress is one sweep's line on the sweeps page (and its JSON for the
// page's polling).
type progress struct {
	Key            string  `json:"key"`
	Title          string  `json:"title"`
	Imported       bool    `json:"imported"`
	State          string  `json:"state"`
	Source         string  `json:"source"` // "temporal" or "files"
	TrialsDone     int     `json:"trials_done"`
	TrialsTotal    int     `json:"trials_total"` // 0: unknown
	TrialsRunning  int     `json:"trials_running"`
	TrialsFailed   int     `json:"trials_failed"`
	InstancesDone  int     `json:"instances_done"`
	InstancesTotal int     `json:"instances_total"` // 0: unknown
	InstancesRun   int     `json:"instances_running"`
	InstancesFail  int     `json:"instances_failed"` // ended with an error exit status
	Cost           float64 `json:"cost"`
	ETA            string  `json:"eta"`
	Live           bool    `json:"live"` // still running: the page keeps polling
}

// liveTimeout bounds a Temporal query; past it the files answer.
const liveTimeout = 3 * time.Second

// progressAll returns every sweep's progress: from Temporal for running
// sweeps when a server answers, from the files otherwise.
func (s *Server) progressAll(ctx context.Context) []progress {
	var states map[string]string
	if s.cfg.Live != nil {
		qctx, cancel := context.WithTimeout(ctx, liveTimeout)
		states, _ = s.cfg.Live.Sweeps(qctx)
		cancel()
	}
	var out []progress
	seen := map[string]bool{}
	for _, sw := range s.sweeps() {
		seen[sw.Key] = true
		out = append(out, s.progressOf(ctx, sw, states))
	}
	for name, st := range states { // running, with no outputs yet
		if st == "Running" && !seen[name] {
			out = append(out, s.progressOf(ctx, sweepRef{Key: name, Title: name, Dir: filepath.Join(s.runsDir(), name)}, states))
		}
	}
	return out
}

func (s *Server) progressOf(ctx context.Context, sw sweepRef, states map[string]string) progress {
	p := progress{Key: sw.Key, Title: sw.Title, Imported: sw.Imported, Source: "files"}
	if st, ok := states[sw.Key]; ok && st == "Running" && s.cfg.Live != nil {
		qctx, cancel := context.WithTimeout(ctx, liveTimeout)
		ss, err := s.cfg.Live.Status(qctx, sw.Key)
		cancel()
		if err == nil {
			return fromStatus(p, ss, s.cfg.Now())
		}
	}
	s.progressFromFiles(sw, &p)
	if st, ok := states[sw.Key]; ok {
		p.State = st
	}
	return p
}

func fromStatus(p progress, st workflows.SweepStatus, now time.Time) progress {
	p.Source, p.Live = "temporal", true
	p.State = st.State
	p.TrialsDone, p.TrialsRunning, p.TrialsFailed = st.Done, st.Running, st.Failed
	p.TrialsTotal = max(st.Planned, len(st.Trials))
	p.InstancesDone, p.InstancesTotal, p.Cost = st.Instances, st.Total, st.Cost
	p.ETA = "--"
	if el := now.Sub(st.Started); st.Instances > 0 && st.Total > st.Instances && !st.Started.IsZero() && el > 0 {
		p.ETA = (el / time.Duration(st.Instances) * time.Duration(st.Total-st.Instances)).Round(time.Second).String()
	} else if st.Total > 0 && st.Total == st.Instances {
		p.ETA = "finishing"
	}
	return p
}

// progressFromFiles counts finished trials (results.json), records and
// started instances without a record.
func (s *Server) progressFromFiles(sw sweepRef, p *progress) {
	ts, err := s.trials(sw)
	if err != nil {
		p.State = "unreadable: " + err.Error()
		return
	}
	p.TrialsTotal = len(ts)
	if sw.Imported { // counted, not read: imports can be thousands of large files
		for _, t := range ts {
			n := len(trajFiles(t.Dir))
			p.TrialsDone, p.InstancesDone, p.InstancesTotal = p.TrialsDone+1, p.InstancesDone+n, p.InstancesTotal+n
		}
		p.State, p.ETA = "imported", "--"
		return
	}
	finished := true
	for _, t := range ts {
		rows, err := s.instances(t)
		if err != nil {
			continue
		}
		done := exists(filepath.Join(t.Dir, "results.json"))
		if done {
			p.TrialsDone++
		} else {
			finished = false
		}
		for _, r := range rows {
			if r.Running {
				p.InstancesRun++
				continue
			}
			p.InstancesDone++
			p.Cost += r.Cost
			if isFailure(r.ExitStatus) {
				p.InstancesFail++
			}
		}
		if done {
			p.InstancesTotal += len(rows)
		}
	}
	switch {
	case finished && len(ts) > 0:
		p.State = "finished"
	default:
		p.State = "incomplete"
		if s.serverAlive() {
			p.State = "running (server not answering)"
		}
	}
	if !finished {
		p.InstancesTotal = 0 // unknown from the files
	}
	p.ETA = "--"
}

// serverAlive reports whether the data directory's server.json names a
// live process.
func (s *Server) serverAlive() bool {
	b, err := os.ReadFile(filepath.Join(s.cfg.DataDir, "server.json"))
	if err != nil {
		return false
	}
	var info struct {
		PID int `json:"pid"`
	}
	return json.Unmarshal(b, &info) == nil && info.PID > 0 && processAlive(info.PID)
}

func isFailure(status string) bool {
	return strings.HasPrefix(status, "exit_") || status == "error" || status == "failed"
}
