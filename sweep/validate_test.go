package sweep

import (
	"strings"
	"testing"
)

var presets = map[string]bool{"deepseek-chat": true, "bedrock-qwen3-32b": true, "glm-4.6": true,
	"kimi-k2": true, "minimax-m2": true, "gpt-4o-mini": true, "bedrock-nova-pro": true, "replay": true}

func known(m string) bool { return presets[m] }

func TestValidateOK(t *testing.T) {
	ok := [][]any{
		{"model", "deepseek-chat", "strategy", "raw"},
		{"model", "glm-4.6", "strategy", "llm_summary", "hp-sum-n", 15, "hp-sum-keep-m", 12},
		{"model", "glm-4.6", "strategy", "llm_summary", "hp-sum-n", 11}, // default k=10 < 11
		{"model", "glm-4.6", "strategy", "hybrid", "summarizer-model", "bedrock-nova-pro", "hp-sum-keep-m", 0},
		// k >= s is irrelevant (and ignored) for raw and observation_masking.
		{"model", "kimi-k2", "strategy", "raw", "hp-sum-n", 5, "hp-sum-keep-m", 9, "summarizer-model", "nope"},
		{"model", "kimi-k2", "strategy", "observation_masking", "hp-sum-n", 5, "summarizer-model", "nope"},
		{"model", "kimi-k2", "strategy", "observation_masking_cached", "hp-obs-n", 10, "hp-sum-n", 5, "summarizer-model", "nope"},
		{"model", "replay", "strategy", "hybrid", "instances-subset", "demo", "num-workers", 2},
		{"model", "replay", "strategy", "raw", "instances-subset", "lite", "instances-slice", "-5:"},
		{"model", "replay", "strategy", "raw", "instances-slice", "1:10:2", "hp-sum-max-action-length", -1},
	}
	for _, kv := range ok {
		c := cfg(t, kv...)
		if err := c.Validate(known); err != nil {
			t.Errorf("Validate(%v) = %v, want nil", kv, err)
		}
	}
}

func TestValidateErrors(t *testing.T) {
	tests := []struct {
		kv   []any
		want []string
	}{
		{[]any{"strategy", "raw"}, []string{"model is required"}},
		{[]any{"model", "gpt-5", "strategy", "raw"}, []string{`model "gpt-5" is not a known model preset`}},
		{[]any{"model", "glm-4.6"}, []string{`strategy "" is not one of raw, observation_masking, llm_summary, hybrid`}},
		{[]any{"model", "glm-4.6", "strategy", "summary"}, []string{`strategy "summary"`}},
		{[]any{"model", "glm-4.6", "strategy", "llm_summary", "summarizer-model", "nope"},
			[]string{`summarizer-model "nope" is neither "same" nor a known model preset`}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "instances-subset", "mini"},
			[]string{`instances-subset "mini" is not one of verified, verified-mini, lite, full, demo`}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "instances-slice", "a:b"}, []string{`instances-slice "a:b"`, "not an integer"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "instances-slice", "1:2:3:4"}, []string{"instances-slice", "at most 3"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "instances-slice", "::0"}, []string{"step cannot be zero"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "num-workers", 0}, []string{"num-workers must be >= 1, got 0"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "call-limit", 0}, []string{"call-limit must be >= 1, got 0"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "cost-limit", -1}, []string{"cost-limit must be a finite number >= 0"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "hp-obs-n", 0}, []string{"hp-obs-n must be >= 1, got 0"}},
		{[]any{"model", "glm-4.6", "strategy", "observation_masking_cached", "hp-obs-n", 0}, []string{"hp-obs-n must be >= 1, got 0"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "hp-sum-n", 0}, []string{"hp-sum-n must be >= 1, got 0"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "hp-sum-keep-m", -1}, []string{"hp-sum-keep-m must be >= 0, got -1"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "hp-sum-max-reasoning-length", -2}, []string{"hp-sum-max-reasoning-length must be >= -1"}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "wandb-project", ""}, []string{"wandb-project must not be empty"}},
		{[]any{"model", "glm-4.6", "strategy", "llm_summary", "hp-sum-keep-m", 21},
			[]string{"hp-sum-keep-m (k=21) must be less than hp-sum-n (s=21)"}},
		{[]any{"model", "glm-4.6", "strategy", "hybrid", "hp-sum-n", 10, "hp-sum-keep-m", 12},
			[]string{"hp-sum-keep-m (k=12) must be less than hp-sum-n (s=10)"}},
		{[]any{"model", "glm-4.6", "strategy", "hybrid", "hp-sum-n", 8}, // default k=10
			[]string{"hp-sum-keep-m (k=10) must be less than hp-sum-n (s=8)"}},
		// Several problems are all reported.
		{[]any{"model", "x", "strategy", "raw", "num-workers", 0, "hp-obs-n", 0},
			[]string{`model "x"`, "num-workers", "hp-obs-n"}},
	}
	for _, tt := range tests {
		c := cfg(t, tt.kv...)
		err := c.Validate(known)
		if err == nil {
			t.Errorf("Validate(%v) = nil, want error", tt.kv)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Validate(%v) = %q, want it to contain %q", tt.kv, err, w)
			}
		}
	}
}

func TestValidateNilKnownModel(t *testing.T) {
	c := cfg(t, "model", "anything", "strategy", "llm_summary", "summarizer-model", "whatever")
	if err := c.Validate(nil); err != nil {
		t.Fatalf("Validate(nil) = %v, want nil (no preset check)", err)
	}
}

func TestKey(t *testing.T) {
	base := cfg(t, "model", "glm-4.6", "strategy", "hybrid", "hp-obs-n", 10)
	k := base.Key()
	if len(k) != 10 || strings.Trim(k, "0123456789abcdef") != "" {
		t.Fatalf("Key() = %q, want 10 lowercase hex chars", k)
	}
	// Golden: workflow IDs derive from Key, so its canonical form must not drift.
	if k != goldenKey {
		t.Errorf("Key() = %q, want %q (changing the canonical form renames every trial workflow)", k, goldenKey)
	}
	if again := cfg(t, "model", "glm-4.6", "strategy", "hybrid", "hp-obs-n", 10).Key(); again != k {
		t.Errorf("Key not stable: %q vs %q", k, again)
	}
	same := [][]any{{"wandb", true}, {"wandb-project", "x"}, {"wandb-entity", "e"}, {"wandb-group", "g"},
		{"wandb-tags", "a b"}, {"num-workers", 8}}
	for _, kv := range same {
		c := base
		_ = c.Set(kv[0].(string), kv[1])
		if c.Key() != k {
			t.Errorf("Key changed after Set(%v); wandb-* and num-workers must not affect it", kv)
		}
	}
	diff := [][]any{{"model", "kimi-k2"}, {"strategy", "raw"}, {"summarizer-model", "glm-4.6"},
		{"instances-subset", "lite"}, {"instances-slice", ":3"}, {"instances-shuffle", true},
		{"instances-shuffle-seed", 1}, {"instances-file", "f.jsonl"}, {"call-limit", 100}, {"cost-limit", 3},
		{"hp-obs-n", 5}, {"hp-obs-n", nil}, {"hp-sum-n", 21}, {"hp-sum-keep-m", 10},
		{"hp-sum-static-checkpoint", true}, {"hp-sum-extract-actions", false}, {"hp-sum-max-action-length", -1},
		{"hp-sum-max-reasoning-length", -1}, {"hp-sum-omit-turns", false}}
	seen := map[string][]any{k: nil}
	for _, kv := range diff {
		c := base
		if err := c.Set(kv[0].(string), kv[1]); err != nil {
			t.Fatal(err)
		}
		ck := c.Key()
		if prev, dup := seen[ck]; dup {
			t.Errorf("Key after Set(%v) = %q, same as after %v", kv, ck, prev)
		}
		seen[ck] = kv
	}
}

const goldenKey = "2c398d8028"

func TestExperimentKey(t *testing.T) {
	pairs := []struct {
		a, b  []any
		equal bool
	}{
		{[]any{"model", "m", "strategy", "raw", "summarizer-model", "x", "hp-obs-n", 5, "hp-sum-n", 15},
			[]any{"model", "m", "strategy", "raw"}, true},
		{[]any{"model", "m", "strategy", "observation_masking", "summarizer-model", "x", "hp-sum-n", 15},
			[]any{"model", "m", "strategy", "observation_masking"}, true},
		{[]any{"model", "m", "strategy", "llm_summary", "summarizer-model", "same", "hp-obs-n", 5},
			[]any{"model", "m", "strategy", "llm_summary", "summarizer-model", "m"}, true},
		{[]any{"model", "m", "strategy", "raw", "instances-shuffle-seed", 1},
			[]any{"model", "m", "strategy", "raw", "instances-shuffle-seed", 2}, true},
		{[]any{"model", "m", "strategy", "raw", "instances-shuffle", true, "instances-shuffle-seed", 1},
			[]any{"model", "m", "strategy", "raw", "instances-shuffle", true, "instances-shuffle-seed", 2}, false},
		{[]any{"model", "m", "strategy", "hybrid", "hp-obs-n", 5},
			[]any{"model", "m", "strategy", "hybrid", "hp-obs-n", 10}, false},
		{[]any{"model", "m", "strategy", "llm_summary", "summarizer-model", "x"},
			[]any{"model", "m", "strategy", "llm_summary", "summarizer-model", "y"}, false},
		{[]any{"model", "m", "strategy", "raw"}, []any{"model", "m", "strategy", "observation_masking"}, false},
		{[]any{"model", "m", "strategy", "observation_masking_cached", "hp-obs-n", 5, "hp-sum-n", 15},
			[]any{"model", "m", "strategy", "observation_masking_cached", "hp-obs-n", 5}, true},
		{[]any{"model", "m", "strategy", "observation_masking_cached", "hp-obs-n", 5},
			[]any{"model", "m", "strategy", "observation_masking_cached", "hp-obs-n", 10}, false},
		{[]any{"model", "m", "strategy", "observation_masking_cached"}, []any{"model", "m", "strategy", "observation_masking"}, false},
	}
	for _, p := range pairs {
		a, b := cfg(t, p.a...), cfg(t, p.b...)
		if got := a.ExperimentKey() == b.ExperimentKey(); got != p.equal {
			t.Errorf("ExperimentKey(%v) == ExperimentKey(%v) is %v, want %v", p.a, p.b, got, p.equal)
		}
	}
}
