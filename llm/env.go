package llm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// Env is where provider credentials come from: the worker's process
// environment first, then .env files. Values are never logged, and never
// put in workflow inputs: a worker resolves them when it builds a client.
type Env struct {
	file   map[string]string
	lookup func(string) (string, bool)
	// files are the .env files read, for Reload.
	files []string
}

// LoadEnv reads KEY=VALUE lines from the given .env files (missing files
// are skipped; earlier files win over later ones). Lines may start with
// `export `; values may be single- or double-quoted; # starts a comment.
func LoadEnv(files ...string) (Env, error) {
	e := Env{file: map[string]string{}, lookup: os.LookupEnv, files: files}
	for _, f := range files {
		if f == "" {
			continue
		}
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Env{}, fmt.Errorf("env file: %w", err)
		}
		vars, err := parseDotEnv(f, data)
		if err != nil {
			return Env{}, err
		}
		for k, v := range vars {
			if _, ok := e.file[k]; !ok {
				e.file[k] = v
			}
		}
	}
	return e, nil
}

// Reload reads the .env files again (keys replaced while a sweep runs,
// e.g. temporary AWS keys from `aws configure export-credentials`). When
// they cannot be read now, the values read before are kept.
func (e Env) Reload() Env {
	if len(e.files) == 0 {
		return e
	}
	fresh, err := LoadEnv(e.files...)
	if err != nil {
		return e
	}
	fresh.lookup = e.lookup
	return fresh
}

// MapEnv is an Env with exactly these variables (tests; no process env).
func MapEnv(vars map[string]string) Env {
	return Env{file: vars, lookup: func(string) (string, bool) { return "", false }}
}

// Get returns a variable: the process environment wins over .env files.
func (e Env) Get(key string) string {
	if e.lookup != nil {
		if v, ok := e.lookup(key); ok && v != "" {
			return v
		}
	}
	return e.file[key]
}

// First returns the first non-empty variable of keys.
func (e Env) First(keys ...string) string {
	for _, k := range keys {
		if v := e.Get(k); v != "" {
			return v
		}
	}
	return ""
}

func parseDotEnv(name string, data []byte) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			// Say where, never what: the line may hold a secret.
			return nil, fmt.Errorf("%s:%d: not a KEY=VALUE line", name, n)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		out[k] = v
	}
	return out, sc.Err()
}
