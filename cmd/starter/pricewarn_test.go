package main

import (
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// A sweep over a preset whose price is not confirmed for its region (the
// -eu Nova presets carry us-east-1 prices) is warned about, once per
// preset; a sweep over verified prices is not.
func TestUnverifiedPricesWarned(t *testing.T) {
	presets, err := llm.LoadPresets(config.Models)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := sweep.Parse("s.yaml", []byte("method: grid\nparameters:\n  model: {values: [bedrock-nova-pro-eu, bedrock-nova-pro-us, gpt-4o-mini]}\n  summarizer-model: {value: bedrock-nova-pro-eu}\n  strategy: {value: raw}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := unverifiedPrices(spec, presets)
	if len(got) != 1 || !strings.HasPrefix(got[0], "bedrock-nova-pro-eu: ") || !strings.Contains(got[0], "us-east-1") {
		t.Fatalf("warnings %q: want one for bedrock-nova-pro-eu naming us-east-1", got)
	}
	if !strings.HasSuffix(priceText(presets["bedrock-nova-pro-eu"]), "(?)") || strings.Contains(priceText(presets["bedrock-nova-pro-us"]), "(?)") {
		t.Errorf("starter models marks: eu %q, us %q", priceText(presets["bedrock-nova-pro-eu"]), priceText(presets["bedrock-nova-pro-us"]))
	}
	spec, err = sweep.Parse("s.yaml", []byte("method: grid\nparameters:\n  model: {value: gpt-4o-mini}\n  strategy: {value: raw}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := unverifiedPrices(spec, presets); len(got) != 0 {
		t.Errorf("verified prices warned about: %q", got)
	}
}
