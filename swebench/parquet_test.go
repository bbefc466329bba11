package swebench

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// hfParquetRow is the Hugging Face parquet layout of SWE-bench: every column
// a nullable string, the test lists JSON-encoded, plus a column we ignore.
type hfParquetRow struct {
	Repo                   string `parquet:"repo,optional"`
	InstanceID             string `parquet:"instance_id,optional"`
	BaseCommit             string `parquet:"base_commit,optional"`
	Patch                  string `parquet:"patch,optional"`
	TestPatch              string `parquet:"test_patch,optional"`
	ProblemStatement       string `parquet:"problem_statement,optional"`
	HintsText              string `parquet:"hints_text,optional"`
	CreatedAt              string `parquet:"created_at,optional"`
	Version                string `parquet:"version,optional"`
	FailToPass             string `parquet:"FAIL_TO_PASS,optional"`
	PassToPass             string `parquet:"PASS_TO_PASS,optional"`
	EnvironmentSetupCommit string `parquet:"environment_setup_commit,optional"`
	ImageAssets            string `parquet:"image_assets,optional"`
}

// listParquetRow stores the test lists as real list<string> columns.
type listParquetRow struct {
	InstanceID string   `parquet:"instance_id"`
	FailToPass []string `parquet:"FAIL_TO_PASS,list"`
	PassToPass []string `parquet:"PASS_TO_PASS,list"`
	EvalType   string   `parquet:"eval_type,optional"`
}

// writeHFParquet writes fixture rows to dir/name in the HF layout, the first
// two rows in one row group and the rest in another, and returns the path.
func writeHFParquet(t *testing.T, dir, name string, rows []map[string]any) string {
	t.Helper()
	var out []hfParquetRow
	for _, r := range hfLayout(rows) {
		var p hfParquetRow
		p.InstanceID, p.Repo, p.BaseCommit = r["instance_id"].(string), r["repo"].(string), r["base_commit"].(string)
		p.Patch, p.TestPatch, p.ProblemStatement = r["patch"].(string), r["test_patch"].(string), r["problem_statement"].(string)
		p.HintsText, p.CreatedAt, p.Version = r["hints_text"].(string), r["created_at"].(string), r["version"].(string)
		p.FailToPass, p.PassToPass = r["FAIL_TO_PASS"].(string), r["PASS_TO_PASS"].(string)
		p.EnvironmentSetupCommit, p.ImageAssets = r["environment_setup_commit"].(string), `{"problem_statement":[]}`
		out = append(out, p)
	}
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := parquet.NewGenericWriter[hfParquetRow](f, parquet.Compression(&snappy.Codec{}))
	cut := min(2, len(out))
	for _, part := range [][]hfParquetRow{out[:cut], out[cut:]} {
		if _, err := w.Write(part); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil { // ends a row group
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadParquetHFLayout(t *testing.T) {
	rows := fixtureRows(t)
	path := writeHFParquet(t, t.TempDir(), "test-00000-of-00001.parquet", rows)
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, got, rows)
}

func TestReadParquetListColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lists.parquet")
	in := []listParquetRow{
		{InstanceID: "a__a-1", FailToPass: []string{"t1", "t2"}, PassToPass: nil, EvalType: "fail_only"},
		{InstanceID: "b__b-2", FailToPass: []string{"x"}, PassToPass: []string{"p1", "p2", "p3"}},
	}
	if err := parquet.WriteFile(path, in); err != nil {
		t.Fatal(err)
	}
	got, err := ReadParquet(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !slices.Equal(got[0].FailToPass, []string{"t1", "t2"}) || len(got[0].PassToPass) != 0 ||
		got[0].EvalType != "fail_only" || !slices.Equal(got[1].PassToPass, []string{"p1", "p2", "p3"}) {
		t.Fatalf("%+v", got)
	}
}

func TestReadParquetMissingID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "noid.parquet")
	if err := parquet.WriteFile(path, []hfParquetRow{{InstanceID: "a"}, {Repo: "x/y"}}); err != nil {
		t.Fatal(err)
	}
	_, err := ReadParquet(path)
	if err == nil || !contains(err.Error(), "noid.parquet", "row 1", "instance_id") {
		t.Fatalf("err = %v", err)
	}
}
