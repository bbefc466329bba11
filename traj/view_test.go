package traj

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
)

// TestRecordedPrompts checks views against the prompts the engine actually
// sent in the demo sweep that wrote the own files (sha256 of role NUL
// content, as activities.promptFingerprint records them), turn by turn.
func TestRecordedPrompts(t *testing.T) {
	data, err := os.ReadFile("testdata/own-semver-2.prompts.json")
	if err != nil {
		t.Fatal(err)
	}
	var recorded map[string]map[string][][]string // file → parameter set → turn → hashes
	if err := json.Unmarshal(data, &recorded); err != nil {
		t.Fatal(err)
	}
	sets := map[string]strategy.Params{}
	for _, ps := range ownSets() {
		sets[ps.name] = ps.p
	}
	checked := 0
	for file, runs := range recorded {
		f := load(t, filepath.Join("testdata", file))
		for name, turns := range runs {
			p, ok := sets[name]
			if !ok || len(turns) != len(f.Queries) {
				t.Fatalf("%s: no parameters or %d turns", name, len(turns))
			}
			for i, want := range turns {
				var got []string
				for _, m := range build(t, f, i+1, p).Messages() {
					sum := sha256.Sum256([]byte(m.Role + "\x00" + m.Content))
					got = append(got, hex.EncodeToString(sum[:8]))
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s %s turn %d: view %v, engine sent %v", file, name, i+1, got, want)
				}
				checked++
			}
		}
	}
	if checked != 22 {
		t.Errorf("checked %d turns, want 22", checked)
	}
}

func TestSummarySources(t *testing.T) {
	f := load(t, ownFile)
	sources := func(v *View) string {
		var s []string
		for _, x := range v.Summaries {
			s = append(s, x.Source)
		}
		return strings.Join(s, " ")
	}
	stored := build(t, f, 11, ownSets()[0].p)
	if sources(stored) != "stored stored" || stored.Summaries[1].MadeAfter != 10 || stored.Summaries[1].From != 5 {
		t.Fatalf("s=4 k=2: %+v", stored.Summaries)
	}
	if it := stored.Items[2]; it.Summary == nil || it.Content != f.Summaries[1].Content || it.Summary.Index != 2 {
		t.Errorf("item 2 is not stored summary 2: %+v", it)
	}
	// k=1 with the same s makes the same requests (the same turns), so the
	// stored summaries still apply, one turn earlier.
	k1 := build(t, f, 11, params(strategy.LLMSummary, func(p *strategy.Params) { p.SumN, p.SumKeepM = 4, 1 }))
	if sources(k1) != "stored stored" || k1.Summaries[0].MadeAfter != 5 {
		t.Errorf("s=4 k=1: %+v", k1.Summaries)
	}
	s3 := build(t, f, 11, params(strategy.LLMSummary, func(p *strategy.Params) { p.SumN, p.SumKeepM = 3, 1 }))
	if sources(s3) != "placeholder placeholder placeholder" || !strings.Contains(s3.Summaries[0].Why, "different request") {
		t.Errorf("s=3: %+v", s3.Summaries)
	}
	if got := s3.Items[2].Content; got != "Checkpoint for the last 3 turns:\n"+PlaceholderText(3, 7, 9) {
		t.Errorf("placeholder item %q", got)
	}
	ex := build(t, f, 8, params(strategy.LLMSummary, func(p *strategy.Params) { p.SumN, p.SumKeepM, p.ExtractActions = 4, 2, true }))
	want := f.Summaries[0].Content + "You took the following actions in the checkpoint above:\n<ACTIONS>\n"
	if sources(ex) != "stored" || !strings.HasPrefix(ex.Items[2].Content, want) || !strings.HasSuffix(ex.Items[2].Content, "\n</ACTIONS>") {
		t.Errorf("extract actions: %q", ex.Items[2].Content)
	}
	om := build(t, f, 8, params(strategy.LLMSummary, func(p *strategy.Params) { p.SumN, p.SumKeepM, p.OmitTurns = 4, 2, true }))
	if sources(om) != "omitted" || om.Items[2].Content != "Previous 4 turns omitted for brevity." {
		t.Errorf("omit_turns: %+v", om.Summaries)
	}
	if !strings.Contains(strings.Join(build(t, f, 5, strategy.Defaults(strategy.Raw)).Notes, "\n"), "stores 2 summaries; raw does not use them") {
		t.Error("raw view of a summarized file has no note")
	}
}

func TestMaskedItems(t *testing.T) {
	f := load(t, ownFile)
	v := build(t, f, 11, params(strategy.ObservationMasking, func(p *strategy.Params) { p.ObsN = 3 }))
	masked := 0
	for _, it := range v.Items {
		if !it.Masked {
			continue
		}
		masked++
		raw := f.History[it.Raw]
		if it.Original != raw.Content || it.Content != strategy.MaskedContent(raw.Content) || it.Turn != (it.Raw-1)/2 {
			t.Errorf("masked item %+v does not match history[%d]", it, it.Raw)
		}
	}
	if masked != 7 { // 10 observations, the newest 3 kept
		t.Errorf("%d masked items, want 7", masked)
	}
}

func TestBuildErrors(t *testing.T) {
	f := load(t, ownFile)
	cases := []struct {
		turn int
		p    strategy.Params
		want string
	}{
		{0, strategy.Defaults(strategy.Raw), "own-llm_summary-s4k2.traj: turn 0 is out of range: the trajectory has 11 model queries (turns 1-11)"},
		{12, strategy.Defaults(strategy.Raw), "turn 12 is out of range"},
		{1, strategy.Defaults("masking"), `own-llm_summary-s4k2.traj: unknown strategy "masking"`},
		{1, params(strategy.LLMSummary, func(p *strategy.Params) { p.SumKeepM = 21 }), "hp-sum-keep-m (21) must be smaller than hp-sum-n (21)"},
		{1, params(strategy.ObservationMaskingCached, func(p *strategy.Params) { p.ObsN = 0 }), "hp-obs-n (0) must be greater than 0"},
	}
	for _, c := range cases {
		if _, err := Build(f, c.turn, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("turn %d %s: %v, want %q", c.turn, c.p.Strategy, err, c.want)
		}
	}
}

func TestJSONWire(t *testing.T) {
	f := load(t, ownFile)
	v := build(t, f, 9, ownSets()[1].p)
	data, err := v.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var wire []map[string]any
	if err := json.Unmarshal(data, &wire); err != nil {
		t.Fatal(err)
	}
	msgs := v.Messages()
	if len(wire) != len(msgs) {
		t.Fatalf("%d wire messages, %d in the view", len(wire), len(msgs))
	}
	for i, w := range wire {
		m := msgs[i]
		if w["role"] != m.Role || w["content"] != m.Content {
			t.Errorf("message %d: %v", i, w)
		}
		_, hasCalls := w["tool_calls"]
		id, hasID := w["tool_call_id"]
		if hasCalls != (len(m.ToolCalls) > 0) || hasID != (m.Role == agent.RoleTool) || (hasID && id != m.ToolCallIDs[0]) {
			t.Errorf("message %d tool fields: %v", i, w)
		}
	}
	small, err := Parse("s.traj", []byte(`{"history": [{"role": "system", "content": "a <b> & c"}, {"role": "user", "content": "i"},
		{"role": "assistant", "content": "x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	data, err = build(t, small, 1, strategy.Defaults(strategy.Raw)).JSON()
	if err != nil || string(data) != "[\n  {\n    \"role\": \"system\",\n    \"content\": \"a <b> & c\"\n  },\n  {\n    \"role\": \"user\",\n    \"content\": \"i\"\n  }\n]\n" {
		t.Errorf("JSON of a small view: %v\n%s", err, data)
	}
}

func TestLegacySummaryNote(t *testing.T) {
	f := load(t, filepath.Join(fixtureDir, "pydicom-1458-gpt4", "pydicom__pydicom-1458.traj"))
	v := build(t, f, 12, params(strategy.LLMSummary, func(p *strategy.Params) { p.SumN, p.SumKeepM = 2, 1 }))
	if len(v.Summaries) != 0 || len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "counts only tool observations as turns") {
		t.Errorf("summaries %+v notes %q", v.Summaries, v.Notes)
	}
	if len(v.Items) != len(f.History)-1 {
		t.Errorf("%d items, want the whole history before the last query", len(v.Items))
	}
}
