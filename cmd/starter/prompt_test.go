package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/strategy"
)

const (
	seedRepo    = "/work/shared/fixtures/seed-configs"
	sweRows     = "/work/shared/fixtures/swebench"
	seedRefPy   = "testdata/seed_render.py"
	promptTrial = "django__django-16255"
)

// starterPrompt runs `starter prompt ARGS` in-process.
func starterPrompt(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := promptCmd(&globals{dataDir: t.TempDir(), namespace: "default"})
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs(args)
	r, w, perr := os.Pipe()
	if perr != nil {
		t.Fatal(perr)
	}
	saved := os.Stderr
	os.Stderr = w
	err = cmd.Execute()
	os.Stderr = saved
	w.Close()
	errOut := new(bytes.Buffer)
	_, _ = errOut.ReadFrom(r)
	return out.String(), errOut.String(), err
}

// orderedJSON re-encodes JSON as a list of (key, value) pairs, so that
// two texts compare equal only with the same keys in the same order.
func orderedJSON(t *testing.T, raw []byte) string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	var walk func() any
	walk = func() any {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%v in %s", err, raw)
		}
		switch tok {
		case json.Delim('{'):
			var kv [][2]any
			for dec.More() {
				k, _ := dec.Token()
				kv = append(kv, [2]any{k, walk()})
			}
			dec.Token()
			return kv
		case json.Delim('['):
			out := []any{}
			for dec.More() {
				out = append(out, walk())
			}
			dec.Token()
			return out
		}
		return tok
	}
	b, _ := json.Marshal(walk())
	return string(b)
}

// TestPromptMatchesTheSeedsRendering compares `starter prompt --json` with
// an independent rendering by the seed's own libraries (PyYAML, Jinja2;
// testdata/seed_render.py) for the four paper configs on the SWE-bench
// rows of the fixtures: messages and tools, contents and key order.
func TestPromptMatchesTheSeedsRendering(t *testing.T) {
	if _, err := os.Stat(filepath.Join(seedRepo, "config")); err != nil {
		t.Skipf("seed fixtures absent: %v", err)
	}
	if err := exec.Command("python3", "-c", "import yaml, jinja2").Run(); err != nil {
		t.Skipf("python3 with PyYAML and Jinja2 needed for the reference rendering: %v", err)
	}
	cases := []struct{ rows, id string }{
		{"lite-test-5.json", promptTrial}, {"lite-test-5.json", "sympy__sympy-13031"},
		{"lite-test-5.json", "scikit-learn__scikit-learn-13584"}, {"dev-easy-5.json", "pydicom__pydicom-1458"},
		{"dev-easy-5.json", "pylint-dev__astroid-1268"}, // listed twice in its file
	}
	for _, s := range []string{strategy.Raw, strategy.ObservationMasking, strategy.LLMSummary, strategy.Hybrid} {
		file := filepath.Join(seedRepo, "config", config.SeedStrategyFiles[s])
		args := []string{seedRefPy, file}
		for _, tc := range cases {
			args = append(args, filepath.Join(sweRows, tc.rows)+"="+tc.id)
		}
		out, err := exec.Command("python3", args...).Output()
		if err != nil {
			t.Fatalf("reference rendering: %v", err)
		}
		wants := strings.Split(strings.TrimSpace(string(out)), "\n")
		for i, tc := range cases {
			rows := filepath.Join(sweRows, tc.rows)
			for _, args := range [][]string{{"--agent-config", file}, {"--seed-configs", seedRepo}} {
				got, _, err := starterPrompt(t, append(args, "--strategy", s, "--instances-file", rows, "--instance", tc.id, "--json")...)
				if err != nil {
					t.Fatalf("%s %s %v: %v", s, tc.id, args, err)
				}
				if orderedJSON(t, []byte(got)) != orderedJSON(t, []byte(wants[i])) {
					t.Errorf("%s %s %v: starter prompt --json differs from the seed's rendering\n got %.300s\nwant %.300s", s, tc.id, args[0], got, wants[i])
				}
			}
		}
	}
}

func TestPromptBuiltinAndRefusals(t *testing.T) {
	if orderedJSON(t, []byte(`{"a":1,"b":[{"c":2,"d":3}]}`)) == orderedJSON(t, []byte(`{"a":1,"b":[{"d":3,"c":2}]}`)) {
		t.Fatal("orderedJSON ignores key order")
	}
	rows := filepath.Join(sweRows, "lite-test-5.json")
	if _, err := os.Stat(rows); err != nil {
		t.Skipf("fixtures absent: %v", err)
	}
	out, errOut, err := starterPrompt(t, "--instances-file", rows, "--instance", promptTrial)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(errOut, config.BuiltinPromptsNote) || !strings.Contains(out, "===== system (") || !strings.Contains(out, "===== tools (12)") {
		t.Errorf("built-in prompt:\n%s\n%s", errOut, out)
	}
	raw := filepath.Join(seedRepo, "config", config.SeedStrategyFiles[strategy.Raw])
	if _, err := os.Stat(raw); err == nil {
		_, _, err := starterPrompt(t, "--agent-config", raw, "--strategy", "llm_summary", "--instances-file", rows, "--instance", promptTrial)
		if err == nil || !strings.Contains(err.Error(), raw) || !strings.Contains(err.Error(), "agent.templates.summary_system_template") {
			t.Errorf("llm_summary on the raw config: %v", err)
		}
	}
	if _, _, err := starterPrompt(t, "--instances-file", rows, "--instance", "nope__nope-1"); err == nil || !strings.Contains(err.Error(), "nope__nope-1 is not in") {
		t.Errorf("unknown instance: %v", err)
	}
}

// TestDryRunSeedConfigs: with --seed-configs every trial shows the config
// run_sweep.py picks for its strategy, its history processors rewritten
// from the trial's hp-* values.
func TestDryRunSeedConfigs(t *testing.T) {
	if _, err := os.Stat(filepath.Join(seedRepo, "config")); err != nil {
		t.Skipf("seed fixtures absent: %v", err)
	}
	dir := t.TempDir()
	sweepFile := filepath.Join(dir, "hp.yaml")
	src := "method: grid\nparameters:\n  model: {value: deepseek-chat}\n  strategy: {values: [raw, observation_masking, hybrid]}\n" +
		"  hp-obs-n: {values: [5, 10]}\n  instances-slice: {value: \":3\"}\ncommand: [\"${args}\", --seed-configs=" + seedRepo + "]\n"
	if err := os.WriteFile(sweepFile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var plans []struct {
		RunName string `json:"run_name"`
		Agent   *struct {
			File              string `json:"file"`
			HistoryProcessors []struct {
				Type string `json:"type"`
				N    *int   `json:"n"`
			} `json:"history_processors"`
		} `json:"agent_config"`
	}
	out := runStarter(t, dir, "--dry-run", "--json", sweepFile)
	if err := json.Unmarshal([]byte(out), &plans); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(plans) != 5 { // raw once (hp-obs-n does not apply), 2 x masking, 2 x hybrid
		t.Fatalf("%d trials: %s", len(plans), out)
	}
	for _, p := range plans {
		if p.Agent == nil {
			t.Fatalf("%s: no config", p.RunName)
		}
		base := filepath.Base(p.Agent.File)
		switch {
		case strings.Contains(p.RunName, "__raw__"):
			if base != config.SeedStrategyFiles[strategy.Raw] || p.Agent.HistoryProcessors != nil {
				t.Errorf("%s: %s %+v", p.RunName, base, p.Agent.HistoryProcessors)
			}
		default:
			want := config.SeedStrategyFiles[strategy.ObservationMasking]
			if strings.Contains(p.RunName, "__hyb_") {
				want = config.SeedStrategyFiles[strategy.Hybrid]
			}
			last := p.Agent.HistoryProcessors[len(p.Agent.HistoryProcessors)-1]
			n := "5"
			if !strings.Contains(p.RunName, "o=5") && !strings.Contains(p.RunName, "n=5") {
				n = "10"
			}
			if base != want || last.Type != "last_n_observations" || last.N == nil || strings.TrimSpace(n) != itoa(*last.N) {
				t.Errorf("%s: %s %s n=%v", p.RunName, base, last.Type, last.N)
			}
		}
	}
	text := runStarter(t, dir, "--dry-run", sweepFile)
	if first, _, _ := strings.Cut(text, "\n"); !strings.HasPrefix(first, "Prompts: the seed's configs from "+seedRepo) {
		t.Errorf("first line %q", first)
	}
	if !strings.Contains(text, "config: "+config.SeedStrategyFiles[strategy.ObservationMasking]) {
		t.Errorf("text dry run lacks the per-trial config:\n%s", text)
	}
	builtin := runStarter(t, dir, "--dry-run", quickTest)
	if first, _, _ := strings.Cut(builtin, "\n"); first != config.BuiltinPromptsNote {
		t.Errorf("built-in first line %q", first)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
