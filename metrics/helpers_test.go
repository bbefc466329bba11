package metrics

import (
	"math"
	"reflect"
	"sort"
	"testing"
)

func bp(b bool) *bool { return &b }

// fixture is three instances whose aggregates are worked out by hand in
// aggregate_test.go; every float is a dyadic rational, so sums are exact.
func fixture() []Instance {
	return []Instance{
		{ID: "django__django-1", ExitStatus: "submitted", Submitted: true, Resolved: bp(true), Order: 0,
			Turns: 10, APICalls: 12, Requeries: 2, SummaryAPICalls: 1, Summaries: 1,
			Tokens: Usage{Input: 1000, CachedInput: 250, Output: 100, Reasoning: 5}, Cost: 0.5,
			SummaryTokens: Usage{Input: 200, CachedInput: 50, Output: 20}, SummaryCost: 0.25,
			ExecSeconds: 2.5, PatchLines: 7},
		{ID: "psf__requests-2", ExitStatus: "exit_cost", Resolved: bp(false), Order: 1,
			Turns: 4, APICalls: 4, Tokens: Usage{Input: 400, Output: 40}, Cost: 0.25, ExecSeconds: 1},
		{ID: "django__django-3", ExitStatus: "submitted (exit_context)", Submitted: true, Order: 2,
			Turns: 7, APICalls: 9, Tokens: Usage{Input: 600, CachedInput: 300, Output: 60}, Cost: 0.125,
			ExecSeconds: 0.5, PatchLines: 3},
	}
}

func near(a, b float64) bool {
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func keys(r Row) []string {
	var ks []string
	for k := range r {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func sorted(ks []string) []string {
	out := append([]string(nil), ks...)
	sort.Strings(out)
	return out
}

func wantKeys(t *testing.T, r Row, want []string) {
	t.Helper()
	if got := keys(r); !reflect.DeepEqual(got, sorted(want)) {
		t.Errorf("keys:\n got %v\nwant %v", got, sorted(want))
	}
}
