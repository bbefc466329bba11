// Package store keeps what must not live in workflow history: model
// replies, observations, summaries, trajectories and instance records, as
// JSON files under the data directory. Writes are atomic (temp file and
// rename), so a crash never leaves a half-written file.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Store is rooted at a data directory; every path given to it is relative.
type Store struct{ Root string }

// Path resolves a relative path.
func (s Store) Path(rel ...string) string {
	return filepath.Join(append([]string{s.Root}, rel...)...)
}

// WriteJSON atomically writes v as indented JSON.
func (s Store) WriteJSON(rel string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encoding %s: %w", rel, err)
	}
	return s.WriteFile(rel, data)
}

// WriteFile atomically writes data.
func (s Store) WriteFile(rel string, data []byte) error {
	p := s.Path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("store: writing %s: %w", rel, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return os.Rename(tmp.Name(), p)
}

// ReadJSON decodes the file into v. It reports false, nil when the file does
// not exist.
func (s Store) ReadJSON(rel string, v any) (bool, error) {
	data, err := os.ReadFile(s.Path(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, fmt.Errorf("store: %s is corrupt: %w", rel, err)
	}
	return true, nil
}

// Exists reports whether the file exists.
func (s Store) Exists(rel string) bool {
	_, err := os.Stat(s.Path(rel))
	return err == nil
}

// AppendLine appends one line to a log file (created with its directory).
// Used for audit logs that must record every attempt, even repeated ones.
func (s Store) AppendLine(rel string, line []byte) error {
	p := s.Path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	_, err = f.Write(append(line, '\n'))
	return err
}
