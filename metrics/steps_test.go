package metrics

import (
	"reflect"
	"testing"
)

var seedStepKeys = func() []string {
	ks := []string{"step", "global_step"}
	for _, m := range []string{"cost", "tokens_in", "tokens_out", "tokens_raw_input", "tokens_cached_input",
		"tokens_internal_reasoning", "inference_time_ms", "execution_time_ms", "cache_hit_rate"} {
		ks = append(ks, "step/"+m, "instance/"+m, "cumulative/"+m)
	}
	return append(ks, "instance/api_calls", "cumulative/api_calls")
}()

var ourStepKeys = []string{"step/requeries", "instance/requeries", "cumulative/requeries",
	"instance/summary_api_calls", "cumulative/summary_api_calls", "instance/summary_cost", "cumulative/summary_cost"}

var summaryStepKeys = []string{"step/summary_api_calls", "step/summary_cost", "step/summary_tokens_in",
	"step/summary_tokens_raw_input", "step/summary_tokens_cached_input", "step/summary_tokens_out",
	"step/summary_inference_time_ms"}

func cat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// stepInstance: a normal step, two re-queries then a step followed by a
// summary, then three re-queries and the exit_format step (no statistics).
func stepInstance() Instance {
	return Instance{ID: "a__b-1", ExitStatus: "exit_format", Turns: 8, Steps: []Step{
		{Kind: AgentStep, Index: 1, HasStats: true, Tokens: Usage{Input: 100, CachedInput: 40, Output: 10},
			Cost: 0.25, InferenceMS: 500, ExecSeconds: 0.25},
		{Kind: RequeryStep, Cost: 1},
		{Kind: RequeryStep, Cost: 1},
		{Kind: AgentStep, Index: 2, HasStats: true, Tokens: Usage{Input: 200, CachedInput: 100, Output: 20, Reasoning: 3},
			Cost: 0.5, InferenceMS: 700, ExecSeconds: 1.5},
		{Kind: SummaryStep, Tokens: Usage{Input: 300, CachedInput: 30, Output: 50}, Cost: 0.125, InferenceMS: 900},
		{Kind: RequeryStep}, {Kind: RequeryStep}, {Kind: RequeryStep},
		{Kind: AgentStep, Index: 3},
	}}
}

func TestInstanceStepRows(t *testing.T) {
	rows, after := InstanceStepRows(stepInstance(), Cumulative{GlobalStep: 10, Sums: Sums{Cost: 1, RawInput: 5, APICalls: 2}})
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	wantKeys(t, rows[0], cat(seedStepKeys, ourStepKeys))
	wantKeys(t, rows[1], cat(seedStepKeys, ourStepKeys, summaryStepKeys))
	wantKeys(t, rows[2], cat([]string{"step", "global_step"}, ourStepKeys))

	r := rows[0]
	check(t, r, Row{"step": 1, "global_step": 11, "step/cost": 0.25, "step/tokens_in": 100, "step/tokens_raw_input": 60,
		"step/tokens_cached_input": 40, "step/tokens_out": 10, "step/tokens_internal_reasoning": 0,
		"step/inference_time_ms": 500.0, "step/execution_time_ms": 250.0, "step/cache_hit_rate": 0.4,
		"instance/api_calls": 1, "instance/cost": 0.25, "cumulative/cost": 1.25, "cumulative/api_calls": 3,
		"cumulative/tokens_raw_input": 65, "cumulative/tokens_in": 105, "cumulative/cache_hit_rate": 40.0 / 105,
		"step/requeries": 0, "instance/requeries": 0})
	r = rows[1]
	check(t, r, Row{"step": 2, "global_step": 12, "step/cost": 0.5, "step/tokens_internal_reasoning": 3,
		"step/cache_hit_rate": 0.5, "instance/cost": 0.75, "instance/tokens_in": 300, "instance/api_calls": 2,
		"instance/cache_hit_rate": 140.0 / 300, "instance/inference_time_ms": 1200.0, "instance/execution_time_ms": 1750.0,
		"step/requeries": 2, "instance/requeries": 2, "cumulative/requeries": 2,
		"step/summary_api_calls": 1, "step/summary_cost": 0.125, "step/summary_tokens_in": 300,
		"step/summary_tokens_raw_input": 270, "step/summary_tokens_cached_input": 30, "step/summary_tokens_out": 50,
		"step/summary_inference_time_ms": 900.0, "instance/summary_api_calls": 1, "instance/summary_cost": 0.125})
	check(t, rows[2], Row{"step": 3, "global_step": 13, "step/requeries": 3, "instance/requeries": 5,
		"cumulative/summary_api_calls": 1})

	// Re-query and summary costs stay out of the seed's sums.
	want := Cumulative{GlobalStep: 13, Sums: Sums{Cost: 1.75, RawInput: 165, CachedInput: 140, Output: 30, Reasoning: 3,
		InferenceMS: 1200, ExecutionMS: 1750, APICalls: 4, Requeries: 5, SummaryAPICalls: 1, SummaryCost: 0.125}}
	if after != want {
		t.Errorf("after\n got %+v\nwant %+v", after, want)
	}
}

func check(t *testing.T, r Row, want Row) {
	t.Helper()
	for k, v := range want {
		if !reflect.DeepEqual(r[k], v) {
			t.Errorf("step %v: %s = %#v, want %#v", r["step"], k, r[k], v)
		}
	}
}

func TestUnloggedStepsAdvanceCounters(t *testing.T) {
	in := Instance{Steps: []Step{{Kind: AgentStep}, {Kind: AgentStep, HasStats: true}, {Kind: AgentStep}}}
	rows, after := InstanceStepRows(in, Cumulative{})
	if len(rows) != 1 || rows[0]["step"] != 2 || rows[0]["global_step"] != 2 || after.GlobalStep != 3 {
		t.Fatalf("rows %v after %+v", rows, after)
	}
	if rows[0]["instance/api_calls"] != 1 {
		t.Error("api_calls counts logged steps")
	}
	if rs, a := InstanceStepRows(Instance{}, after); rs != nil || a != after {
		t.Error("an instance without steps changes nothing")
	}
}

func TestLeftoverRequeriesAndSummaries(t *testing.T) {
	in := Instance{Steps: []Step{{Kind: SummaryStep, Cost: 0.5}, {Kind: AgentStep, HasStats: true},
		{Kind: RequeryStep}, {Kind: RequeryStep}}}
	rows, after := InstanceStepRows(in, Cumulative{GlobalStep: 4})
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	check(t, rows[0], Row{"step": 0, "global_step": 4, "step/summary_api_calls": 1, "step/summary_cost": 0.5})
	check(t, rows[2], Row{"step": 1, "global_step": 5, "step/requeries": 2, "cumulative/requeries": 2})
	if after.GlobalStep != 5 {
		t.Error(after.GlobalStep)
	}
}

func TestStepRowsContinueAcrossInstances(t *testing.T) {
	done := []Instance{stepInstance(), stepInstance()}
	rows := StepRows(done)
	if len(rows) != 6 {
		t.Fatal(len(rows))
	}
	check(t, rows[3], Row{"step": 1, "global_step": 4, "instance/cost": 0.25, "cumulative/cost": 1.0,
		"instance/requeries": 0, "cumulative/requeries": 5, "cumulative/api_calls": 3})
	if CumulativeAfter(done).GlobalStep != 6 {
		t.Error("global step")
	}
}

func TestNonFiniteStepValuesAreZero(t *testing.T) {
	nan := 0.0
	nan = nan / nan
	rows, _ := InstanceStepRows(Instance{Steps: []Step{{Kind: AgentStep, HasStats: true, Cost: nan, InferenceMS: nan, ExecSeconds: nan}}}, Cumulative{})
	check(t, rows[0], Row{"step/cost": 0.0, "step/inference_time_ms": 0.0, "step/execution_time_ms": 0.0})
}
