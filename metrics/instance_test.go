package metrics

import (
	"encoding/json"
	"reflect"
	"testing"
)

// seedTable is §7.6's column list, typed independently of SeedColumns.
const seedTable = `instance_id, repo, exit_status, exit_category, submitted, n_turns, total_cost, agent_cost,
summary_cost, rloop_cost, agent_api_calls, summary_api_calls, rloop_api_calls, raw_input_tokens,
cached_input_tokens, output_tokens, internal_reasoning_tokens, cache_hit_rate,
summary_raw_input_tokens, summary_cached_input_tokens, summary_output_tokens, patch_lines,
instance_duration_ms, tokens_per_turn, review_score`

func TestColumnsOrder(t *testing.T) {
	var want []string
	field := ""
	for _, c := range seedTable + "," {
		switch c {
		case ',':
			want = append(want, field)
			field = ""
		case ' ', '\n':
		default:
			field += string(c)
		}
	}
	if !reflect.DeepEqual(SeedColumns, want) {
		t.Fatalf("SeedColumns\n got %v\nwant %v", SeedColumns, want)
	}
	cols := Columns()
	if !reflect.DeepEqual(cols[:len(want)], want) || !reflect.DeepEqual(cols[len(want):], []string{"resolved", "requeries", "summaries"}) {
		t.Fatalf("Columns %v", cols)
	}
}

// TestValuesMatchColumns: each cell sits under the column named by the
// row's JSON field of the same name.
func TestValuesMatchColumns(t *testing.T) {
	for _, in := range fixture() {
		r := NewInstanceRow(in)
		b, _ := json.Marshal(r)
		var byName map[string]any
		_ = json.Unmarshal(b, &byName)
		vals := r.Values()
		if len(vals) != len(Columns()) || len(byName) != len(Columns()) {
			t.Fatalf("%d values, %d fields, %d columns", len(vals), len(byName), len(Columns()))
		}
		vb, _ := json.Marshal(vals)
		var cells []any
		_ = json.Unmarshal(vb, &cells)
		for i, c := range Columns() {
			if !reflect.DeepEqual(cells[i], byName[c]) {
				t.Errorf("%s: cell %v, field %v", c, cells[i], byName[c])
			}
		}
	}
}

func TestInstanceRow(t *testing.T) {
	r := NewInstanceRow(fixture()[0])
	want := InstanceRow{
		InstanceID: "django__django-1", Repo: "django", ExitStatus: "submitted", ExitCategory: "submitted",
		Submitted: true, NTurns: 10, TotalCost: 0.75, AgentCost: 0.5, SummaryCost: 0.25,
		AgentAPICalls: 12, SummaryAPICalls: 1, RawInputTokens: 750, CachedInputTokens: 250,
		OutputTokens: 100, InternalReasoningTokens: 5, CacheHitRate: 0.25, SummaryRawInputTokens: 150,
		SummaryCachedTokens: 50, SummaryOutputTokens: 20, PatchLines: 7, DurationMS: 2500,
		TokensPerTurn: 100, Resolved: bp(true), Requeries: 2, Summaries: 1,
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("row\n got %+v\nwant %+v", r, want)
	}
	third := NewInstanceRow(fixture()[2])
	if third.ExitCategory != CatContext || !third.Submitted || third.Resolved != nil {
		t.Errorf("autosubmitted row %+v", third)
	}
	if v := third.Values(); v[24] != nil || v[25] != nil {
		t.Errorf("review_score / resolved cells %v %v, want nil", v[24], v[25])
	}
}

func TestInstancesTable(t *testing.T) {
	done := fixture()
	tb := InstancesTable(done)
	if len(tb.Data) != 3 {
		t.Fatal(len(tb.Data))
	}
	for i, in := range done { // completion order
		if tb.Data[i][0] != in.ID {
			t.Errorf("row %d is %v", i, tb.Data[i][0])
		}
	}
	if e := InstancesTable(nil); len(e.Data) != 0 || len(e.Columns) != 28 {
		t.Error("empty table")
	}
}

func TestValidate(t *testing.T) {
	if err := Validate(fixture()); err != nil {
		t.Fatal(err)
	}
	bad := fixture()
	bad[1].Submitted = true
	bad[2].ID = bad[0].ID
	bad[0].Tokens.CachedInput = 5000
	bad[0].Steps = []Step{{Kind: AgentStep, Index: 2}}
	if err := Validate(bad); err == nil {
		t.Fatal("no error")
	} else {
		t.Log(err)
	}
}
