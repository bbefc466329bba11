package wandb

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Protocol limits (§3.8): a line over maxLineBytes is refused by the server;
// a request body stays under maxRequestBytes.
const (
	maxLineBytes    = 10383360
	maxRequestBytes = 10<<20 - 64<<10
)

// File names of the file_stream protocol.
const (
	historyFile = "wandb-history.jsonl"
	summaryFile = "wandb-summary.json"
	consoleFile = "output.log"
)

type fsFile struct {
	Offset  int      `json:"offset"`
	Content []string `json:"content"`
}

type fsRequest struct {
	Files    map[string]fsFile `json:"files,omitempty"`
	Uploaded []string          `json:"uploaded,omitempty"`
	Complete bool              `json:"complete,omitempty"`
	ExitCode *int              `json:"exitcode,omitempty"`
}

// post sends one file_stream request; the caller holds r.mu, so requests of
// a run never overlap.
func (c *Client) post(ctx context.Context, r *Run, req fsRequest) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	u := fmt.Sprintf("%s/files/%s/%s/%s/file_stream", c.settings.base(),
		url.PathEscape(r.Entity), url.PathEscape(r.Project), url.PathEscape(r.ID))
	resp, err := c.do(ctx, request{op: "file_stream", method: http.MethodPost, url: u, body: body,
		auth: true, policy: c.FileStreamRetry, header: http.Header{"Content-Type": {"application/json"}}})
	if err != nil {
		return err
	}
	var fb struct {
		Stopped bool `json:"stopped"`
	}
	if json.Unmarshal(resp, &fb) == nil && fb.Stopped {
		r.stopped = true
	}
	return nil
}

// postLines sends lines of one file starting at offset, split so no request
// is too large; extra (summary, uploaded, complete) rides on the last one.
func (c *Client) postLines(ctx context.Context, r *Run, file string, offset int, lines []string, extra fsRequest) error {
	for start := 0; start < len(lines) || start == 0; {
		end, size := start, 0
		for end < len(lines) && (end == start || size+len(lines[end])+8 <= maxRequestBytes) {
			size += len(lines[end]) + 8
			end++
		}
		req := fsRequest{Files: map[string]fsFile{}}
		if end > start {
			req.Files[file] = fsFile{Offset: offset + start, Content: lines[start:end]}
		}
		if end >= len(lines) {
			for k, v := range extra.Files {
				req.Files[k] = v
			}
			req.Uploaded, req.Complete, req.ExitCode = extra.Uploaded, extra.Complete, extra.ExitCode
		}
		if err := c.post(ctx, r, req); err != nil {
			return err
		}
		if start = end; end >= len(lines) {
			return nil
		}
	}
	return nil
}

// WriteHistory writes rows as history lines offset … offset+len(rows)−1.
// Each row gets `_step` = its offset, and `_timestamp` (Unix seconds) and
// `_runtime` (seconds since the run's start) unless the row already has
// them. Writing the same offset again (a retry or a replay) overwrites that
// line in place and never adds a row. Rows at or after the summary's `_step`
// also update the summary, which is sent in the same request.
func (c *Client) WriteHistory(ctx context.Context, r *Run, offset int, rows []map[string]any) error {
	return c.writeHistory(ctx, r, offset, rows, true)
}

func (c *Client) writeHistory(ctx context.Context, r *Run, offset int, rows []map[string]any, withSummary bool) error {
	if offset < 0 {
		return fmt.Errorf("wandb: negative history offset %d", offset)
	}
	if len(rows) == 0 {
		return nil
	}
	lines, norm, err := historyLines(rows, offset, c.Now(), r.StartTime)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	sum := r.summary
	var extra fsRequest
	for _, row := range norm {
		r.dirty = r.metrics.observe(keysOf(row)) || r.dirty
	}
	if withSummary {
		sum = cloneJSON(r.summary).(map[string]any)
		changed := false
		for i, row := range norm {
			changed = applyRow(sum, offset+i, row) || changed
		}
		if changed {
			line, err := marshalLine(sum)
			if err != nil {
				return err
			}
			extra.Files = map[string]fsFile{summaryFile: {Content: []string{string(line)}}}
		}
	}
	if err := c.syncConfig(ctx, r); err != nil {
		return err
	}
	if err := c.postLines(ctx, r, historyFile, offset, lines, extra); err != nil {
		return err
	}
	r.summary = sum
	return nil
}

// historyLines stamps and encodes rows; it also returns them normalized.
func historyLines(rows []map[string]any, offset int, now, start time.Time) ([]string, []map[string]any, error) {
	lines := make([]string, len(rows))
	norm := make([]map[string]any, len(rows))
	for i, row := range rows {
		v, err := normalize(row)
		if err != nil {
			return nil, nil, fmt.Errorf("wandb: history row %d: %w", offset+i, err)
		}
		m, _ := v.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		stampRow(m, offset+i, now, start)
		b, err := marshalLine(m)
		if err != nil {
			return nil, nil, err
		}
		if len(b) > maxLineBytes {
			return nil, nil, fmt.Errorf("wandb: history row %d is %d bytes (limit %d)", offset+i, len(b), maxLineBytes)
		}
		lines[i], norm[i] = string(b), m
	}
	return lines, norm, nil
}

// stampRow sets `_step` and, when absent, `_timestamp` and `_runtime`.
func stampRow(m map[string]any, step int, now, start time.Time) {
	m["_step"] = step
	if _, ok := m["_timestamp"]; !ok {
		m["_timestamp"] = float64(now.UnixMicro()) / 1e6
	}
	if _, ok := m["_runtime"]; !ok {
		rt := now.Sub(start).Seconds()
		if start.IsZero() || rt < 0 {
			rt = 0
		}
		m["_runtime"] = rt
	}
}

// applyRow merges a history row into the summary unless the row is not
// newer than the summary's `_step` (a replay). It reports a change.
func applyRow(sum map[string]any, offset int, row map[string]any) bool {
	if s, ok := toInt(sum["_step"]); ok && offset <= s {
		return false
	}
	for k, v := range row {
		sum[k] = v
	}
	if rt, ok := row["_runtime"].(float64); ok {
		setRuntime(sum, rt)
	}
	return true
}

// setRuntime records the run's runtime in the summary as wandb-core does:
// `"_wandb": {"runtime": <whole seconds>}`; it never goes back.
func setRuntime(sum map[string]any, seconds float64) {
	w, _ := sum["_wandb"].(map[string]any)
	if w == nil {
		w = map[string]any{}
	}
	old, _ := toInt(w["runtime"])
	if s := int(seconds); s > old {
		w["runtime"] = s
	} else {
		w["runtime"] = old
	}
	sum["_wandb"] = w
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case float64:
		return int(x), true
	case json.Number:
		n, err := x.Int64()
		return int(n), err == nil
	}
	return 0, false
}

// syncConfig re-sends the config when new metric records appeared.
func (c *Client) syncConfig(ctx context.Context, r *Run) error {
	if !r.dirty {
		return nil
	}
	return c.upsertBucket(ctx, r, false)
}

// WriteSummary merges update into the run summary (like
// wandb.summary.update) and sends the whole summary as the single line of
// wandb-summary.json. Repeating it changes nothing.
func (c *Client) WriteSummary(ctx context.Context, r *Run, update map[string]any) error {
	v, err := normalize(update)
	if err != nil {
		return err
	}
	upd, _ := v.(map[string]any)
	r.mu.Lock()
	defer r.mu.Unlock()
	sum := cloneJSON(r.summary).(map[string]any)
	for k, x := range upd {
		sum[k] = x
	}
	return c.sendSummary(ctx, r, sum, nil)
}

// sendSummary replaces the summary (and reports uploaded files); r.mu held.
func (c *Client) sendSummary(ctx context.Context, r *Run, sum map[string]any, uploaded []string) error {
	r.dirty = r.metrics.observe(keysOf(sum)) || r.dirty
	if err := c.syncConfig(ctx, r); err != nil {
		return err
	}
	line, err := marshalLine(sum)
	if err != nil {
		return err
	}
	req := fsRequest{Files: map[string]fsFile{summaryFile: {Content: []string{string(line)}}}, Uploaded: uploaded}
	if err := c.post(ctx, r, req); err != nil {
		return err
	}
	r.summary = sum
	return nil
}
