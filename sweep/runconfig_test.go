package sweep

import (
	"reflect"
	"strings"
	"testing"
)

func intp(v int) *int    { return &v }
func boolp(v bool) *bool { return &v }

func TestDefaultRunConfig(t *testing.T) {
	c := DefaultRunConfig()
	want := RunConfig{SummarizerModel: "same", InstancesSubset: "verified", InstancesShuffleSeed: 42,
		CallLimit: 250, NumWorkers: 1, WandbProject: "complexity-trap"}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("DefaultRunConfig() = %+v, want %+v", c, want)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  func(c *RunConfig) any // the field after Set
		exp   any
	}{
		{"model", "glm-4.6", func(c *RunConfig) any { return c.Model }, "glm-4.6"},
		{"strategy", "hybrid", func(c *RunConfig) any { return c.Strategy }, "hybrid"},
		{"summarizer-model", "bedrock-nova-pro", func(c *RunConfig) any { return c.SummarizerModel }, "bedrock-nova-pro"},
		{"instances-slice", ":20", func(c *RunConfig) any { return c.InstancesSlice }, ":20"},
		{"instances-slice", 20, func(c *RunConfig) any { return c.InstancesSlice }, "20"},
		{"instances-slice", nil, func(c *RunConfig) any { return c.InstancesSlice }, ""},
		{"instances-shuffle", true, func(c *RunConfig) any { return c.InstancesShuffle }, true},
		{"instances-shuffle", "Yes", func(c *RunConfig) any { return c.InstancesShuffle }, true},
		{"instances-shuffle", "T", func(c *RunConfig) any { return c.InstancesShuffle }, true},
		{"instances-shuffle", "1", func(c *RunConfig) any { return c.InstancesShuffle }, true},
		{"instances-shuffle", "no", func(c *RunConfig) any { return c.InstancesShuffle }, false},
		{"instances-shuffle", 1, func(c *RunConfig) any { return c.InstancesShuffle }, true},
		{"instances-shuffle-seed", int64(7), func(c *RunConfig) any { return c.InstancesShuffleSeed }, 7},
		{"instances-file", "tasks.jsonl", func(c *RunConfig) any { return c.InstancesFile }, "tasks.jsonl"},
		{"call-limit", " 100 ", func(c *RunConfig) any { return c.CallLimit }, 100},
		{"call-limit", uint64(5), func(c *RunConfig) any { return c.CallLimit }, 5},
		{"cost-limit", 3, func(c *RunConfig) any { return c.CostLimit }, 3.0},
		{"cost-limit", "1.5", func(c *RunConfig) any { return c.CostLimit }, 1.5},
		{"num-workers", 4, func(c *RunConfig) any { return c.NumWorkers }, 4},
		{"wandb", "true", func(c *RunConfig) any { return c.Wandb }, true},
		{"wandb-project", "p", func(c *RunConfig) any { return c.WandbProject }, "p"},
		{"wandb-entity", "e", func(c *RunConfig) any { return c.WandbEntity }, "e"},
		{"wandb-group", "g", func(c *RunConfig) any { return c.WandbGroup }, "g"},
		{"wandb-tags", []any{"a", "b"}, func(c *RunConfig) any { return c.WandbTags }, []string{"a", "b"}},
		{"wandb-tags", "a  b", func(c *RunConfig) any { return c.WandbTags }, []string{"a", "b"}},
		{"hp-obs-n", 10, func(c *RunConfig) any { return c.HpObsN }, intp(10)},
		{"hp-obs-n", "7", func(c *RunConfig) any { return c.HpObsN }, intp(7)},
		{"hp-obs-n", nil, func(c *RunConfig) any { return c.HpObsN }, (*int)(nil)},
		{"hp-sum-n", 21, func(c *RunConfig) any { return c.HpSumN }, intp(21)},
		{"hp-sum-keep-m", 0, func(c *RunConfig) any { return c.HpSumKeepM }, intp(0)},
		{"hp-sum-static-checkpoint", "True", func(c *RunConfig) any { return c.HpSumStaticCheckpoint }, boolp(true)},
		{"hp-sum-extract-actions", false, func(c *RunConfig) any { return c.HpSumExtractActions }, boolp(false)},
		{"hp-sum-max-action-length", -1, func(c *RunConfig) any { return c.HpSumMaxActionLength }, intp(-1)},
		{"hp-sum-max-reasoning-length", "40", func(c *RunConfig) any { return c.HpSumMaxReasoningLength }, intp(40)},
		{"hp-sum-omit-turns", "y", func(c *RunConfig) any { return c.HpSumOmitTurns }, boolp(true)},
	}
	for _, tt := range tests {
		c := DefaultRunConfig()
		c.HpObsN = intp(99) // so that a nil assignment is observable
		if err := c.Set(tt.name, tt.value); err != nil {
			t.Errorf("Set(%q, %#v): %v", tt.name, tt.value, err)
			continue
		}
		if got := tt.want(&c); !reflect.DeepEqual(got, tt.exp) {
			t.Errorf("Set(%q, %#v): field = %#v, want %#v", tt.name, tt.value, got, tt.exp)
		}
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  []string
	}{
		{"hp-obs-n", "abc", []string{"hp-obs-n", `"abc"`, "integer"}},
		{"hp-obs-n", 1.5, []string{"hp-obs-n", "integer"}},
		{"hp-obs-n", 10.0, []string{"hp-obs-n", "integer"}},
		{"hp-obs-n", true, []string{"hp-obs-n", "integer"}},
		{"hp-obs-n", []any{5}, []string{"hp-obs-n", "list"}},
		{"call-limit", "", []string{"call-limit", "integer"}},
		{"instances-shuffle", []any{true}, []string{"instances-shuffle", "boolean"}},
		{"instances-shuffle", 1.0, []string{"instances-shuffle", "boolean"}},
		// The seed reads any unknown string as false (issue 21): refused.
		{"instances-shuffle", "maybe", []string{"instances-shuffle", `"maybe"`, "boolean", "silently"}},
		{"instances-shuffle", 2, []string{"instances-shuffle", "boolean"}},
		{"hp-sum-omit-turns", map[string]any{"a": 1}, []string{"hp-sum-omit-turns", "mapping"}},
		{"cost-limit", true, []string{"cost-limit", "number"}},
		{"cost-limit", "cheap", []string{"cost-limit", "number"}},
		{"model", true, []string{"model", "string"}},
		{"model", []any{"a"}, []string{"model", "string"}},
		{"model", nil, []string{"model", "null"}},
		{"num-workers", nil, []string{"num-workers", "null"}},
		{"wandb-tags", map[string]any{}, []string{"wandb-tags", "list"}},
		{"wandb-tags", []any{[]any{"x"}}, []string{"wandb-tags", "element 0"}},
		{"hp_obs_n", 5, []string{`unknown parameter "hp_obs_n"`, "valid:", "hp-obs-n", "instances-shuffle"}},
		{"weave", true, []string{`unknown parameter "weave"`}},
	}
	for _, tt := range tests {
		c := DefaultRunConfig()
		before := c
		err := c.Set(tt.name, tt.value)
		if err == nil {
			t.Errorf("Set(%q, %#v): want error, got nil", tt.name, tt.value)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Set(%q, %#v) = %q, want it to contain %q", tt.name, tt.value, err, w)
			}
		}
		if !reflect.DeepEqual(c, before) {
			t.Errorf("Set(%q, %#v) failed but changed the config: %+v", tt.name, tt.value, c)
		}
	}
}

func TestParamNamesMatchSeedFlags(t *testing.T) {
	want := "model strategy summarizer-model instances-subset instances-slice instances-shuffle " +
		"instances-shuffle-seed instances-file instances-filter evaluate call-limit cost-limit num-workers wandb wandb-project " +
		"wandb-entity wandb-group wandb-tags hp-obs-n hp-sum-n hp-sum-keep-m hp-sum-static-checkpoint " +
		"hp-sum-extract-actions hp-sum-max-action-length hp-sum-max-reasoning-length hp-sum-omit-turns"
	if got := strings.Join(ParamNames(), " "); got != want {
		t.Fatalf("ParamNames() =\n%s\nwant\n%s", got, want)
	}
	// Every parameter must be settable (no panic on an unhandled field type).
	for _, n := range ParamNames() {
		c := DefaultRunConfig()
		_ = c.Set(n, "1")
	}
}
