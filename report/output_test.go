package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/stats"
)

func TestCSVColumns(t *testing.T) {
	r := loadFixture(t, Options{Resamples: 1000})
	var b bytes.Buffer
	if err := WriteCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	paper := []string{"experiment", "n_instances", "solve_rate", "solve_rate_lo", "solve_rate_hi", "mean_cost", "mean_cost_lo", "mean_cost_hi"}
	if strings.Join(recs[0][:8], ",") != strings.Join(paper, ",") || len(recs) != 4 {
		t.Fatalf("header %v, %d lines", recs[0], len(recs))
	}
	if recs[1][0] != expRaw || recs[1][1] != "500" || recs[1][2] != "0.328" {
		t.Errorf("raw line %v", recs[1])
	}
	b.Reset()
	if err := WritePairsCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	paired := "group,strategy,experiment_other,experiment_raw,n_common,solve_rate_diff,solve_rate_lo,solve_rate_hi,solve_rate_p,mean_cost_diff,mean_cost_lo,mean_cost_hi,mean_cost_p"
	if strings.Join(recs[0][:13], ",") != paired || len(recs) != 3 {
		t.Fatalf("paired header %v, %d lines", recs[0], len(recs))
	}
	if recs[1][1] != "Observation Masking" || recs[1][3] != expRaw || recs[1][4] != "500" {
		t.Errorf("paired line %v", recs[1])
	}
}

func TestTextOutputs(t *testing.T) {
	r := loadFixture(t, Options{Resamples: 1000})
	var table, md, js bytes.Buffer
	if err := WriteTable(&table, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(a) gemini_2.5_flash", "raw", "masking", "summary", "32.8% [", "35.6% [", "0.4149 [",
		"raw = " + expRaw, "paired differences", "+2.8 pp"} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
	for _, want := range []string{"### (a) gemini_2.5_flash", "| solve rate [95% CI] | 32.8% [", "`" + expSummary + "`", "| Δ solve rate [95% CI] |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var back Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Rows) != 3 || back.Rows[0].SolveRate.Point != 0.328 || len(back.Pairs) != 2 || back.Resamples != 1000 {
		t.Errorf("JSON round trip: %+v", back)
	}
}

func checkPNG(t *testing.T, r *Report, w, h int, keep string) {
	t.Helper()
	var b bytes.Buffer
	if err := WritePNG(&b, r); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != w || got.Y != h {
		t.Errorf("PNG is %v, want %dx%d", got, w, h)
	}
	if gw, gh := PlotSize(r); gw != w || gh != h {
		t.Errorf("PlotSize %dx%d, want %dx%d", gw, gh, w, h)
	}
	// The paper's colours are drawn: some pixel has masking's #6b57ff.
	found := false
	for y := 0; y < h && !found; y++ {
		for x := 0; x < w && !found; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			found = r>>8 == 0x6b && g>>8 == 0x57 && bl>>8 == 0xff
		}
	}
	if want := hasStrategy(r, ObservationMasking); found != want {
		t.Errorf("masking colour drawn: %v, want %v", found, want)
	}
	if dir := os.Getenv("REPORT_PNG_DIR"); dir != "" { // to look at it
		if err := os.WriteFile(filepath.Join(dir, keep), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func hasStrategy(r *Report, s string) bool {
	for _, row := range r.Rows {
		if row.Strategy == s {
			return true
		}
	}
	return false
}

func TestPNGFixture(t *testing.T) {
	checkPNG(t, loadFixture(t, Options{}), PanelWidth, PanelHeight, "fixture.png")
}

func TestPNGSyntheticTrials(t *testing.T) {
	dataDir := t.TempDir()
	writeSyntheticSweep(t, dataDir)
	// A second model makes a second panel.
	writeTrial(t, dataDir, "syn", "other__obs__demo", "other", "observation_masking", []rec{
		record("a", true, 0.02, 0, 5, "submitted"), record("b", false, 0.03, 0, 8, "exit_cost"),
	})
	s, err := Load(dataDir, nil) // every sweep
	if err != nil {
		t.Fatal(err)
	}
	r, err := Analyze(s, Options{Resamples: 500})
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, r, 2*PanelWidth, PanelHeight, "synthetic.png")
}

func TestPNGNothingToPlot(t *testing.T) {
	r := &Report{Rows: []Row{{Group: "(a) m", Experiment: "x"}}}
	if err := WritePNG(&bytes.Buffer{}, r); err == nil {
		t.Error("a report without solve rates was plotted")
	}
}

// TestPlotRateAxisStopsAt100 (issue 21, defect 12): with solve rates near
// 100 % the y-axis ends at 100 %, not past it.
func TestPlotRateAxisStopsAt100(t *testing.T) {
	rows := []Row{
		{Group: "(a) m", Experiment: "raw", Strategy: "raw", SolveRate: &stats.Interval{Point: 1, Lo: 0.9, Hi: 1}, MeanCost: &stats.Interval{Point: 0.1, Lo: 0.05, Hi: 0.2}},
		{Group: "(a) m", Experiment: "obs", Strategy: "observation_masking", SolveRate: &stats.Interval{Point: 0.95, Lo: 0.8, Hi: 1}, MeanCost: &stats.Interval{Point: 0.05, Lo: 0.02, Hi: 0.1}},
	}
	p, err := panel("(a) m", rows)
	if err != nil {
		t.Fatal(err)
	}
	if p.Y.Max > 100 {
		t.Fatalf("y-axis runs to %.1f %%", p.Y.Max)
	}
}
