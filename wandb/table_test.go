package wandb

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

func TestUploadTableRendersColumnsAndRows(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	r, _ := e.c.UpsertRun(ctx, RunSpec{ID: "tbl", Project: "p"})
	cols := []string{"instance_id", "submitted", "n_turns", "review_score"}
	rows := [][]any{{"a__b-1", true, 3, nil}, {"c__d-2", false, 7, 0.5}}
	must(t, e.c.UploadTable(ctx, r, "instances", cols, rows))
	must(t, e.c.Finish(ctx, r, 0)) // strict: the file was PUT and reported uploaded

	ref, _ := e.fake.Summary("tbl")["instances"].(map[string]any)
	if ref["_type"] != "table-file" || ref["ncols"] != 4.0 || ref["nrows"] != 2.0 || ref["log_mode"] != "IMMUTABLE" {
		t.Fatalf("summary value %v", ref)
	}
	path, _ := ref["path"].(string)
	if !strings.HasPrefix(path, "media/table/instances_") || !strings.HasSuffix(path, ".table.json") {
		t.Fatalf("path %q", path)
	}
	run, _ := e.fake.Run("tbl")
	var tbl struct {
		Columns []string `json:"columns"`
		Data    [][]any  `json:"data"`
	}
	if err := json.Unmarshal(run.Files[path], &tbl); err != nil {
		t.Fatal(err)
	}
	if strings.Join(tbl.Columns, ",") != strings.Join(cols, ",") || len(tbl.Data) != 2 || tbl.Data[1][2] != 7.0 || tbl.Data[0][3] != nil {
		t.Fatalf("table file %+v", tbl)
	}
	if len(run.Uploaded) != 1 || run.Uploaded[0] != path {
		t.Fatalf("uploaded %v", run.Uploaded)
	}
	for _, rq := range e.fake.Requests() {
		if strings.HasPrefix(rq.Path, "/upload/") && (rq.Auth != "" || rq.Header.Get("X-Fake-Upload") != "1") {
			t.Fatalf("upload request auth=%q headers=%v", rq.Auth, rq.Header)
		}
	}
	if err := e.c.UploadTable(ctx, r, "bad", cols, [][]any{{1}}); err == nil {
		t.Fatal("short row accepted")
	}
}

func TestHistogram(t *testing.T) {
	h := Histogram([]float64{1, 2, 2, 3, 4, math.NaN()}, 3)
	vals, bins := h["values"].([]any), h["bins"].([]any)
	if h["_type"] != "histogram" || len(vals) != 3 || len(bins) != 4 {
		t.Fatalf("%v", h)
	}
	if bins[0] != 1.0 || bins[3] != 4.0 || vals[0] != 1 || vals[1] != 2 || vals[2] != 2 {
		t.Fatalf("bins %v counts %v", bins, vals) // numpy: [1,2) [2,3) [3,4]
	}
	c := Histogram([]float64{5, 5}, 0)
	if cb := c["bins"].([]any); len(cb) != 65 || cb[0] != 4.5 || cb[64] != 5.5 {
		t.Fatalf("constant %v", cb)
	}
	if Histogram(nil, 1000)["values"].([]any)[511] != 0 {
		t.Fatal("bins not capped at 512")
	}
}

func TestNonFiniteValuesUseBareTokens(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	r, _ := e.c.UpsertRun(ctx, RunSpec{ID: "nan", Project: "p"})
	must(t, e.c.WriteHistory(ctx, r, 0, []map[string]any{{"a": math.NaN(), "b": math.Inf(-1), "c": []float64{math.Inf(1)}, "s": "NaN"}}))
	run, _ := e.fake.Run("nan")
	line := run.Lines["wandb-history.jsonl"][0]
	if !strings.Contains(line, `"a":NaN`) || !strings.Contains(line, `"b":-Infinity`) || !strings.Contains(line, `"c":[Infinity]`) || !strings.Contains(line, `"s":"NaN"`) {
		t.Fatalf("line %s", line)
	}
	var v any
	if err := decodeLenient([]byte(line), &v); err != nil || !math.IsNaN(v.(map[string]any)["a"].(float64)) {
		t.Fatalf("lenient decode: %v %v", v, err)
	}
}

func TestMetricDefinitions(t *testing.T) {
	xaxes := map[string]string{"step/*": "global_step", "n_submitted": "n_instances", "exit/*": "n_instances"}
	for _, globs := range []bool{false, true} {
		opts := fakewandb.Options{}
		if globs {
			opts.Features = []string{"EXPAND_DEFINED_METRIC_GLOBS"}
		}
		e := newEnv(t, opts)
		r, err := e.c.UpsertRun(ctx, RunSpec{ID: "m", Project: "p", XAxes: xaxes})
		must(t, err)
		must(t, e.c.WriteHistory(ctx, r, 0, []map[string]any{{"global_step": 0, "step/cost": 1, "exit/cost": 1}}))
		run, _ := e.fake.Run("m")
		var cfg struct {
			W struct {
				V struct {
					M []map[string]any `json:"m"`
				} `json:"value"`
			} `json:"_wandb"`
		}
		must(t, json.Unmarshal([]byte(run.Config), &cfg))
		b, _ := json.Marshal(cfg.W.V.M)
		want := `[{"1":"global_step","6":[3],"7":[]},{"1":"n_instances","6":[3],"7":[]},` +
			`{"2":"exit/*","5":2,"6":[1,3],"7":[]},{"1":"n_submitted","5":2,"6":[1,3],"7":[]},` +
			`{"2":"step/*","5":1,"6":[1,3],"7":[]}]`
		if !globs {
			want = `[{"1":"global_step","6":[3],"7":[]},{"1":"n_instances","6":[3],"7":[]},` +
				`{"1":"n_submitted","5":2,"6":[1,3],"7":[]},` +
				`{"1":"exit/cost","5":2,"6":[1],"7":[]},{"1":"step/cost","5":1,"6":[1],"7":[]}]`
		}
		if string(b) != want {
			t.Errorf("globs=%v m =\n%s\nwant\n%s", globs, b, want)
		}
		if wantVersions := map[bool]int{false: 2, true: 1}[globs]; len(run.ConfigVersions) != wantVersions {
			t.Errorf("globs=%v: %d config versions", globs, len(run.ConfigVersions))
		}
	}
	if !globMatch("avg_*", "avg_cost") || globMatch("avg_*", "xavg_cost") || !globMatch("a*/*z", "ab/cz") {
		t.Error("globMatch")
	}
}
