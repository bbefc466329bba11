package wandb

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"time"
)

// Offline log layout. Every file is written atomically; history rows and
// console lines are one file per offset, created only if absent, so writing
// an offset twice keeps the first row (and its timestamps) exactly.
const (
	specFileName    = "wandb-run.json" // the run spec; marks a directory as a log
	summaryFileName = "summary.json"   // the merged summary
	finishFileName  = "finish.json"    // {"exit_code": N}
	syncFileName    = "sync.json"      // what was pushed (see syncState)
	historyDir      = "history"        // <offset>.json, one row each
	consoleDir      = "console"        // <offset>.txt, one line each
	filesDir        = "files"          // run files (media/table/...)
)

// OfflineLog records one run in a directory: the spec, history rows by
// offset, summary, console lines, table files and the exit code. It is the
// durable first stop of every write; Push or Sync later replays it to a
// server. One process should write a given directory at a time.
type OfflineLog struct {
	dir string
	now func() time.Time

	mu      sync.Mutex // guards spec and summary
	spec    RunSpec
	summary map[string]any

	pushMu sync.Mutex // serializes Push; guards push
	push   *pushCache
}

type specFile struct {
	Version int     `json:"version"`
	Spec    RunSpec `json:"spec"`
}

// NewOfflineLog creates the log in dir, or reopens it for the same run ID.
// The spec's StartTime is fixed at creation (now, if zero) and kept on
// reopen; other spec changes replace the stored spec.
func NewOfflineLog(dir string, spec RunSpec) (*OfflineLog, error) {
	if spec.ID == "" {
		return nil, fmt.Errorf("wandb: offline log %s: run spec without ID", dir)
	}
	l := &OfflineLog{dir: dir, now: time.Now}
	old, err := readSpec(dir)
	switch {
	case err == nil && old.ID != spec.ID:
		return nil, fmt.Errorf("wandb: offline log %s belongs to run %s, not %s", dir, old.ID, spec.ID)
	case err == nil && !old.StartTime.IsZero():
		// The run's `_runtime` origin is fixed when it is first logged: a
		// trial retried or resumed later (with its own, later start) must
		// not make `_runtime` go back.
		spec.StartTime = old.StartTime
	case err != nil && !os.IsNotExist(err):
		return nil, err
	}
	if spec.StartTime.IsZero() {
		spec.StartTime = l.now()
	}
	spec.StartTime = spec.StartTime.UTC()
	if err != nil || !reflect.DeepEqual(jsonForm(old), jsonForm(spec)) {
		b, _ := json.MarshalIndent(specFile{Version: 1, Spec: spec}, "", "  ")
		if err := writeFileAtomic(filepath.Join(dir, specFileName), b); err != nil {
			return nil, err
		}
	}
	l.spec = spec
	return l, l.loadSummary()
}

// OpenOfflineLog opens an existing log.
func OpenOfflineLog(dir string) (*OfflineLog, error) {
	spec, err := readSpec(dir)
	if err != nil {
		return nil, fmt.Errorf("wandb: %s is not an offline log: %w", dir, err)
	}
	l := &OfflineLog{dir: dir, now: time.Now, spec: spec}
	return l, l.loadSummary()
}

func readSpec(dir string) (RunSpec, error) {
	var sf specFile
	b, err := os.ReadFile(filepath.Join(dir, specFileName))
	if err == nil {
		err = json.Unmarshal(b, &sf)
	}
	return sf.Spec, err
}

func jsonForm(v any) any { n, _ := normalize(v); return n }

func (l *OfflineLog) loadSummary() error {
	l.summary = map[string]any{}
	b, err := os.ReadFile(filepath.Join(l.dir, summaryFileName))
	if os.IsNotExist(err) {
		return nil
	}
	var v any
	if err == nil {
		err = decodeLenient(b, &v)
	}
	if m, ok := v.(map[string]any); ok {
		l.summary = m
	}
	return err
}

// reload re-reads the spec and the summary, which another OfflineLog of
// the same directory (another activity of the same trial) may have
// written since.
func (l *OfflineLog) reload() error {
	spec, err := readSpec(l.dir)
	if err != nil {
		return fmt.Errorf("wandb: %s is not an offline log: %w", l.dir, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.spec = spec
	return l.loadSummary()
}

// Dir is the log's directory.
func (l *OfflineLog) Dir() string { return l.dir }

// Spec is the recorded run spec.
func (l *OfflineLog) Spec() RunSpec { l.mu.Lock(); defer l.mu.Unlock(); return l.spec }

func rowPath(dir, sub string, offset int, ext string) string {
	return filepath.Join(dir, sub, fmt.Sprintf("%012d%s", offset, ext))
}

// History records rows at offsets offset…offset+len(rows)−1, stamped like
// Client.WriteHistory. An offset already present keeps its first row.
func (l *OfflineLog) History(offset int, rows []map[string]any) error {
	if offset < 0 {
		return fmt.Errorf("wandb: negative history offset %d", offset)
	}
	_, norm, err := historyLines(rows, offset, l.now(), l.spec.StartTime)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	changed := false
	for i, row := range norm {
		line, err := marshalLine(row)
		if err != nil {
			return err
		}
		created, err := createOnce(rowPath(l.dir, historyDir, offset+i, ".json"), line)
		if err != nil {
			return err
		}
		if created {
			changed = applyRow(l.summary, offset+i, row) || changed
		}
	}
	if changed {
		return l.saveSummary()
	}
	return nil
}

// Summary merges update into the recorded summary.
func (l *OfflineLog) Summary(update map[string]any) error {
	v, err := normalize(update)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for k, x := range v.(map[string]any) {
		l.summary[k] = x
	}
	return l.saveSummary()
}

func (l *OfflineLog) saveSummary() error {
	b, err := marshalLine(l.summary)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(l.dir, summaryFileName), b)
}

// Console records console lines at offset…; lines not formatted by
// ConsoleLine are stamped now. An offset already present keeps its line.
func (l *OfflineLog) Console(offset int, lines []string) error {
	if offset < 0 {
		return fmt.Errorf("wandb: negative console offset %d", offset)
	}
	now := l.now()
	for i, s := range lines {
		if !stampedLine.MatchString(s) {
			s = ConsoleLine(now, s, false)
		}
		if _, err := createOnce(rowPath(l.dir, consoleDir, offset+i, ".txt"), []byte(s)); err != nil {
			return err
		}
	}
	return nil
}

// Table records a wandb.Table under key: the table file (named by its
// content) and the summary value pointing at it, as Client.UploadTable does.
func (l *OfflineLog) Table(key string, columns []string, rows [][]any) error {
	if len(rows) > MaxTableRows {
		rows = rows[:MaxTableRows]
	}
	tf, err := encodeTable(key, columns, rows)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(l.dir, filesDir, filepath.FromSlash(tf.path)), tf.data); err != nil {
		return err
	}
	return l.Summary(map[string]any{key: tf.ref})
}

// Finish records the run's exit code (0 = success) and its runtime in the
// summary (`_wandb.runtime`, whole seconds since the start, as wandb-core
// reports it). The last call wins.
func (l *OfflineLog) Finish(exitCode int) error {
	l.mu.Lock()
	setRuntime(l.summary, l.now().Sub(l.spec.StartTime).Seconds())
	err := l.saveSummary()
	l.mu.Unlock()
	if err != nil {
		return err
	}
	b, _ := json.Marshal(map[string]int{"exit_code": exitCode})
	return writeFileAtomic(filepath.Join(l.dir, finishFileName), b)
}

// Finished reports whether the log has its exit code.
func (l *OfflineLog) Finished() bool { _, ok, _ := l.exitCode(); return ok }

// exitCode returns the recorded exit code, if any.
func (l *OfflineLog) exitCode() (int, bool, error) {
	b, err := os.ReadFile(filepath.Join(l.dir, finishFileName))
	if os.IsNotExist(err) {
		return 0, false, nil
	}
	var f struct {
		ExitCode int `json:"exit_code"`
	}
	if err == nil {
		err = json.Unmarshal(b, &f)
	}
	return f.ExitCode, err == nil, err
}
