package traj

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/strategy"
)

// goldenTurns are the queries the issue asks golden views for (where the
// trajectory has them).
var goldenTurns = []int{1, 11, 21, 22, 31, 32, 52, 53}

type paramSet struct {
	name string
	p    strategy.Params
}

func defaultSets() []paramSet {
	var out []paramSet
	for _, s := range strategy.Names() {
		out = append(out, paramSet{s, strategy.Defaults(s)})
	}
	return out
}

// nonDefaultSets change every hyper-parameter away from the paper's value.
func nonDefaultSets() []paramSet {
	return []paramSet{
		{"observation_masking_o3", params(strategy.ObservationMasking, func(p *strategy.Params) { p.ObsN = 3 })},
		{"observation_masking_cached_o3", params(strategy.ObservationMaskingCached, func(p *strategy.Params) { p.ObsN = 3 })},
		{"llm_summary_s3k1_extract", params(strategy.LLMSummary, func(p *strategy.Params) {
			p.SumN, p.SumKeepM, p.ExtractActions, p.MaxActionLength, p.MaxReasoningLength = 3, 1, true, 2, 5
		})},
		{"hybrid_o2s3k0_omit_corrected", params(strategy.Hybrid, func(p *strategy.Params) {
			p.ObsN, p.SumN, p.SumKeepM, p.OmitTurns, p.SeedCompat = 2, 3, 0, true, false
		})},
	}
}

// ownSets are summary settings around the own file's stored summaries
// (made with s=4, k=2).
func ownSets() []paramSet {
	return []paramSet{
		{"llm_summary_s4k2", params(strategy.LLMSummary, func(p *strategy.Params) { p.SumN, p.SumKeepM = 4, 2 })},
		{"hybrid_o3s4k2", params(strategy.Hybrid, func(p *strategy.Params) { p.ObsN, p.SumN, p.SumKeepM = 3, 4, 2 })},
		{"llm_summary_s4k2_extract_nonstatic", params(strategy.LLMSummary, func(p *strategy.Params) {
			p.SumN, p.SumKeepM, p.ExtractActions, p.StaticCheckpoint = 4, 2, true, false
		})},
	}
}

func goldenViews(t *testing.T, f *File, prefix string, sets []paramSet, turns []int) {
	for _, ps := range sets {
		var b strings.Builder
		last := len(f.Queries)
		for i, turn := range append(turns, last) { // and the last query
			if turn > last || (i == len(turns) && slices.Contains(turns, last)) {
				continue
			}
			b.WriteString(brief(t, build(t, f, turn, ps.p)))
			b.WriteString("\n")
		}
		golden(t, prefix+"__"+ps.name, b.String())
	}
}

func TestGoldenFixtureViews(t *testing.T) {
	for _, c := range []struct{ path, prefix string }{
		{filepath.Join(fixtureDir, "pydicom-1458-gpt4", "pydicom__pydicom-1458.traj"), "pydicom-1458"},
		{filepath.Join(fixtureDir, "swe-agent__test-repo-i1.traj"), "test-repo-i1"},
	} {
		t.Run(c.prefix, func(t *testing.T) {
			f := load(t, c.path)
			goldenViews(t, f, c.prefix, append(defaultSets(), nonDefaultSets()...), goldenTurns)
		})
	}
}

func TestGoldenOwnViews(t *testing.T) {
	f := load(t, ownFile)
	turns := append([]int{6, 7, 8, 10}, goldenTurns...)
	goldenViews(t, f, "own-semver-2", append(append(defaultSets(), nonDefaultSets()...), ownSets()...), turns)
}

// TestGoldenFullRender pins the full human format (content of every item)
// and the --json format on small views.
func TestGoldenFullRender(t *testing.T) {
	f := load(t, ownFile)
	v := build(t, f, 8, params(strategy.Hybrid, func(p *strategy.Params) { p.ObsN, p.SumN, p.SumKeepM = 1, 4, 2 }))
	var b strings.Builder
	if err := v.Render(&b, llm.CountMessages); err != nil {
		t.Fatal(err)
	}
	golden(t, "own-semver-2__turn8_hybrid_o1s4k2_full", b.String())
	js, err := v.JSON()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "own-semver-2__turn8_hybrid_o1s4k2_json", string(js))
	if !strings.Contains(b.String(), "MASKED") || !strings.Contains(b.String(), "SUMMARY S1 of turns 1-4 (stored)") {
		t.Errorf("full render lacks the masked/summary notes:\n%s", b.String()[:min(2000, b.Len())])
	}
}
