package fakewandb

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Snapshot is the content of a server, comparable between two servers: it
// leaves out what legitimately differs between two equivalent sessions
// (storage IDs, request counts and times, `_runtime`, `_timestamp`, the
// summary's `_wandb` and console time stamps).
type Snapshot struct {
	Runs   map[string]RunSnapshot   `json:"runs"`   // by entity/project/name
	Sweeps map[string]SweepSnapshot `json:"sweeps"` // by entity/project/sweep ID
}

// RunSnapshot is one run's content.
type RunSnapshot struct {
	DisplayName string            `json:"display_name"`
	Group       string            `json:"group"`
	JobType     string            `json:"job_type"`
	Notes       string            `json:"notes"`
	Sweep       string            `json:"sweep"`
	Tags        []string          `json:"tags"`
	Config      map[string]any    `json:"config"`
	History     []map[string]any  `json:"history"` // by offset; nil entries for gaps
	Summary     map[string]any    `json:"summary"`
	Console     []string          `json:"console"`
	Files       map[string]string `json:"files"` // path → sha256
	Uploaded    []string          `json:"uploaded"`
	Complete    bool              `json:"complete"`
	ExitCode    *int              `json:"exit_code"`
}

// SweepSnapshot is one sweep's content.
type SweepSnapshot struct {
	DisplayName string `json:"display_name"`
	State       string `json:"state"`
	Config      string `json:"config"`
}

// Snapshot captures the server's content.
func (s *Server) Snapshot() Snapshot {
	snap := Snapshot{Runs: map[string]RunSnapshot{}, Sweeps: map[string]SweepSnapshot{}}
	for _, r := range s.Runs() {
		rs := RunSnapshot{DisplayName: r.DisplayName, Group: r.Group, JobType: r.JobType, Notes: r.Notes,
			Sweep: r.Sweep, Tags: r.Tags, Complete: r.Complete, ExitCode: r.ExitCode, Files: map[string]string{}}
		rs.Config, _ = decodeObject(r.Config)
		n := r.lineCount(historyFile)
		for off := 0; off < n; off++ {
			m, _ := decodeObject(r.Lines[historyFile][off])
			if m != nil {
				m = without(m, "_runtime", "_timestamp")
			}
			rs.History = append(rs.History, m)
		}
		if m, ok := decodeObject(r.Lines[summaryFile][0]); ok {
			rs.Summary = without(m, "_runtime", "_timestamp", "_wandb")
		}
		for _, l := range orderedLines(r.Lines[consoleFile]) {
			rs.Console = append(rs.Console, consoleStamp.ReplaceAllString(l, "${1}"))
		}
		for p, b := range r.Files {
			sum := sha256.Sum256(b)
			rs.Files[p] = hex.EncodeToString(sum[:])
		}
		rs.Uploaded = append([]string(nil), r.Uploaded...)
		sort.Strings(rs.Uploaded)
		snap.Runs[r.Entity+"/"+r.Project+"/"+r.Name] = rs
	}
	for _, sw := range s.Sweeps() {
		snap.Sweeps[sw.Entity+"/"+sw.Project+"/"+sw.Name] = SweepSnapshot{sw.DisplayName, sw.State, sw.Config}
	}
	return snap
}

// lineCount is one past the highest offset written to file.
func (r RunState) lineCount(file string) int {
	n := 0
	for off := range r.Lines[file] {
		n = max(n, off+1)
	}
	return n
}

// Equal reports whether two snapshots have the same content.
func (a Snapshot) Equal(b Snapshot) bool { return a.Diff(b) == "" }

// Diff describes the first differences between two snapshots ("" if none).
func (a Snapshot) Diff(b Snapshot) string {
	ja, _ := json.MarshalIndent(a, "", " ")
	jb, _ := json.MarshalIndent(b, "", " ")
	if string(ja) == string(jb) {
		return ""
	}
	la, lb := strings.Split(string(ja), "\n"), strings.Split(string(jb), "\n")
	var out []string
	for i := 0; i < max(len(la), len(lb)) && len(out) < 10; i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			out = append(out, fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, strings.TrimSpace(x), strings.TrimSpace(y)))
		}
	}
	return strings.Join(out, "\n")
}
