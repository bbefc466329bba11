package wandb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strings"
)

// MaxTableRows is the row limit of a table run file (the SDK's Table.MAX_ROWS);
// longer tables are truncated with a warning.
const MaxTableRows = 10000

// tableFile is an encoded wandb.Table: its run-relative path, bytes and the
// `table-file` value that points at it.
type tableFile struct {
	path string
	data []byte
	ref  map[string]any
}

var unsafePathChars = regexp.MustCompile(`[^A-Za-z0-9_.\-/]`)

// encodeTable serializes {"columns": [...], "data": [[...]]} and names it
// media/table/<key>_<sha256[:20]>.table.json: the name depends only on the
// key and the content, so a retried upload reuses the same file.
func encodeTable(key string, columns []string, rows [][]any) (tableFile, error) {
	if key == "" {
		return tableFile{}, fmt.Errorf("wandb: empty table key")
	}
	for i, row := range rows {
		if len(row) != len(columns) {
			return tableFile{}, fmt.Errorf("wandb: table %s row %d has %d values, want %d", key, i, len(row), len(columns))
		}
	}
	if rows == nil {
		rows = [][]any{}
	}
	data, err := marshalLine(map[string]any{"columns": columns, "data": rows})
	if err != nil {
		return tableFile{}, fmt.Errorf("wandb: table %s: %w", key, err)
	}
	sum := sha256.Sum256(data)
	hexsum := hex.EncodeToString(sum[:])
	var segs []string
	for _, s := range strings.Split(unsafePathChars.ReplaceAllString(key, "_"), "/") {
		if s != "" && s != "." && s != ".." {
			segs = append(segs, s)
		}
	}
	path := "media/table/" + strings.Join(segs, "/") + "_" + hexsum[:20] + ".table.json"
	ref := map[string]any{"_type": "table-file", "path": path, "sha256": hexsum, "size": len(data),
		"ncols": len(columns), "nrows": len(rows), "log_mode": "IMMUTABLE"}
	nref, err := normalize(ref)
	if err != nil {
		return tableFile{}, err
	}
	return tableFile{path: path, data: data, ref: nref.(map[string]any)}, nil
}

// UploadTable logs a wandb.Table under key (protocol §5): it uploads the
// table JSON as a run file (CreateRunFiles, then PUT to the signed URL with
// the returned upload headers and no credentials) and sets the summary value
// {"_type": "table-file", "path", "sha256", "size", "ncols", "nrows", ...},
// reporting the file as uploaded in the same file_stream request.
func (c *Client) UploadTable(ctx context.Context, r *Run, key string, columns []string, rows [][]any) error {
	if len(rows) > MaxTableRows {
		c.Logger.Warn("wandb: table truncated", "key", key, "rows", len(rows), "limit", MaxTableRows)
		rows = rows[:MaxTableRows]
	}
	tf, err := encodeTable(key, columns, rows)
	if err != nil {
		return err
	}
	if err := c.uploadFile(ctx, r, tf.path, tf.data); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	sum := cloneJSON(r.summary).(map[string]any)
	sum[key] = tf.ref
	return c.sendSummary(ctx, r, sum, []string{tf.path})
}

// uploadFile asks for an upload URL for one run file and PUTs data there.
func (c *Client) uploadFile(ctx context.Context, r *Run, path string, data []byte) error {
	var out struct {
		CreateRunFiles struct {
			RunID         string   `json:"runID"`
			UploadHeaders []string `json:"uploadHeaders"`
			Files         []struct {
				Name      string  `json:"name"`
				UploadURL *string `json:"uploadUrl"`
			} `json:"files"`
		} `json:"createRunFiles"`
	}
	vars := map[string]any{"entity": r.Entity, "project": r.Project, "run": r.ID, "files": []string{path}}
	if err := c.graphql(ctx, "CreateRunFiles", qCreateRunFiles, vars, &out); err != nil {
		return err
	}
	res := out.CreateRunFiles
	if res.RunID == "" {
		return &APIError{Op: "graphql CreateRunFiles", Status: 200, Message: "run not accessible", Attempts: 1}
	}
	if len(res.Files) != 1 || res.Files[0].UploadURL == nil {
		return nil // the server needs no upload
	}
	h := http.Header{}
	for _, kv := range res.UploadHeaders {
		if k, v, ok := strings.Cut(kv, ":"); ok {
			h.Add(strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	_, err := c.do(ctx, request{op: "upload " + path, method: http.MethodPut, url: *res.Files[0].UploadURL,
		body: data, header: h, policy: c.UploadRetry})
	return err
}

// Histogram returns the value W&B renders as a histogram:
// {"_type": "histogram", "values": counts, "bins": edges}, with numBins
// equal-width bins over [min, max] (numpy's rule; a constant sequence gets
// the range value±0.5). numBins ≤ 0 means 64; the maximum is 512. Non-finite
// values are ignored.
func Histogram(values []float64, numBins int) map[string]any {
	if numBins <= 0 {
		numBins = 64
	}
	numBins = min(numBins, 512)
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			lo, hi, n = math.Min(lo, v), math.Max(hi, v), n+1
		}
	}
	switch {
	case n == 0:
		lo, hi = 0, 1
	case lo == hi:
		lo, hi = lo-0.5, hi+0.5
	}
	width := (hi - lo) / float64(numBins)
	bins := make([]any, numBins+1)
	for i := range bins {
		bins[i] = lo + float64(i)*width
	}
	bins[numBins] = hi
	counts := make([]any, numBins)
	for i := range counts {
		counts[i] = 0
	}
	for _, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		i := min(int((v-lo)/width), numBins-1)
		counts[i] = counts[i].(int) + 1
	}
	return map[string]any{"_type": "histogram", "values": counts, "bins": bins}
}
