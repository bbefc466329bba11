package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// seedFixtures holds the seed's four configs and five tool bundles, laid
// out as in the seed repository (read at run time, never copied).
const seedFixtures = "/work/shared/fixtures/seed-configs"

func needSeedFixtures(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(seedFixtures, "config", SeedStrategyFiles[strategy.Raw])); err != nil {
		t.Skipf("seed fixtures absent: %v", err)
	}
}

// bundleTools reads a bundle's tool names and docstrings in declared
// order, independently of agent.ParseBundle (plain YAML nodes).
func bundleTools(t *testing.T, path string) (names, docs []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(seedFixtures, path, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var root struct {
		Tools yaml.Node `yaml:"tools"`
	}
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(root.Tools.Content); i += 2 {
		var tool struct {
			Docstring string `yaml:"docstring"`
		}
		if err := root.Tools.Content[i+1].Decode(&tool); err != nil {
			t.Fatal(err)
		}
		names = append(names, root.Tools.Content[i].Value)
		docs = append(docs, tool.Docstring)
	}
	return names, docs
}

func TestSeedConfigsLoadAsTheyAre(t *testing.T) {
	needSeedFixtures(t)
	// The tools the seed sends: bash, then each bundle's in order.
	wantNames, wantDocs := []string{"bash"}, []string{"runs the given command directly in bash"}
	for _, b := range []string{"tools/registry", "tools/defaults", "tools/search", "tools/edit_replace", "tools/submit"} {
		n, d := bundleTools(t, b)
		wantNames, wantDocs = append(wantNames, n...), append(wantDocs, d...)
	}
	for _, s := range []string{strategy.Raw, strategy.ObservationMasking, strategy.LLMSummary, strategy.Hybrid} {
		t.Run(s, func(t *testing.T) {
			file, c, err := LoadSeedConfig(seedFixtures, "", s)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(file) != SeedStrategyFiles[s] || !c.Seed {
				t.Errorf("file %s", file)
			}
			if !strings.Contains(strings.Join(c.Notes, "\n"), "run-level settings instances read and not used") {
				t.Errorf("the instances block is noted: %q", c.Notes)
			}
			tools := c.ToolList()
			if len(tools) != len(wantNames) {
				t.Fatalf("%d tools, want %d", len(tools), len(wantNames))
			}
			for i, tl := range tools {
				if tl.Name != wantNames[i] || tl.Description != wantDocs[i] {
					t.Errorf("tool %d: %s %q, want %s %q", i, tl.Name, tl.Description, wantNames[i], wantDocs[i])
				}
			}
			// The seed sends {WINDOW} unformatted in the scroll tools.
			if !strings.Contains(tools[5].Description, "{WINDOW}") {
				t.Errorf("scroll_up %q", tools[5].Description)
			}
			// The system message is the template with WINDOW from env_variables.
			raw, _ := os.ReadFile(file)
			var doc struct {
				Agent struct {
					Templates map[string]string `yaml:"templates"`
				} `yaml:"agent"`
			}
			if err := yaml.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			sys, inst, err := agent.RenderHead(c, "ISSUE TEXT", "/testbed")
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.ReplaceAll(doc.Agent.Templates["system_template"], "{{WINDOW}}", "100"); sys.Content != want {
				t.Errorf("system message differs from the template")
			}
			want := strings.NewReplacer("{{problem_statement}}", "ISSUE TEXT", "{{open_file}}", "n/a", "{{working_dir}}", "/testbed").
				Replace(doc.Agent.Templates["instance_template"])
			if inst.Content != want {
				t.Errorf("instance message differs from the template")
			}
			summarizes := s == strategy.LLMSummary || s == strategy.Hybrid
			if (c.Templates.SummarySystem != "") != summarizes || c.Templates.SummarySystem != doc.Agent.Templates["summary_system_template"] {
				t.Errorf("summary template %q", c.Templates.SummarySystem)
			}
			if err := CheckTrialAgent(c, &agent.ConfigRef{File: file, HPRewrite: true}, sweep.RunConfig{Strategy: s}, strategy.Defaults(s)); err != nil {
				t.Errorf("the paper's trial for %s: %v", s, err)
			}
		})
	}
}

func TestSummaryStrategiesNeedASummaryTemplate(t *testing.T) {
	needSeedFixtures(t)
	file := filepath.Join(seedFixtures, "config", SeedStrategyFiles[strategy.Raw])
	c, err := LoadAgentFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{strategy.LLMSummary, strategy.Hybrid} {
		err := CheckTrialAgent(c, &agent.ConfigRef{File: file}, sweep.RunConfig{Strategy: s}, strategy.Defaults(s))
		if err == nil || !strings.HasPrefix(err.Error(), file+": ") || !strings.Contains(err.Error(), "agent.templates.summary_system_template") {
			t.Errorf("%s on the raw config: %v", s, err)
		}
	}
	if err := CheckTrialAgent(c, nil, sweep.RunConfig{Strategy: strategy.Raw}, strategy.Defaults(strategy.Raw)); err != nil {
		t.Errorf("raw: %v", err)
	}
}

func TestRewriteProcessors(t *testing.T) {
	needSeedFixtures(t)
	_, c, err := LoadSeedConfig(seedFixtures, "", strategy.Hybrid)
	if err != nil {
		t.Fatal(err)
	}
	five, seven, off := 5, 7, false
	rc := sweep.RunConfig{Strategy: strategy.Hybrid, HpObsN: &five, HpSumKeepM: &seven, HpSumStaticCheckpoint: &off}
	got := RewriteProcessors(c.HistoryProcessors, rc)
	b, _ := json.Marshal(got)
	want := `[{"type":"summarize_every_n_turns","n":21,"keep_last_m_turns":7,"enable_static_checkpointing":false,"extract_action_from_turns":false,` +
		`"max_kept_action_length":-1,"max_kept_reasoning_length":-1,"omit_turns":false},{"type":"last_n_observations","n":5}]`
	if string(b) != want {
		t.Errorf("rewritten\n got %s\nwant %s", b, want)
	}
	if *c.HistoryProcessors[1].N != 10 {
		t.Errorf("the loaded configuration was modified")
	}
	// The rewritten configuration agrees with the trial's parameters; the
	// file as it is does not.
	p := strategy.Defaults(strategy.Hybrid)
	p.ObsN, p.SumKeepM, p.StaticCheckpoint = 5, 7, false
	if err := CheckTrialAgent(c, &agent.ConfigRef{HPRewrite: true}, rc, p); err != nil {
		t.Errorf("rewritten: %v", err)
	}
	if err := CheckTrialAgent(c, &agent.ConfigRef{}, rc, p); err == nil {
		t.Errorf("without rewriting the file's n=10 must disagree with hp-obs-n 5")
	}
	// raw has no processors: nothing to rewrite (run_sweep ignores hp-* there).
	_, raw, _ := LoadSeedConfig(seedFixtures, "", strategy.Raw)
	if RewriteProcessors(raw.HistoryProcessors, rc) != nil {
		t.Errorf("raw rewritten")
	}
}

func TestBundleReaderToolsDir(t *testing.T) {
	needSeedFixtures(t)
	cfg := filepath.Join(t.TempDir(), "elsewhere.yaml")
	data, _ := os.ReadFile(filepath.Join(seedFixtures, "config", SeedStrategyFiles[strategy.Raw]))
	if err := os.WriteFile(cfg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	// Not next to its repository: built-in tools, noted.
	c, err := LoadAgentFileTools(cfg, "")
	if err != nil || c.ToolDefs != nil || !strings.Contains(strings.Join(c.Notes, "\n"), "not found") {
		t.Errorf("no bundles: %v %q", err, c.Notes)
	}
	// --tools-dir as the seed's tools/ directory or the repository.
	for _, dir := range []string{filepath.Join(seedFixtures, "tools"), seedFixtures} {
		c, err := LoadAgentFileTools(cfg, dir)
		if err != nil || len(c.ToolDefs) != 11 {
			t.Errorf("--tools-dir %s: %v %d", dir, err, len(c.ToolDefs))
		}
	}
	if _, err := LoadAgentFileTools(cfg, t.TempDir()); err == nil || !strings.Contains(err.Error(), "no tools/registry/config.yaml under --tools-dir") {
		t.Errorf("empty --tools-dir: %v", err)
	}
}

// A stored seed configuration, tool definitions included, loads back on a
// worker under the same hash.
func TestStoredSeedConfigRoundTrip(t *testing.T) {
	needSeedFixtures(t)
	file, c, err := LoadSeedConfig(seedFixtures, "", strategy.Hybrid)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	ref, err := StoreAgent(data, file, c)
	if err != nil {
		t.Fatal(err)
	}
	loaded.Clear()
	back, err := LoadStoredAgent(store.Store{Root: data}, ref)
	if err != nil {
		t.Fatal(err)
	}
	if string(agent.Functions(back.ToolList())) != string(agent.Functions(c.ToolList())) || back.Templates.System != c.Templates.System {
		t.Errorf("the stored configuration differs")
	}
}
