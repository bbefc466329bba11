package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// `starter sweep` with a missing key and `starter run` with a rejected one
// stop within seconds, before any server or sandbox exists, naming the
// preset and the variable; --skip-preflight does not check.
func TestPreflightStopsASweepBeforeAnythingStarts(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":{"message":"Incorrect API key provided"}}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	models := filepath.Join(dir, "m.yaml")
	y := "models:\n  keyed:\n    provider: openai\n    model_id: fake\n    api_base: " + srv.URL + "/v1\n    api_key_env: PREFLIGHT_TEST_KEY\n    temperature: 0\n"
	if err := os.WriteFile(models, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "s.yaml")
	src := "method: grid\nparameters:\n  model: {value: keyed}\n  strategy: {value: raw}\n  instances-subset: {value: demo}\n"
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PREFLIGHT_TEST_KEY", "")
	t.Setenv("CTXSWEEP_ENV_FILE", "")
	data := filepath.Join(dir, "data")
	g := &globals{dataDir: data, namespace: "default", modelsFile: []string{models}}
	exec := func(cmd interface {
		SetArgs([]string)
		Execute() error
	}, args ...string) error {
		cmd.SetArgs(args)
		return cmd.Execute()
	}
	start := time.Now()
	sw := sweepCmd(g)
	sw.SetOut(&bytes.Buffer{})
	sw.SetErr(&bytes.Buffer{})
	err := exec(sw, file)
	if err == nil || !strings.Contains(err.Error(), "keyed") || !strings.Contains(err.Error(), "PREFLIGHT_TEST_KEY is not set") {
		t.Fatalf("want a pre-flight error naming the preset and the variable, got %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("pre-flight took %s", d)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("the data directory exists after a failed pre-flight (%v): something started", err)
	}

	t.Setenv("PREFLIGHT_TEST_KEY", "sk-rejected-0000000000")
	run := runCmd(g)
	run.SetOut(&bytes.Buffer{})
	run.SetErr(&bytes.Buffer{})
	err = exec(run, "--model", "keyed", "--strategy", "raw", "--instances-subset", "demo")
	if err == nil || !strings.Contains(err.Error(), "refused the key in PREFLIGHT_TEST_KEY") || strings.Contains(err.Error(), "sk-rejected") {
		t.Fatalf("starter run: want the rejected key named (not shown), got %v", err)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("the data directory exists after a failed pre-flight: something started")
	}

	// --skip-preflight plans without checking (the dry run of `starter run`
	// too: it shows the plan only).
	run = runCmd(g)
	run.SetOut(&bytes.Buffer{})
	if err := exec(run, "--model", "keyed", "--strategy", "raw", "--instances-subset", "demo", "--dry-run"); err != nil {
		t.Fatalf("starter run --dry-run: %v", err)
	}
	f := &sweepFlags{skipPreflight: true}
	data2, _ := os.ReadFile(file)
	if _, err := planSweep(g, file, data2, f); err != nil {
		t.Fatalf("--skip-preflight: %v", err)
	}
}
