package metrics

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
)

var statuses = []string{"submitted", "submitted (exit_cost)", "submitted (exit_context)", "exit_cost",
	"exit_context", "exit_format", "exit_error", "exit_command", "exit_api", "exit_command_timeout",
	"submitted (exit_total_execution_time)", "exit_environment_error", ""}

// randomInstances draws n instances; costs and times are dyadic rationals,
// so every sum is exact whatever the order.
func randomInstances(r *rand.Rand, n int) []Instance {
	repos := []string{"django__django", "psf__requests", "sympy__sympy", "pytest-dev__pytest", "astropy"}
	ins := make([]Instance, n)
	for i := range ins {
		st := statuses[r.IntN(len(statuses))]
		in := Instance{ID: fmt.Sprintf("%s-%d", repos[r.IntN(len(repos))], i), ExitStatus: st,
			Submitted: IsSubmitted(st), Order: i, Turns: r.IntN(60), APICalls: r.IntN(70),
			Requeries: r.IntN(4), SummaryAPICalls: r.IntN(3), Cost: float64(r.IntN(512)) / 64,
			SummaryCost: float64(r.IntN(64)) / 64, ExecSeconds: float64(r.IntN(4000)) / 8, PatchLines: r.IntN(90)}
		in.Summaries = in.SummaryAPICalls + r.IntN(2)
		in.Tokens = Usage{Input: 1000 + r.IntN(90000), Output: r.IntN(5000), Reasoning: r.IntN(10)}
		in.Tokens.CachedInput = r.IntN(in.Tokens.Input)
		in.SummaryTokens = Usage{Input: r.IntN(9000), Output: r.IntN(900)}
		if k := r.IntN(3); k < 2 {
			in.Resolved = bp(k == 1)
		}
		for s := range r.IntN(8) {
			kind := AgentStep
			if r.IntN(4) == 0 {
				kind = RequeryStep + StepKind(r.IntN(2))
			}
			in.Steps = append(in.Steps, Step{Kind: kind, HasStats: r.IntN(5) > 0, Cost: float64(r.IntN(64)) / 256,
				Tokens: Usage{Input: 100 + s, CachedInput: s, Output: 7}, InferenceMS: float64(r.IntN(900)),
				ExecSeconds: float64(r.IntN(64)) / 16})
		}
		ins[i] = in
	}
	return ins
}

func canon(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestOrderIndependence: shuffling completion order changes only what
// depends on order (the history sequence, row order, global_step
// numbering); the end-of-batch summary, histogram, per-instance rows and
// the multiset of step figures are the same.
func TestOrderIndependence(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for trial := range 50 {
		done := randomInstances(r, 1+r.IntN(40))
		if err := Validate(done); err != nil {
			t.Fatal(err)
		}
		shuf := append([]Instance(nil), done...)
		r.Shuffle(len(shuf), func(i, j int) { shuf[i], shuf[j] = shuf[j], shuf[i] })

		a, b := End(done), End(shuf)
		if !reflect.DeepEqual(a.Summary, b.Summary) || !reflect.DeepEqual(a.TurnDistribution, b.TurnDistribution) {
			t.Fatalf("trial %d: summary or histogram depends on order", trial)
		}
		if !reflect.DeepEqual(sortedRows(a.Instances.Data), sortedRows(b.Instances.Data)) {
			t.Fatalf("trial %d: table rows differ beyond order", trial)
		}
		ha, hb := History(done), History(shuf)
		if !reflect.DeepEqual(ha[len(ha)-1], hb[len(hb)-1]) {
			t.Fatalf("trial %d: last history row depends on order", trial)
		}
		if !reflect.DeepEqual(stepFigures(StepRows(done)), stepFigures(StepRows(shuf))) {
			t.Fatalf("trial %d: step figures differ beyond order", trial)
		}
		if ca, cb := CumulativeAfter(done), CumulativeAfter(shuf); ca != cb {
			t.Fatalf("trial %d: final cumulative state %+v vs %+v", trial, ca, cb)
		}
		if !reflect.DeepEqual(SortByCompletion(shuf), done) {
			t.Fatalf("trial %d: SortByCompletion", trial)
		}
	}
}

// TestPrefixPurity: what is logged after k completions is a function of the
// first k records only — later records, repeated calls and other calls
// change nothing, and inputs are not modified.
func TestPrefixPurity(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	done := randomInstances(r, 30)
	before := canon(done)
	full := Log(done)
	var prev []Row
	for k := 1; k <= len(done); k++ {
		chunk := OnCompleted(done[:k])
		_ = End(done) // interleaved unrelated calls
		prev = append(prev, chunk...)
		if !reflect.DeepEqual(prev, full[:len(prev)]) {
			t.Fatalf("after %d completions the log differs from the prefix of the full log", k)
		}
		if !reflect.DeepEqual(History(done[:k]), History(done)[:k]) {
			t.Fatalf("history prefix %d", k)
		}
		if !reflect.DeepEqual(OnCompleted(append(done[:k:k], randomInstances(r, 3)...)[:k]), chunk) {
			t.Fatalf("later records changed completion %d", k)
		}
	}
	if canon(done) != before {
		t.Fatal("inputs modified")
	}
	if !reflect.DeepEqual(Log(done), full) {
		t.Fatal("a second call differs")
	}
}

func sortedRows(rows [][]any) []string {
	var out []string
	for _, r := range rows {
		out = append(out, canon(r))
	}
	sort.Strings(out)
	return out
}

// stepFigures keeps the order-free part of step rows: step/* and the
// within-instance step number and instance/* sums.
func stepFigures(rows []Row) []string {
	var out []string
	for _, r := range rows {
		m := Row{}
		for k, v := range r {
			if k != "global_step" && (len(k) < 11 || k[:11] != "cumulative/") {
				m[k] = v
			}
		}
		out = append(out, canon(m))
	}
	sort.Strings(out)
	return out
}
