package wandb

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// RunSpec describes a run. The same ID always denotes the same run: a second
// UpsertRun with it resumes the run instead of creating another.
type RunSpec struct {
	ID      string         `json:"id"`             // our deterministic run id (W&B run "name")
	Name    string         `json:"name,omitempty"` // display name
	Entity  string         `json:"entity,omitempty"`
	Project string         `json:"project,omitempty"`
	Group   string         `json:"group,omitempty"`
	JobType string         `json:"job_type,omitempty"`
	Tags    []string       `json:"tags,omitempty"`
	Notes   string         `json:"notes,omitempty"`
	Config  map[string]any `json:"config,omitempty"`
	SweepID string         `json:"sweep_id,omitempty"`
	// Sweep, when SweepID is empty, is created or found by name with
	// UpsertSweep and its ID attached (useful when the sweep was never created
	// because the server was down).
	Sweep *SweepSpec `json:"sweep,omitempty"`
	// XAxes maps a metric name or glob ("step/*") to its step metric
	// ("global_step"): the run config's define_metric records. Step metrics
	// are defined automatically; an entry with an empty step metric is ignored.
	XAxes map[string]string `json:"x_axes,omitempty"`
	// StartTime anchors `_runtime`; zero means "now" for a new run and the
	// run's recorded start when resuming.
	StartTime time.Time `json:"start_time,omitzero"`
}

// SweepSpec names a sweep to create or find (see Client.UpsertSweep).
type SweepSpec struct {
	Name       string `json:"name"`
	ConfigYAML string `json:"config_yaml"`
}

// Run is a created or resumed run. Its methods are safe for concurrent use;
// file_stream requests of one Run are serialized (one in flight).
type Run struct {
	ID, StorageID, Entity, Project, DisplayName, SweepID string
	StartTime                                            time.Time
	Resumed                                              bool // the run existed before UpsertRun
	HistoryLineCount                                     int  // server's history lines at UpsertRun

	mu       sync.Mutex
	spec     RunSpec
	user     map[string]any // encoded user config ({"k": {"value": v}})
	extra    map[string]any // old `_wandb` subkeys kept on resume
	metrics  *metricDefs
	dirty    bool           // metric records changed, config not yet re-sent
	summary  map[string]any // full summary as last sent
	stopped  bool
	finished bool
}

// Stopped reports whether the server asked the run to stop (file_stream
// response "stopped": true, e.g. the UI's Stop button).
func (r *Run) Stopped() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.stopped }

// Summary returns a copy of the run's current summary.
func (r *Run) Summary() map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return cloneJSON(r.summary).(map[string]any)
}

// resumeBucket is the RunResumeStatus bucket.
type resumeBucket struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	SummaryMetrics   *string  `json:"summaryMetrics"`
	DisplayName      string   `json:"displayName"`
	HistoryLineCount int      `json:"historyLineCount"`
	LogLineCount     int      `json:"logLineCount"`
	HistoryTail      *string  `json:"historyTail"`
	Config           *string  `json:"config"`
	Tags             []string `json:"tags"`
}

// UpsertRun creates the run spec.ID or resumes it (protocol §2): it reads
// RunResumeStatus, merges the old config as the SDK does, and calls
// UpsertBucket with the storage ID when the run exists.
func (c *Client) UpsertRun(ctx context.Context, spec RunSpec) (*Run, error) {
	if spec.ID == "" || strings.ContainsAny(spec.ID, ":;,#?/'") {
		return nil, fmt.Errorf("wandb: invalid run id %q", spec.ID)
	}
	if spec.Project == "" {
		spec.Project = c.settings.Project
	}
	if spec.Entity == "" {
		spec.Entity = c.settings.Entity
	}
	if spec.Project == "" {
		return nil, fmt.Errorf("wandb: run %s: no project", spec.ID)
	}
	if spec.SweepID == "" && spec.Sweep != nil && spec.Sweep.Name != "" {
		id, err := c.UpsertSweep(ctx, spec.Entity, spec.Project, spec.Sweep.Name, spec.Sweep.ConfigYAML)
		if err != nil {
			return nil, err
		}
		spec.SweepID = id
	}
	feats, err := c.serverFeatures(ctx)
	if err != nil {
		return nil, err
	}
	user, err := encodeUserConfig(spec.Config)
	if err != nil {
		return nil, err
	}
	var status struct {
		Model *struct {
			Bucket *resumeBucket `json:"bucket"`
		} `json:"model"`
	}
	vars := map[string]any{"project": spec.Project, "entity": nullIfEmpty(spec.Entity), "name": spec.ID}
	if err := c.graphql(ctx, "RunResumeStatus", qRunResumeStatus, vars, &status); err != nil {
		return nil, err
	}
	r := &Run{spec: spec, user: user, extra: map[string]any{}, summary: map[string]any{},
		metrics: newMetricDefs(spec.XAxes, feats["EXPAND_DEFINED_METRIC_GLOBS"])}
	var old *resumeBucket
	if status.Model != nil {
		old = status.Model.Bucket
	}
	if old != nil {
		r.resumeFrom(old)
	}
	if err := c.upsertBucket(ctx, r, true); err != nil {
		return nil, err
	}
	r.StartTime = spec.StartTime
	if r.StartTime.IsZero() {
		r.StartTime = c.Now()
		if old != nil {
			r.StartTime = startFromTail(old, r.StartTime)
		}
	}
	return r, nil
}

// resumeFrom applies the old run's state (§2.3): config merge, summary,
// metric names already defined, tags and notes kept when the new are empty.
func (r *Run) resumeFrom(b *resumeBucket) {
	r.Resumed, r.StorageID, r.HistoryLineCount = true, b.ID, b.HistoryLineCount
	if b.Config != nil {
		r.extra = mergeOldConfig(r.user, *b.Config)
		r.metrics.observe(metricNamesFromConfig(*b.Config))
	}
	if b.SummaryMetrics != nil {
		var s any
		if decodeLenient([]byte(*b.SummaryMetrics), &s) == nil {
			if m, ok := s.(map[string]any); ok {
				r.summary = m
				r.metrics.observe(keysOf(m))
			}
		}
	}
}

// startFromTail recovers the run's start from the last history line:
// `_timestamp` − `_runtime`.
func startFromTail(b *resumeBucket, def time.Time) time.Time {
	if b.HistoryTail == nil {
		return def
	}
	var tail any
	if decodeLenient([]byte(*b.HistoryTail), &tail) != nil {
		return def
	}
	lines, _ := tail.([]any)
	if len(lines) == 0 {
		return def
	}
	s, _ := lines[len(lines)-1].(string)
	var row any
	if decodeLenient([]byte(s), &row) != nil {
		return def
	}
	m, _ := row.(map[string]any)
	ts, ok1 := m["_timestamp"].(float64)
	rt, ok2 := m["_runtime"].(float64)
	if !ok1 || !ok2 {
		return def
	}
	return time.Unix(0, int64((ts-rt)*1e9))
}

// upsertBucket sends the run (full=true: every field of the spec; false:
// only the identity and the config, leaving the rest unchanged) and adopts
// the server's canonical identity.
func (c *Client) upsertBucket(ctx context.Context, r *Run, full bool) error {
	cfg, err := configJSON(r.user, r.extra, r.metrics.encode())
	if err != nil {
		return err
	}
	s := r.spec
	vars := map[string]any{"id": nullIfEmpty(r.StorageID), "name": s.ID, "project": s.Project,
		"entity": nullIfEmpty(s.Entity), "config": cfg, "groupName": nil, "description": nil,
		"displayName": nil, "notes": nil, "commit": nil, "host": nil, "debug": nil, "program": nil,
		"repo": nil, "jobType": nil, "state": nil, "sweep": nil, "tags": nil, "summaryMetrics": nil}
	if full {
		vars["groupName"], vars["displayName"] = nullIfEmpty(s.Group), nullIfEmpty(s.Name)
		vars["notes"], vars["jobType"] = nullIfEmpty(s.Notes), nullIfEmpty(s.JobType)
		vars["sweep"] = nullIfEmpty(s.SweepID)
		if s.Tags != nil {
			vars["tags"] = s.Tags
		}
	}
	var out struct {
		UpsertBucket struct {
			Bucket struct {
				ID, Name, DisplayName, SweepName string
				HistoryLineCount                 int
				Project                          struct {
					Name   string
					Entity struct{ Name string }
				}
			}
		}
	}
	if err := c.graphql(ctx, "UpsertBucket", qUpsertBucket, vars, &out); err != nil {
		return err
	}
	b := out.UpsertBucket.Bucket
	r.StorageID, r.ID, r.DisplayName, r.SweepID = b.ID, b.Name, b.DisplayName, b.SweepName
	r.Project, r.Entity = b.Project.Name, b.Project.Entity.Name
	r.spec.Entity = r.Entity
	if full {
		r.HistoryLineCount = b.HistoryLineCount
	}
	r.dirty = false
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
