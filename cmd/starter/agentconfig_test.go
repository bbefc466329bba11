package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/config"
)

const seedSample = "../../config/testdata/seed_observation_masking.yaml"

// runDry runs `starter run ARGS --dry-run` in-process and returns stdout.
func runDry(t *testing.T, dataDir string, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	cmd := runCmd(&globals{dataDir: dataDir, namespace: "default"})
	cmd.SetArgs(append(args, "--dry-run"))
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	runErr := cmd.Execute()
	os.Stdout = stdout
	w.Close()
	out, _ := io.ReadAll(r)
	return string(out), runErr
}

// TestRunAgentConfig: --agent-config stores the configuration in the data
// directory and the trial carries its reference (hash, limits); a
// configuration whose history processors disagree with the trial's
// strategy is refused before anything starts.
func TestRunAgentConfig(t *testing.T) {
	data := t.TempDir()
	out, err := runDry(t, data, "--model", "deepseek-chat", "--strategy", "observation_masking", "--agent-config", seedSample)
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Agent struct {
			Hash string `json:"hash"`
			File string `json:"file"`
		} `json:"agent_config"`
		Limits struct {
			ExecutionTimeout int `json:"execution_timeout"`
		} `json:"limits"`
	}
	js := out[strings.Index(out, "{") : strings.LastIndex(out, "}")+1]
	if err := json.Unmarshal([]byte(js), &plan); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(plan.Agent.Hash) != 16 || !strings.HasSuffix(plan.Agent.File, "seed_observation_masking.yaml") || plan.Limits.ExecutionTimeout != 30 {
		t.Errorf("plan %+v", plan)
	}
	if _, err := os.Stat(filepath.Join(data, config.AgentFile(plan.Agent.Hash))); err != nil {
		t.Errorf("configuration not stored: %v", err)
	}
	_, err = runDry(t, data, "--model", "deepseek-chat", "--strategy", "raw", "--agent-config", seedSample)
	if err == nil || !strings.Contains(err.Error(), "strategy observation_masking (trial: raw)") {
		t.Errorf("raw trial with a masking configuration: %v", err)
	}
	_, err = runDry(t, data, "--model", "deepseek-chat", "--strategy", "raw", "--agent-config", filepath.Join(data, "absent.yaml"))
	if err == nil || !strings.Contains(err.Error(), "absent.yaml") {
		t.Errorf("absent file: %v", err)
	}
}
