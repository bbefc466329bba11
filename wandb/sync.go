package wandb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// pushBatch bounds the history rows and the console lines of one request.
const pushBatch = 5000

// SyncReport says what one Sync or Push sent.
type SyncReport struct {
	Dir      string   `json:"dir"`
	RunID    string   `json:"run_id"`
	Entity   string   `json:"entity,omitempty"`
	Project  string   `json:"project,omitempty"`
	URL      string   `json:"url,omitempty"`
	History  int      `json:"history"`         // history rows sent
	Console  int      `json:"console"`         // console lines sent
	Files    []string `json:"files,omitempty"` // run files uploaded
	Summary  bool     `json:"summary"`         // summary sent
	Finished bool     `json:"finished"`        // completion (exit code) sent
	UpToDate bool     `json:"up_to_date"`      // nothing was pending (no data sent)
	// Heartbeat: nothing was pending, but Push sent a keep-alive for its live
	// run (see HeartbeatInterval).
	Heartbeat bool `json:"heartbeat,omitempty"`
}

// HeartbeatInterval is how long a live run may go without a file_stream
// request before Push, with nothing pending, sends an empty one so the
// server does not mark the run crashed. Sync on a freshly opened log never
// does (it has no live run), so a Sync with nothing pending makes no request.
const HeartbeatInterval = 30 * time.Second

// syncState (sync.json) records what the server has: rows and lines
// [0, History) and [0, Console), the summary and spec by hash, the uploaded
// files and the completion. It only advances after the server accepted.
type syncState struct {
	RunID       string    `json:"run_id"`
	Entity      string    `json:"entity,omitempty"`
	Project     string    `json:"project,omitempty"`
	SpecHash    string    `json:"spec_hash,omitempty"`
	History     int       `json:"history"`
	Console     int       `json:"console"`
	SummaryHash string    `json:"summary_hash,omitempty"`
	Files       []string  `json:"files,omitempty"`
	Finished    bool      `json:"finished"`
	ExitCode    int       `json:"exit_code"`
	SyncedAt    time.Time `json:"synced_at,omitzero"`
}

// pushCache keeps the upserted Run between pushes of one process.
type pushCache struct {
	client   *Client
	specHash string
	run      *Run
	lastSent time.Time // last push that reached the server
}

// Sync uploads the offline log in dir to the server as the run of its spec
// (created, or resumed by run ID) and records what was sent in dir/sync.json.
// It is idempotent: everything is written at the offsets recorded in the log,
// so a repeated or interrupted Sync never duplicates anything, and a Sync
// with nothing pending makes no request at all.
func Sync(ctx context.Context, c *Client, dir string) (SyncReport, error) {
	l, err := OpenOfflineLog(dir)
	if err != nil {
		return SyncReport{Dir: dir}, err
	}
	return l.Push(ctx, c)
}

// Push is Sync for an open log; it reuses the upserted run between calls.
// Everything pending goes out coalesced, as wandb-core does: one
// file_stream request carries the new history rows, console lines, the
// summary, the files uploaded just before and the completion. Only a
// backlog over the request size limit takes several requests, at most
// two a second. With nothing pending it sends a keep-alive when the live
// run has been silent for HeartbeatInterval.
func (l *OfflineLog) Push(ctx context.Context, c *Client) (rep SyncReport, err error) {
	return l.pushEvery(ctx, c, HeartbeatInterval, false)
}

// minRequestGap spaces the requests of one push (≤ 2 a second per run).
const minRequestGap = 600 * time.Millisecond

func (l *OfflineLog) pushEvery(ctx context.Context, c *Client, heartbeat time.Duration, live bool) (rep SyncReport, err error) {
	l.pushMu.Lock() // one push at a time; writers are not blocked by I/O
	defer l.pushMu.Unlock()
	if err := l.reload(); err != nil {
		return SyncReport{Dir: l.dir}, err
	}
	l.mu.Lock()
	spec, summary := l.spec, cloneJSON(l.summary).(map[string]any)
	l.mu.Unlock()
	rep = SyncReport{Dir: l.dir, RunID: spec.ID}
	st := l.loadState()
	specBytes, _ := marshalLine(spec)
	specHash := hashBytes(specBytes)
	sumBytes, _ := marshalLine(summary)
	sumHash := hashBytes(sumBytes)
	if len(summary) == 0 {
		sumHash = "" // nothing to send yet
	}
	hist, err := readPending(l.dir, historyDir, st.History, ".json")
	if err != nil {
		return rep, err
	}
	cons, err := readPending(l.dir, consoleDir, st.Console, ".txt")
	if err != nil {
		return rep, err
	}
	files, err := l.pendingFiles(st.Files)
	if err != nil {
		return rep, err
	}
	code, finished, err := l.exitCode()
	if err != nil {
		return rep, err
	}
	data := len(hist) > 0 || len(cons) > 0 || len(files) > 0 || sumHash != st.SummaryHash
	// An upsert resumes the run, so a finished log re-sends its completion
	// after any other change.
	needFinish := finished && (data || specHash != st.SpecHash || !st.Finished || st.ExitCode != code)
	if !data && !needFinish && specHash == st.SpecHash {
		rep.UpToDate, rep.Entity, rep.Project = true, st.Entity, st.Project
		p := l.push
		if st.Finished || ((p == nil || p.client != c) && !live) {
			return rep, nil
		}
		if p == nil || p.client != c {
			// A live owner that took over the run (another process pushed
			// it so far) resumes it, so that it can keep it alive.
			if _, err := l.upsert(ctx, c, spec, specHash); err != nil {
				return rep, err
			}
			p = l.push
		}
		if time.Since(p.lastSent) >= heartbeat {
			if err := c.Heartbeat(ctx, p.run); err != nil {
				return rep, err
			}
			p.lastSent, rep.Heartbeat = time.Now(), true
		}
		return rep, nil
	}
	run, err := l.upsert(ctx, c, spec, specHash)
	if err != nil {
		return rep, err
	}
	rep.Entity, rep.Project, rep.URL = run.Entity, run.Project, c.RunURL(run)
	st.RunID, st.Entity, st.Project, st.SpecHash = run.ID, run.Entity, run.Project, specHash
	defer func() {
		st.SyncedAt = c.Now().UTC()
		if serr := l.saveState(st); err == nil {
			err = serr
		}
	}()
	// Uploads are PUTs to signed URLs, not file_stream requests: they go
	// first, and the request below reports them.
	for _, p := range files {
		b, err := os.ReadFile(filepath.Join(l.dir, filesDir, filepath.FromSlash(p)))
		if err == nil {
			err = c.uploadFile(ctx, run, p, b)
		}
		if err != nil {
			return rep, err
		}
		rep.Files = append(rep.Files, p)
	}
	sendSum := sumHash != st.SummaryHash || len(files) > 0
	for first := true; first || len(hist) > 0 || len(cons) > 0; first = false {
		if !first {
			if err := sleepCtx(ctx, minRequestGap); err != nil {
				return rep, err
			}
		}
		budget := maxRequestBytes - 64<<10
		if sendSum {
			budget -= len(sumBytes)
		}
		nh, nc := takeLines(hist, &budget), 0
		if nh == len(hist) {
			nc = takeLines(cons, &budget)
		}
		last := nh == len(hist) && nc == len(cons)
		req := fsRequest{Files: map[string]fsFile{}}
		keys := []string{}
		if nh > 0 {
			req.Files[historyFile] = fsFile{Offset: st.History, Content: hist[:nh]}
			for _, line := range hist[:nh] {
				var v any
				if err := decodeLenient([]byte(line), &v); err != nil {
					return rep, err
				}
				row, _ := v.(map[string]any)
				keys = append(keys, keysOf(row)...)
			}
		}
		if nc > 0 {
			req.Files[consoleFile] = fsFile{Offset: st.Console, Content: cons[:nc]}
		}
		if last && sendSum {
			req.Files[summaryFile] = fsFile{Content: []string{string(sumBytes)}}
			req.Uploaded = files
			keys = append(keys, keysOf(summary)...)
		}
		if last && needFinish {
			exit := code
			req.Complete, req.ExitCode = true, &exit
		}
		run.mu.Lock()
		run.dirty = run.metrics.observe(keys) || run.dirty
		err := c.syncConfig(ctx, run)
		if err == nil {
			err = c.post(ctx, run, req)
		}
		if err == nil && last && sendSum {
			run.summary = summary
		}
		if err == nil && req.Complete {
			run.finished = true
		}
		run.mu.Unlock()
		if err != nil {
			return rep, err
		}
		l.push.lastSent = time.Now()
		st.History, rep.History, hist = st.History+nh, rep.History+nh, hist[nh:]
		st.Console, rep.Console, cons = st.Console+nc, rep.Console+nc, cons[nc:]
		if last && sendSum {
			st.SummaryHash, st.Files, rep.Summary = sumHash, append(st.Files, files...), true
		}
		if req.Complete {
			st.Finished, st.ExitCode, rep.Finished = true, code, true
		}
	}
	return rep, nil
}

// takeLines counts the lines that fit in *budget (at least one) and
// charges them.
func takeLines(lines []string, budget *int) int {
	n := 0
	for n < len(lines) && n < pushBatch && (n == 0 || *budget-len(lines[n])-8 >= 0) {
		*budget -= len(lines[n]) + 8
		n++
	}
	return n
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// upsert returns the cached run or creates/resumes it; l.pushMu is held.
func (l *OfflineLog) upsert(ctx context.Context, c *Client, spec RunSpec, specHash string) (*Run, error) {
	if p := l.push; p != nil && p.client == c && p.specHash == specHash {
		return p.run, nil
	}
	run, err := c.UpsertRun(ctx, spec)
	if err != nil {
		return nil, err
	}
	l.push = &pushCache{client: c, specHash: specHash, run: run}
	return run, nil
}

// readPending reads consecutive per-offset files from offset `from` until
// the first missing one; later offsets wait until the gap is filled.
func readPending(dir, sub string, from int, ext string) ([]string, error) {
	var out []string
	for i := from; ; i++ {
		b, err := os.ReadFile(rowPath(dir, sub, i, ext))
		if os.IsNotExist(err) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
}

// pendingFiles lists run files not yet uploaded, sorted.
func (l *OfflineLog) pendingFiles(done []string) ([]string, error) {
	root := filepath.Join(l.dir, filesDir)
	seen := map[string]bool{}
	for _, p := range done {
		seen[p] = true
	}
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if os.IsNotExist(err) && p == root {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel = filepath.ToSlash(rel); !seen[rel] {
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func (l *OfflineLog) loadState() syncState {
	var st syncState
	if b, err := os.ReadFile(filepath.Join(l.dir, syncFileName)); err == nil {
		json.Unmarshal(b, &st)
	}
	return st
}

func (l *OfflineLog) saveState(st syncState) error {
	b, _ := json.MarshalIndent(st, "", "  ")
	return writeFileAtomic(filepath.Join(l.dir, syncFileName), b)
}

func hashBytes(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// FindLogs returns every offline log directory under root (root included),
// sorted.
func FindLogs(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if _, err := os.Stat(filepath.Join(p, specFileName)); err == nil {
			out = append(out, p)
			return filepath.SkipDir
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
