package sweep

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func load(t *testing.T, name string) *Spec {
	t.Helper()
	s, err := Load("../sweeps/" + name + ".yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestGridCounts(t *testing.T) {
	for name, want := range map[string]int{
		"quick_test": 144, "bedrock_repro": 4, "bedrock_hparams": 27, "hparams_obs_masking": 18, "demo": 4,
	} {
		s := load(t, name)
		grid, err := s.Grid()
		if err != nil {
			t.Errorf("%s: Grid: %v", name, err)
			continue
		}
		if len(grid) != want {
			t.Errorf("%s: %d grid points, want %d", name, len(grid), want)
		}
		seen := map[string]bool{}
		for _, m := range grid {
			if len(m) != len(s.Parameters) {
				t.Errorf("%s: point %v lacks parameters", name, m)
			}
			k := fmt.Sprint(m) // fmt sorts map keys
			if seen[k] {
				t.Errorf("%s: duplicate point %s", name, k)
			}
			seen[k] = true
		}
	}
}

// Order: parameters in file order, the last one varying fastest.
func TestGridOrder(t *testing.T) {
	grid, err := load(t, "bedrock_hparams").Grid()
	if err != nil {
		t.Fatal(err)
	}
	pick := func(m map[string]any) [3]any { return [3]any{m["hp-obs-n"], m["hp-sum-n"], m["hp-sum-keep-m"]} }
	want := map[int][3]any{0: {5, 15, 7}, 1: {5, 15, 10}, 2: {5, 15, 12}, 3: {5, 21, 7}, 9: {10, 15, 7}, 26: {15, 28, 12}}
	for i, w := range want {
		if got := pick(grid[i]); got != w {
			t.Errorf("bedrock_hparams grid[%d] = %v, want %v", i, got, w)
		}
	}
	if m := grid[0]; m["model"] != "bedrock-qwen3-32b" || m["hp-sum-static-checkpoint"] != true || m["cost-limit"] != 0.0 {
		t.Errorf("constants missing from grid[0]: %v", m)
	}

	q, err := load(t, "quick_test").Grid()
	if err != nil {
		t.Fatal(err)
	}
	pick3 := func(m map[string]any) string {
		return fmt.Sprintf("%v/%v/%v", m["model"], m["strategy"], m["summarizer-model"])
	}
	for i, w := range map[int]string{
		0: "deepseek-chat/raw/deepseek-chat", 1: "deepseek-chat/raw/bedrock-qwen3-32b",
		6: "deepseek-chat/observation_masking/deepseek-chat", 24: "bedrock-qwen3-32b/raw/deepseek-chat",
		143: "gpt-4o-mini/hybrid/gpt-4o-mini",
	} {
		if got := pick3(q[i]); got != w {
			t.Errorf("quick_test grid[%d] = %s, want %s", i, got, w)
		}
	}
}

func TestGridRejectsDistribution(t *testing.T) {
	s, err := Parse("sweeps/r.yaml", []byte("method: random\nparameters:\n  model: {value: m}\n  hp-obs-n: {min: 1, max: 9}\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Grid()
	if err == nil || !strings.Contains(err.Error(), "sweeps/r.yaml:4:3: parameters.hp-obs-n:") ||
		!strings.Contains(err.Error(), "grid") {
		t.Fatalf("Grid() error = %v", err)
	}
}

func TestTrialBedrockRepro(t *testing.T) {
	s := load(t, "bedrock_repro")
	trials, err := s.GridTrials(CommandFlags{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range trials {
		names = append(names, c.RunName())
		if !c.Wandb || c.WandbProject != "complexity-trap-bedrock" || c.InstancesShuffle || c.CallLimit != 250 {
			t.Errorf("trial %s: %+v", c.RunName(), c)
		}
		if err := c.Validate(known); err != nil {
			t.Errorf("trial %s: %v", c.RunName(), err)
		}
	}
	want := []string{
		"bedrock-qwen3-32b__raw__v20",
		"bedrock-qwen3-32b__obs_n=10__v20",
		"bedrock-qwen3-32b__sum_nova-pro_n=21_k=10__v20",
		"bedrock-qwen3-32b__hyb_nova-pro_o=10_s=21_k=10__v20",
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("run names = %q\nwant %q", names, want)
	}
}

func TestTrialDemo(t *testing.T) {
	trials, err := load(t, "demo").GridTrials(CommandFlags{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range trials {
		got = append(got, c.Strategy)
		if c.Model != "replay" || c.InstancesSubset != "demo" || c.NumWorkers != 2 || c.Wandb ||
			c.WandbProject != "complexity-trap" || c.CostLimit != 0 || c.CallLimit != 250 {
			t.Errorf("demo trial = %+v", c)
		}
	}
	if strings.Join(got, " ") != "raw observation_masking llm_summary hybrid" {
		t.Errorf("demo strategies = %v", got)
	}
	if trials[0].RunName() != "replay__raw__demo" {
		t.Errorf("RunName = %q", trials[0].RunName())
	}
}

func TestTrialOverridesAndErrors(t *testing.T) {
	s := load(t, "hparams_obs_masking")
	params := map[string]any{"model": "glm-4.6", "hp-obs-n": 5, "instances-file": "x.jsonl"}
	c, err := s.Trial(params, CommandFlags{WandbProject: "override", WandbEntity: "team"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Model != "glm-4.6" || *c.HpObsN != 5 || c.Strategy != "observation_masking" || !c.InstancesShuffle ||
		c.InstancesSubset != "verified-mini" || c.InstancesFile != "x.jsonl" {
		t.Errorf("trial = %+v", c)
	}
	if !c.Wandb || c.WandbProject != "override" || c.WandbEntity != "team" {
		t.Errorf("command flags/overrides not applied: wandb=%v project=%q entity=%q", c.Wandb, c.WandbProject, c.WandbEntity)
	}
	errCases := []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"hp-obs-n": 5}, "hparams_obs_masking.yaml:8:3: parameters.model: missing"},
		{map[string]any{"model": "glm-4.6", "hp-obs-n": "five"}, `parameters.hp-obs-n: invalid value "five" for hp-obs-n`},
		{map[string]any{"model": "glm-4.6", "hp-obs-n": 5, "bogus": 1}, `unknown parameter "bogus"`},
		{map[string]any{"model": "glm-4.6", "hp-obs-n": 0}, "hp-obs-n must be >= 1"},
	}
	for _, tc := range errCases {
		if _, err := s.Trial(tc.params, CommandFlags{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Trial(%v) error = %v, want %q", tc.params, err, tc.want)
		}
	}
}

// Every grid point of every grid sweep is a valid trial with a distinct Key.
func TestGridTrialsValidAndKeysDistinct(t *testing.T) {
	for _, name := range []string{"quick_test", "bedrock_repro", "bedrock_hparams", "hparams_obs_masking", "demo"} {
		trials, err := load(t, name).GridTrials(CommandFlags{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		keys, exp := map[string]bool{}, map[string]bool{}
		for _, c := range trials {
			if err := c.Validate(known); err != nil {
				t.Errorf("%s: %s: %v", name, c.RunName(), err)
			}
			keys[c.Key()] = true
			exp[c.ExperimentKey()] = true
		}
		if len(keys) != len(trials) {
			t.Errorf("%s: %d distinct keys for %d trials", name, len(keys), len(trials))
		}
		// quick_test: raw/obs ignore the summarizer → 6×(1+1+6+6) = 84 experiments.
		if name == "quick_test" && len(exp) != 84 {
			t.Errorf("quick_test: %d distinct experiments, want 84", len(exp))
		}
	}
}
