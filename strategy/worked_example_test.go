package strategy

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestWorkedExample reproduces the table of seed-system §2.7 (o=10, s=21,
// k=10) on a synthetic 75-turn history.
func TestWorkedExample(t *testing.T) {
	type row struct {
		query int
		want  map[string]string // strategy → signature
		count map[string]int
	}
	all := func(n int) map[string]int {
		return map[string]int{Raw: n, ObservationMasking: n, LLMSummary: n, Hybrid: n}
	}
	rows := []row{
		{11, map[string]string{
			Raw: expSig("SYS INST", 1, 10, 0), ObservationMasking: expSig("SYS INST", 1, 10, 0),
			LLMSummary: expSig("SYS INST", 1, 10, 0), Hybrid: expSig("SYS INST", 1, 10, 0),
		}, all(22)},
		{12, map[string]string{
			Raw: expSig("SYS INST", 1, 11, 0), ObservationMasking: expSig("SYS INST", 1, 11, 1),
			LLMSummary: expSig("SYS INST", 1, 11, 0), Hybrid: expSig("SYS INST", 1, 11, 1),
		}, all(24)},
		{30, map[string]string{
			Raw: expSig("SYS INST", 1, 29, 0), ObservationMasking: expSig("SYS INST", 1, 29, 19),
			LLMSummary: expSig("SYS INST", 1, 29, 0), Hybrid: expSig("SYS INST", 1, 29, 19),
		}, all(60)},
		{32, map[string]string{
			Raw: expSig("SYS INST", 1, 31, 0), ObservationMasking: expSig("SYS INST", 1, 31, 21),
			LLMSummary: expSig("SYS INST S1", 22, 31, 0), Hybrid: expSig("SYS INST S1", 22, 31, 0),
		}, map[string]int{Raw: 64, ObservationMasking: 64, LLMSummary: 23, Hybrid: 23}},
		{40, map[string]string{
			Raw: expSig("SYS INST", 1, 39, 0), ObservationMasking: expSig("SYS INST", 1, 39, 29),
			LLMSummary: expSig("SYS INST S1", 22, 39, 0), Hybrid: expSig("SYS INST S1", 22, 39, 29),
		}, map[string]int{Raw: 80, ObservationMasking: 80, LLMSummary: 39, Hybrid: 39}},
		{53, map[string]string{
			Raw: expSig("SYS INST", 1, 52, 0), ObservationMasking: expSig("SYS INST", 1, 52, 42),
			LLMSummary: expSig("SYS INST S2", 43, 52, 0), Hybrid: expSig("SYS INST S2", 43, 52, 0),
		}, map[string]int{Raw: 106, ObservationMasking: 106, LLMSummary: 23, Hybrid: 23}},
		{54, map[string]string{
			Raw: expSig("SYS INST", 1, 53, 0), ObservationMasking: expSig("SYS INST", 1, 53, 43),
			LLMSummary: expSig("SYS INST S1 S2", 43, 53, 0), Hybrid: expSig("SYS INST S1 S2", 43, 53, 43),
		}, map[string]int{Raw: 108, ObservationMasking: 108, LLMSummary: 26, Hybrid: 26}},
		{74, map[string]string{
			Raw: expSig("SYS INST", 1, 73, 0), ObservationMasking: expSig("SYS INST", 1, 73, 63),
			LLMSummary: expSig("SYS INST S3", 64, 73, 0), Hybrid: expSig("SYS INST S3", 64, 73, 0),
		}, map[string]int{Raw: 148, ObservationMasking: 148, LLMSummary: 23, Hybrid: 23}},
	}
	for _, name := range []string{Raw, ObservationMasking, LLMSummary, Hybrid} { // the seed's strategies
		p := Defaults(name)
		sim := simulate(t, p, 75)
		var gold strings.Builder
		for _, r := range rows {
			v, done := sim.viewAtQuery(t, p, r.query)
			if got := sig(v, done); got != r.want[name] {
				t.Errorf("%s query %d:\n got %s\nwant %s", name, r.query, got, r.want[name])
			}
			if len(v) != r.count[name] {
				t.Errorf("%s query %d: %d messages, want %d", name, r.query, len(v), r.count[name])
			}
			fmt.Fprintf(&gold, "=== query %d: %d messages\n%s", r.query, len(v), render(v))
		}
		golden(t, "worked_example_"+name, gold.String())
	}
}

func TestWorkedExampleTriggers(t *testing.T) {
	for _, name := range []string{LLMSummary, Hybrid} {
		p := Defaults(name)
		sim := simulate(t, p, 75)
		if want := []int{31, 52, 73}; !reflect.DeepEqual(sim.triggered, want) {
			t.Fatalf("%s: summaries made after %v completed turns, want %v", name, sim.triggered, want)
		}
		done := sim.doneAt[75]
		for j, s := range done {
			if s.CoveredTurns != 21*(j+1) || s.Kind != KindLLM || s.HistoryLen != 2+2*sim.triggered[j] {
				t.Errorf("%s summary %d: covered %d kind %q history_len %d", name, j+1, s.CoveredTurns, s.Kind, s.HistoryLen)
			}
			wantContent := fmt.Sprintf("Checkpoint for the last 21 turns:\nsummary text %d", j+1)
			if s.Content != wantContent {
				t.Errorf("%s summary %d content %q, want %q", name, j+1, s.Content, wantContent)
			}
			if len(s.Request) != 2 || s.Request[0].Role != "system" || s.Request[0].Content != "SUMMARY SYSTEM PROMPT" || s.Request[1].Role != "user" {
				t.Fatalf("%s summary %d: bad request %+v", name, j+1, s.Request)
			}
		}
		// S1 is built from the whole instance message, turns 1–21.
		p1 := done[0].Request[1].Content
		if !strings.HasPrefix(p1, "<PROBLEM_STATEMENT>\n"+instContent+"\n</PROBLEM_STATEMENT>\n\n<TURN-0>\nASSISTANT: I will run command 1.\nACTION: cmd_1 --flag\nTOOL: "+obsContent(1)+"\n\n</TURN-0>\n") {
			t.Errorf("%s S1 prompt starts wrong:\n%s", name, p1[:200])
		}
		// S2 is built from S1 (with its header), turns 22–42 as TURN-0…TURN-20.
		p2 := done[1].Request[1].Content
		if !strings.HasPrefix(p2, "<PREVIOUS_CHECKPOINT>\nCheckpoint for the last 21 turns:\nsummary text 1\n</PREVIOUS_CHECKPOINT>\n\n<TURN-0>\nASSISTANT: I will run command 22.\n") {
			t.Errorf("%s S2 prompt starts wrong:\n%s", name, p2[:200])
		}
		if strings.Contains(p2, "PROBLEM_STATEMENT") || strings.Contains(p2, "<TURN-21>") ||
			!strings.Contains(p2, "<TURN-20>\nASSISTANT: I will run command 42.\nACTION: cmd_42 --flag\n") ||
			strings.Contains(p2, "command 43.") || !strings.HasSuffix(p2, "\n</TURN-20>\n"+SummaryInstruction) {
			t.Errorf("%s S2 prompt covers the wrong turns", name)
		}
		if !strings.HasPrefix(done[2].Request[1].Content, "<PREVIOUS_CHECKPOINT>\nCheckpoint for the last 21 turns:\nsummary text 2\n") {
			t.Errorf("%s S3 context is not S2", name)
		}
		var gold strings.Builder
		for j, s := range done {
			// \r is escaped so that the golden file holds no carriage returns.
			user := strings.ReplaceAll(s.Request[1].Content, "\r", `\r`)
			fmt.Fprintf(&gold, "=== summary %d request\n--- system\n%s\n--- user\n%s\n", j+1, s.Request[0].Content, user)
		}
		golden(t, "worked_example_requests_"+name, gold.String())
	}
}

// TestStaticVariants checks SeedCompat=false and non-static checkpointing.
func TestStaticVariants(t *testing.T) {
	cases := []struct {
		name   string
		mod    func(*Params)
		strat  string
		query  int
		want   string
		golden string
	}{
		{"corrected static, trigger query", func(p *Params) { p.SeedCompat = false }, LLMSummary, 53, expSig("SYS INST S2", 43, 52, 0), ""},
		{"corrected static, next query", func(p *Params) { p.SeedCompat = false }, LLMSummary, 54, expSig("SYS INST S2", 43, 53, 0), "corrected_static_q54"},
		{"corrected static, hybrid", func(p *Params) { p.SeedCompat = false }, Hybrid, 54, expSig("SYS INST S2", 43, 53, 43), ""},
		{"corrected static, before S2", func(p *Params) { p.SeedCompat = false }, LLMSummary, 52, expSig("SYS INST S1", 22, 51, 0), ""},
		{"corrected static, after S3", func(p *Params) { p.SeedCompat = false }, LLMSummary, 75, expSig("SYS INST S3", 64, 74, 0), ""},
		{"seed static, after S3", func(p *Params) {}, LLMSummary, 75, expSig("SYS INST S1 S2 S3", 64, 74, 0), ""},
		{"non-static, trigger query", func(p *Params) { p.StaticCheckpoint = false }, LLMSummary, 53, expSig("SYS INST S1 S2", 43, 52, 0), ""},
		{"non-static ignores seed_compat", func(p *Params) { p.StaticCheckpoint = false; p.SeedCompat = false }, LLMSummary, 74, expSig("SYS INST S1 S2 S3", 64, 73, 0), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Defaults(c.strat)
			c.mod(&p)
			sim := simulate(t, p, 75)
			v, done := sim.viewAtQuery(t, p, c.query)
			if got := sig(v, done); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if c.golden != "" {
				golden(t, c.golden, render(v))
			}
		})
	}
}
