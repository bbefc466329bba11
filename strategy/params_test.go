package strategy

import (
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	p := Defaults(Hybrid)
	if p.ObsN != 10 || p.Polling != 1 || p.SumN != 21 || p.SumKeepM != 10 || !p.StaticCheckpoint ||
		p.ExtractActions || p.MaxActionLength != -1 || p.MaxReasoningLength != -1 || p.OmitTurns || !p.SeedCompat {
		t.Fatalf("Defaults(hybrid) = %+v", p)
	}
	for _, name := range Names() {
		if err := Defaults(name).Validate(); err != nil {
			t.Errorf("Defaults(%s).Validate() = %v", name, err)
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		strat string
		mod   func(*Params)
		want  string // substring of the error; "" = valid
	}{
		{"unknown strategy", "summary", func(*Params) {}, `unknown strategy "summary"`},
		{"empty strategy", "", func(*Params) {}, `unknown strategy ""`},
		{"raw ignores hp flags", Raw, func(p *Params) { p.ObsN, p.SumN, p.SumKeepM = 0, 0, 99 }, ""},
		{"masking n=0", ObservationMasking, func(p *Params) { p.ObsN = 0 }, "hp-obs-n (0) must be greater than 0"},
		{"masking polling=0", ObservationMasking, func(p *Params) { p.Polling = 0 }, "polling (0) must be greater than 0"},
		{"masking ignores summary flags", ObservationMasking, func(p *Params) { p.SumKeepM = 50 }, ""},
		{"summary ignores obs flags", LLMSummary, func(p *Params) { p.ObsN = -3 }, ""},
		{"summary n=0", LLMSummary, func(p *Params) { p.SumN = 0 }, "hp-sum-n (0) must be greater than 0"},
		{"summary k<0", LLMSummary, func(p *Params) { p.SumKeepM = -1 }, "hp-sum-keep-m (-1) must not be negative"},
		{"summary k=0", LLMSummary, func(p *Params) { p.SumKeepM = 0 }, ""},
		{"summary k>=s", LLMSummary, func(p *Params) { p.SumN = 5 }, "hp-sum-keep-m (10) must be smaller than hp-sum-n (5)"},
		{"summary k==s", LLMSummary, func(p *Params) { p.SumN = 10 }, "hp-sum-keep-m (10) must be smaller than hp-sum-n (10)"},
		{"summary action length", LLMSummary, func(p *Params) { p.MaxActionLength = -2 }, "hp-sum-max-action-length (-2)"},
		{"summary reasoning length", LLMSummary, func(p *Params) { p.MaxReasoningLength = -7 }, "hp-sum-max-reasoning-length (-7)"},
		{"hybrid checks masking", Hybrid, func(p *Params) { p.ObsN = 0 }, "hp-obs-n (0)"},
		{"hybrid checks summary", Hybrid, func(p *Params) { p.SumKeepM = 30 }, "hp-sum-keep-m (30) must be smaller than hp-sum-n (21)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Defaults(c.strat)
			c.mod(&p)
			err := p.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	// Several problems are reported together.
	p := Defaults(Hybrid)
	p.ObsN, p.SumN = 0, 0
	err := p.Validate()
	if err == nil || !strings.Contains(err.Error(), "hp-obs-n") || !strings.Contains(err.Error(), "hp-sum-n") {
		t.Errorf("joined error = %v", err)
	}
}
