package sweep

import (
	"reflect"
	"strings"
	"testing"
)

// cfg builds a RunConfig from defaults plus flag-name/value pairs.
func cfg(t *testing.T, kv ...any) RunConfig {
	t.Helper()
	c := DefaultRunConfig()
	for i := 0; i < len(kv); i += 2 {
		if err := c.Set(kv[i].(string), kv[i+1]); err != nil {
			t.Fatalf("Set: %v", err)
		}
	}
	return c
}

func TestRunName(t *testing.T) {
	tests := []struct {
		kv   []any
		want string
	}{
		// The four examples of seed-system.md §6.4.
		{[]any{"model", "deepseek-chat", "strategy", "observation_masking"}, "deepseek-chat__obs__v"},
		{[]any{"model", "deepseek-chat", "strategy", "observation_masking", "hp-obs-n", 10,
			"instances-subset", "verified-mini"}, "deepseek-chat__obs_n=10__mini"},
		{[]any{"model", "glm-4.6", "strategy", "llm_summary", "hp-sum-n", 15, "hp-sum-keep-m", 7,
			"instances-subset", "verified-mini"}, "glm-4.6__sum_glm-4.6_n=15_k=7__mini"},
		{[]any{"model", "bedrock-qwen3-32b", "strategy", "hybrid", "summarizer-model", "bedrock-nova-pro",
			"hp-obs-n", 10, "hp-sum-n", 21, "hp-sum-keep-m", 10, "instances-slice", ":20"},
			"bedrock-qwen3-32b__hyb_nova-pro_o=10_s=21_k=10__v20"},
		// More.
		{[]any{"model", "openrouter/qwen/qwen3-coder:free", "strategy", "raw"}, "openrouter_qwen_qwen3-coder:free__raw__v"},
		{[]any{"model", "kimi-k2", "strategy", "raw", "summarizer-model", "glm-4.6", "hp-obs-n", 5,
			"hp-sum-n", 15}, "kimi-k2__raw__v"},
		{[]any{"model", "kimi-k2", "strategy", "observation_masking", "summarizer-model", "glm-4.6",
			"hp-sum-n", 15, "hp-sum-keep-m", 7}, "kimi-k2__obs__v"},
		{[]any{"model", "kimi-k2", "strategy", "llm_summary", "summarizer-model", "bedrock-nova-pro",
			"hp-obs-n", 5, "hp-sum-keep-m", 7}, "kimi-k2__sum_nova-pro_k=7__v"},
		{[]any{"model", "bedrock-qwen3-32b", "strategy", "llm_summary"}, "bedrock-qwen3-32b__sum_qwen3-32b__v"},
		{[]any{"model", "gpt-4o-mini", "strategy", "hybrid", "hp-obs-n", 5}, "gpt-4o-mini__hyb_gpt-4o-mini_o=5__v"},
		{[]any{"model", "gpt-4o-mini", "strategy", "hybrid", "hp-sum-keep-m", 12, "instances-subset", "lite",
			"instances-slice", "10:20"}, "gpt-4o-mini__hyb_gpt-4o-mini_k=12__lite1020"},
		{[]any{"model", "replay", "strategy", "raw", "instances-subset", "demo"}, "replay__raw__demo"},
		{[]any{"model", "replay", "strategy", "raw", "instances-subset", "full", "instances-slice", "::2"}, "replay__raw__full2"},
		{[]any{"model", "m", "strategy", "llm_summary", "summarizer-model", "openai/gpt 4"}, "m__sum_openai_gpt_4__v"},
		// Our cache-aware masking: "obsc", hp-obs-n as for observation_masking.
		{[]any{"model", "replay", "strategy", "observation_masking_cached", "hp-obs-n", 10, "hp-sum-n", 15,
			"instances-subset", "demo"}, "replay__obsc_n=10__demo"},
		{[]any{"model", "gpt-4o-mini", "strategy", "observation_masking_cached"}, "gpt-4o-mini__obsc__v"},
	}
	for _, tt := range tests {
		c := cfg(t, tt.kv...)
		if got := c.RunName(); got != tt.want {
			t.Errorf("RunName(%v) = %q, want %q", tt.kv, got, tt.want)
		}
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		kv   []any
		want string
	}{
		{[]any{"model", "bedrock-qwen3-32b", "strategy", "hybrid", "summarizer-model", "bedrock-nova-pro",
			"hp-obs-n", 10, "hp-sum-n", 21, "hp-sum-keep-m", 10, "instances-slice", ":20"},
			"model:bedrock-qwen3-32b provider:bedrock strategy:hybrid subset:verified summarizer:bedrock-nova-pro " +
				"sum_provider:bedrock obs_n:10 sum_n:21 keep_m:10"},
		{[]any{"model", "deepseek-chat", "strategy", "raw", "hp-obs-n", 10, "hp-sum-n", 21, "wandb-tags", []any{"u1", "u2"}},
			"u1 u2 model:deepseek-chat provider:deepseek strategy:raw subset:verified"},
		{[]any{"model", "glm-4.6", "strategy", "llm_summary", "hp-obs-n", 5, "hp-sum-keep-m", 7, "instances-subset", "verified-mini"},
			"model:glm-4.6 provider:zhipu strategy:llm_summary subset:verified-mini summarizer:glm-4.6 sum_provider:zhipu keep_m:7"},
		{[]any{"model", "bedrock-qwen3-coder-480b", "strategy", "observation_masking", "hp-obs-n", 5, "hp-sum-n", 15},
			"model:bedrock-qwen3-coder-480b provider:other strategy:observation_masking subset:verified obs_n:5"},
		{[]any{"model", "kimi-k2", "strategy", "hybrid", "summarizer-model", "minimax-m2"},
			"model:kimi-k2 provider:moonshot strategy:hybrid subset:verified summarizer:minimax-m2 sum_provider:minimax"},
		{[]any{"model", "gpt-4o-mini", "strategy", "llm_summary", "summarizer-model", "bedrock-claude-haiku-4.5"},
			"model:gpt-4o-mini provider:openai strategy:llm_summary subset:verified summarizer:bedrock-claude-haiku-4.5 sum_provider:bedrock"},
		{[]any{"model", "gpt-4o-mini", "strategy", "observation_masking_cached", "hp-obs-n", 8, "hp-sum-n", 15},
			"model:gpt-4o-mini provider:openai strategy:observation_masking_cached subset:verified obs_n:8"},
	}
	for _, tt := range tests {
		c := cfg(t, tt.kv...)
		if got := strings.Join(c.Tags(), " "); got != tt.want {
			t.Errorf("Tags(%v) =\n  %s\nwant\n  %s", tt.kv, got, tt.want)
		}
	}
}

func TestProvider(t *testing.T) {
	for model, want := range map[string]string{
		"bedrock-qwen3-32b": "bedrock", "bedrock-nova-pro": "bedrock", "bedrock-nova-lite": "bedrock",
		"bedrock-claude-haiku-4.5": "bedrock", "deepseek-chat": "deepseek", "glm-4.6": "zhipu",
		"kimi-k2": "moonshot", "minimax-m2": "minimax", "gpt-4o-mini": "openai",
		"bedrock-qwen3-coder-480b": "other", "replay": "other",
	} {
		if got := Provider(model); got != want {
			t.Errorf("Provider(%q) = %q, want %q", model, got, want)
		}
	}
}

func TestWandbConfig(t *testing.T) {
	tests := []struct {
		kv   []any
		want map[string]any
	}{
		{[]any{"model", "bedrock-qwen3-32b", "strategy", "hybrid", "summarizer-model", "bedrock-nova-pro",
			"hp-obs-n", 10, "hp-sum-n", 21, "hp-sum-keep-m", 10, "hp-sum-static-checkpoint", true,
			"hp-sum-extract-actions", false, "hp-sum-max-action-length", -1, "hp-sum-max-reasoning-length", 30,
			"hp-sum-omit-turns", false, "instances-slice", ":20", "cost-limit", 3, "num-workers", 4, "instances-shuffle", true},
			map[string]any{"model": "bedrock-qwen3-32b", "strategy": "hybrid", "summarizer_model": "bedrock-nova-pro",
				"instances_subset": "verified", "instances_slice": ":20", "call_limit": 250,
				"hp_obs_n": 10, "hp_sum_n": 21, "hp_sum_keep_m": 10, "hp_sum_static_checkpoint": true,
				"hp_sum_extract_actions": false, "hp_sum_max_action_length": -1, "hp_sum_max_reasoning_length": 30,
				"hp_sum_omit_turns": false}},
		{[]any{"model", "deepseek-chat", "strategy", "observation_masking", "hp-obs-n", 5, "hp-sum-n", 15,
			"hp-sum-static-checkpoint", true, "call-limit", 100},
			map[string]any{"model": "deepseek-chat", "strategy": "observation_masking", "summarizer_model": "same",
				"instances_subset": "verified", "instances_slice": nil, "call_limit": 100, "hp_obs_n": 5}},
		{[]any{"model", "glm-4.6", "strategy", "llm_summary", "hp-obs-n", 5, "hp-sum-n", 15},
			map[string]any{"model": "glm-4.6", "strategy": "llm_summary", "summarizer_model": "same",
				"instances_subset": "verified", "instances_slice": nil, "call_limit": 250, "hp_sum_n": 15}},
		{[]any{"model", "glm-4.6", "strategy", "raw", "hp-obs-n", 5, "hp-sum-n", 15},
			map[string]any{"model": "glm-4.6", "strategy": "raw", "summarizer_model": "same",
				"instances_subset": "verified", "instances_slice": nil, "call_limit": 250}},
	}
	for _, tt := range tests {
		c := cfg(t, tt.kv...)
		if got := c.WandbConfig(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("WandbConfig(%v) =\n  %v\nwant\n  %v", tt.kv, got, tt.want)
		}
	}
}
