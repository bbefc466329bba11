package workerid

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Workers publish a liveness record, <data>/workers/<name>.json, refreshed
// every BeatEvery. Another worker may clean up after a worker (remove its
// sandbox directory, its containers) only when it is provably dead: a
// process of the same machine, boot and PID namespace that no longer
// exists, or any worker whose record is older than Expiry (a host that
// crashed, rebooted or lost the shared directory).

// BeatEvery is how often a worker refreshes its record.
const BeatEvery = 20 * time.Second

// Expiry is how old a foreign worker's record must be before it counts as
// dead; it allows for clock skew between hosts and slow shared file systems.
const Expiry = 5 * time.Minute

// NoRecordExpiry is how old the leftovers of a worker without a record
// (an older version's) must be before they are removed.
const NoRecordExpiry = 24 * time.Hour

// Record is a worker's liveness record.
type Record struct {
	ID        ID        `json:"id"`
	Started   time.Time `json:"started"`
	Heartbeat time.Time `json:"heartbeat"`
}

// Dir is where the records of a data directory live.
func Dir(dataDir string) string { return filepath.Join(dataDir, "workers") }

func recordFile(dataDir, name string) string { return filepath.Join(Dir(dataDir), name+".json") }

// Beat writes this process's record now and then every BeatEvery until the
// returned stop is called; stop removes the record.
func Beat(dataDir string) (stop func(), err error) {
	me := Self()
	rec := Record{ID: me, Started: time.Now().UTC()}
	write := func() error {
		rec.Heartbeat = time.Now().UTC()
		b, _ := json.Marshal(rec)
		f := recordFile(dataDir, me.String())
		tmp := f + ".tmp"
		if err := os.WriteFile(tmp, b, 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, f)
	}
	if err := os.MkdirAll(Dir(dataDir), 0o755); err != nil {
		return nil, err
	}
	if err := write(); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(BeatEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = write()
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		_ = os.Remove(recordFile(dataDir, me.String()))
	}, nil
}

// Dead reports whether the worker called name is provably gone, judged
// from this process at time now. modTime is the last change of what it
// left (a sandbox directory, a container's creation), used when it has no
// record. Names that are not worker names are never dead.
func Dead(dataDir, name string, modTime, now time.Time) bool {
	me := Self()
	if name == me.String() {
		return false
	}
	var rec Record
	b, err := os.ReadFile(recordFile(dataDir, name))
	hasRec := err == nil && json.Unmarshal(b, &rec) == nil
	id, ok := Parse(name)
	if hasRec {
		id, ok = rec.ID, true
	}
	if ok && me.SameProcessSpace(id) {
		return !alive(id.PID)
	}
	if hasRec {
		return now.Sub(rec.Heartbeat) > Expiry
	}
	// No record: a worker of an older version, or one that stopped between
	// removing its sandboxes and its record. Only old leftovers go.
	return !modTime.IsZero() && now.Sub(modTime) > NoRecordExpiry
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Prune removes the liveness records of dead workers (call it after their
// sandboxes and containers are gone).
func Prune(dataDir string, now time.Time) {
	entries, err := os.ReadDir(Dir(dataDir))
	if err != nil {
		return
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if ok && Dead(dataDir, name, time.Time{}, now) {
			_ = os.Remove(filepath.Join(Dir(dataDir), e.Name()))
		}
	}
}
