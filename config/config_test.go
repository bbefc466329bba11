package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
)

func toolNames(c agent.Config) string {
	var out []string
	for _, t := range c.ToolList() {
		out = append(out, t.Name)
	}
	return strings.Join(out, " ")
}

const seedOrder = "bash goto open create scroll_up scroll_down find_file search_dir search_file edit insert submit"

func TestDefaultAgent(t *testing.T) {
	c, err := DefaultAgent()
	if err != nil {
		t.Fatal(err)
	}
	if got := toolNames(c); got != seedOrder {
		t.Errorf("tools %q", got)
	}
	if got := c.Limits.Apply(agent.Limits{}); got != (agent.Limits{MaxRequeries: 3, ExecutionTimeoutSec: 30, MaxConsecutiveTimeouts: 3, TotalExecutionTimeoutSec: 1800}) {
		t.Errorf("limits %+v", got)
	}
	if c.Templates.MaxObservationSize != 100000 || c.Window() != agent.DefaultWindow || c.HistoryProcessors != nil || len(c.Notes) > 0 {
		t.Errorf("config %+v", c)
	}
	// Our file spells out the same format-error branches that seed-format
	// configurations get built in.
	if c.Templates.FormatError != agent.DefaultFormatError {
		t.Errorf("format_error_template %q", c.Templates.FormatError)
	}
	for code, want := range agent.DefaultFormatErrors {
		if c.Templates.FormatErrors[code] != want {
			t.Errorf("format_error_templates.%s:\n%q\nwant\n%q", code, c.Templates.FormatErrors[code], want)
		}
	}
	if err := CheckStrategy(c, strategy.Defaults(strategy.Hybrid)); err != nil {
		t.Errorf("a configuration without history processors fits every strategy: %v", err)
	}
}

// TestSeedFormatSample loads the seed-format sample and checks that it maps
// to the configuration the paper's observation_masking trials run.
func TestSeedFormatSample(t *testing.T) {
	c, err := LoadAgentFile("testdata/seed_observation_masking.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := toolNames(c); got != seedOrder {
		t.Errorf("tools %q", got)
	}
	if c.Env["WINDOW"] != "100" || c.Env["OVERLAP"] != "2" || !strings.Contains(c.Templates.System, "{{WINDOW}} lines") {
		t.Errorf("env %v, system %q", c.Env, c.Templates.System)
	}
	if got := c.Limits.Apply(agent.DefaultLimits()); got != agent.DefaultLimits() {
		t.Errorf("limits %+v", got)
	}
	if err := CheckStrategy(c, strategy.Defaults(strategy.ObservationMasking)); err != nil {
		t.Errorf("the paper's masking trial: %v", err)
	}
	p := strategy.Defaults(strategy.ObservationMasking)
	p.ObsN = 5
	if err := CheckStrategy(c, p); err == nil || !strings.Contains(err.Error(), "last_n_observations.n 10 (trial: 5)") {
		t.Errorf("hp-obs-n 5: %v", err)
	}
	if err := CheckStrategy(c, strategy.Defaults(strategy.Raw)); err == nil || !strings.Contains(err.Error(), "strategy observation_masking (trial: raw)") {
		t.Errorf("raw: %v", err)
	}
	for _, n := range []string{"agent.model.name not used", "call limit 250 is not used"} {
		if !strings.Contains(strings.Join(c.Notes, "\n"), n) {
			t.Errorf("notes lack %q: %q", n, c.Notes)
		}
	}
}

// Unset summarizer parameters are the seed's code defaults, not the
// paper's values.
func TestCheckStrategySummarizerDefaults(t *testing.T) {
	n := 21
	c := agent.Config{HistoryProcessors: []agent.HistoryProcessor{{Type: agent.ProcSummarize, N: &n}}}
	c.Templates.SummarySystem = "summarize"
	err := CheckStrategy(c, strategy.Defaults(strategy.LLMSummary))
	if err == nil || !strings.Contains(err.Error(), "keep_last_m_turns 0 (trial: 10)") || !strings.Contains(err.Error(), "enable_static_checkpointing false (trial: true)") {
		t.Errorf("got %v", err)
	}
	if err := CheckStrategy(agent.Config{HistoryProcessors: []agent.HistoryProcessor{}}, strategy.Defaults(strategy.Raw)); err != nil {
		t.Errorf("an empty list is raw: %v", err)
	}
}

func TestStoreAgentFile(t *testing.T) {
	data := t.TempDir()
	ref, c, err := StoreAgentFile(data, "testdata/seed_observation_masking.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if ref.Hash != c.Hash() || !filepath.IsAbs(ref.File) || ref.Limits != c.Limits {
		t.Errorf("ref %+v", ref)
	}
	st := store.Store{Root: data}
	got, err := LoadStoredAgent(st, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hash() != ref.Hash || toolNames(got) != seedOrder || got.HistoryProcessors == nil {
		t.Errorf("loaded %+v", got)
	}
	// Storing again is a no-op; a worker on another data directory, or a
	// changed file, is refused with a message.
	if ref2, _, err := StoreAgentFile(data, "testdata/seed_observation_masking.yaml"); err != nil || !reflect.DeepEqual(ref2, ref) {
		t.Errorf("second store: %+v %v", ref2, err)
	}
	if _, err := LoadStoredAgent(store.Store{Root: t.TempDir()}, ref); err == nil || !strings.Contains(err.Error(), "workers must share the starter's data directory") {
		t.Errorf("missing: %v", err)
	}
	other := store.Store{Root: t.TempDir()}
	var s StoredAgent
	if _, err := st.ReadJSON(AgentFile(ref.Hash), &s); err != nil {
		t.Fatal(err)
	}
	s.Config.Templates.System = "changed"
	if err := other.WriteJSON(AgentFile(ref.Hash), s); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadStoredAgent(other, ref); err == nil || !strings.Contains(err.Error(), "was altered") {
		t.Errorf("altered: %v", err)
	}
	if _, _, err := StoreAgentFile(data, filepath.Join(data, "absent.yaml")); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("absent file: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}
