package fakewandb

import (
	"sort"
	"time"
)

// runState is the server-side state of one run.
type runState struct {
	RunState
	created     time.Time
	createdURLs map[string]bool // paths handed out by CreateRunFiles
	inflight    int             // concurrent file_stream requests
	lastFS      time.Time
	sealed      bool // complete and not resumed since: data now is a violation
}

// RunState is a copy of what the fake knows about a run.
type RunState struct {
	Entity, Project, Name string
	StorageID             string
	DisplayName           string
	Group, JobType, Notes string
	Sweep                 string // sweep ID (UpsertBucket "sweep")
	Tags                  []string
	Config                string                    // latest config JSON string
	ConfigVersions        []string                  // every distinct config, in order
	Lines                 map[string]map[int]string // file name → offset → line
	Files                 map[string][]byte         // uploaded run files by path
	UploadHeaders         map[string][]string       // path → X-Fake-Upload values seen
	Uploaded              []string                  // paths reported in "uploaded"
	Complete              bool
	ExitCode              *int
	Preempting, Stopped   bool
	Upserts               int // UpsertBucket calls
	Resumes               int // UpsertBucket calls on an existing run
	Requests              int // requests naming the run
	Duplicates            int // lines re-sent at an existing offset with the same data
	FileStreamTimes       []time.Time
	StateOverride         string // set by UpdateRunState
	Crashes               int    // requests that came after a gap over CrashAfter
	RateLimited           int    // file_stream requests refused with 429 by RateLimit
}

// copyState deep-copies the exported state.
func (r *runState) copyState() RunState {
	c := r.RunState
	c.Tags = append([]string(nil), r.Tags...)
	c.ConfigVersions = append([]string(nil), r.ConfigVersions...)
	c.Uploaded = append([]string(nil), r.Uploaded...)
	c.FileStreamTimes = append([]time.Time(nil), r.FileStreamTimes...)
	c.Lines = map[string]map[int]string{}
	for f, m := range r.Lines {
		c.Lines[f] = map[int]string{}
		for k, v := range m {
			c.Lines[f][k] = v
		}
	}
	c.Files = map[string][]byte{}
	for k, v := range r.Files {
		c.Files[k] = append([]byte(nil), v...)
	}
	c.UploadHeaders = map[string][]string{}
	for k, v := range r.UploadHeaders {
		c.UploadHeaders[k] = append([]string(nil), v...)
	}
	if r.ExitCode != nil {
		code := *r.ExitCode
		c.ExitCode = &code
	}
	return c
}

// orderedLines returns a file's lines in offset order (gaps skipped).
func orderedLines(m map[int]string) []string {
	offs := make([]int, 0, len(m))
	for o := range m {
		offs = append(offs, o)
	}
	sort.Ints(offs)
	out := make([]string, len(offs))
	for i, o := range offs {
		out[i] = m[o]
	}
	return out
}

// Runs returns every run, ordered by entity/project/name.
func (s *Server) Runs() []RunState {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []RunState
	for _, k := range sortedKeys(s.runs) {
		out = append(out, s.runs[k].copyState())
	}
	return out
}

// Run returns the run named id (the run ID, in any entity/project).
func (s *Server) Run(id string) (RunState, bool) {
	for _, r := range s.Runs() {
		if r.Name == id {
			return r, true
		}
	}
	return RunState{}, false
}

// History returns the run's history rows in offset order.
func (s *Server) History(id string) []map[string]any {
	r, _ := s.Run(id)
	var out []map[string]any
	for _, l := range orderedLines(r.Lines[historyFile]) {
		if m, ok := decodeObject(l); ok {
			out = append(out, m)
		}
	}
	return out
}

// Summary returns the run's summary (the last summary line).
func (s *Server) Summary(id string) map[string]any {
	r, _ := s.Run(id)
	m, _ := decodeObject(r.Lines[summaryFile][0])
	return m
}

// Console returns the run's output.log lines in offset order.
func (s *Server) Console(id string) []string {
	r, _ := s.Run(id)
	return orderedLines(r.Lines[consoleFile])
}

// StopRun flags the run so file_stream responses say "stopped": true.
func (s *Server) StopRun(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.runs {
		if r.Name == id {
			r.Stopped = true
		}
	}
}

// State derives the run state: finished or failed once complete (by exit
// code), crashed when silent for CrashAfter, else running.
func (s *Server) State(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.runs {
		if r.Name != id {
			continue
		}
		switch {
		case r.StateOverride != "":
			return r.StateOverride
		case r.Complete && r.ExitCode != nil && *r.ExitCode == 0:
			return "finished"
		case r.Complete:
			return "failed"
		}
		last := r.lastFS
		if last.IsZero() {
			last = r.created
		}
		if s.opts.CrashAfter > 0 && s.opts.Now().Sub(last) > s.opts.CrashAfter {
			return "crashed"
		}
		return "running"
	}
	return ""
}
