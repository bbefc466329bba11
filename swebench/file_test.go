package swebench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixtureRows reads testdata/lite-test-5.json (five real SWE-bench Lite test
// rows, copied from /work/shared/fixtures/swebench) as plain maps.
func fixtureRows(t *testing.T) []map[string]any {
	t.Helper()
	var rows []map[string]any
	readJSONFile(t, "testdata/lite-test-5.json", &rows)
	if len(rows) != 5 {
		t.Fatalf("fixture has %d rows", len(rows))
	}
	return rows
}

// checkAgainst compares instances with the fixture maps field by field.
func checkAgainst(t *testing.T, got []Instance, rows []map[string]any) {
	t.Helper()
	if len(got) != len(rows) {
		t.Fatalf("got %d instances, want %d", len(got), len(rows))
	}
	for i, row := range rows {
		in := got[i]
		text := map[string]string{"instance_id": in.InstanceID, "repo": in.Repo, "base_commit": in.BaseCommit,
			"patch": in.Patch, "test_patch": in.TestPatch, "problem_statement": in.ProblemStatement,
			"hints_text": in.HintsText, "created_at": in.CreatedAt, "version": in.Version,
			"environment_setup_commit": in.EnvironmentSetupCommit}
		for k, v := range text {
			if row[k] != v {
				t.Errorf("row %d field %s = %.40q, want %.40q", i, k, v, row[k])
			}
			if v == "" && k != "hints_text" {
				t.Errorf("row %d field %s empty", i, k)
			}
		}
		for k, v := range map[string][]string{"FAIL_TO_PASS": in.FailToPass, "PASS_TO_PASS": in.PassToPass} {
			want := toStrings(row[k])
			if !slices.Equal(v, want) {
				t.Errorf("row %d field %s = %q, want %q", i, k, v, want)
			}
		}
		if len(in.FailToPass) == 0 {
			t.Errorf("row %d: no FAIL_TO_PASS", i)
		}
	}
}

func toStrings(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = append(out, e.(string))
		}
	case string:
		json.Unmarshal([]byte(x), &out)
	}
	return out
}

func TestReadFixtureJSON(t *testing.T) {
	got, err := ReadFile("testdata/lite-test-5.json")
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, got, fixtureRows(t))
	if got[0].InstanceID != "django__django-16255" || got[0].Image() != "swebench/sweb.eval.x86_64.django_1776_django-16255:latest" {
		t.Fatalf("%s %s", got[0].InstanceID, got[0].Image())
	}
}

// hfLayout turns fixture rows into the Hugging Face layout: test lists as
// JSON strings, plus an unknown column.
func hfLayout(rows []map[string]any) []map[string]any {
	var out []map[string]any
	for _, r := range rows {
		c := map[string]any{"unknown_extra": 7}
		for k, v := range r {
			c[k] = v
		}
		for _, k := range []string{"FAIL_TO_PASS", "PASS_TO_PASS"} {
			b, _ := json.Marshal(r[k])
			c[k] = string(b)
		}
		out = append(out, c)
	}
	return out
}

func TestReadJSONL(t *testing.T) {
	rows := fixtureRows(t)
	var b strings.Builder
	for _, r := range hfLayout(rows) {
		line, _ := json.Marshal(r)
		b.Write(line)
		b.WriteString("\n\n") // blank lines are skipped
	}
	path := writeTemp(t, "rows.jsonl", b.String())
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, got, rows)
}

func TestReadJSONKeyedByID(t *testing.T) {
	path := writeTemp(t, "rows.json", `{
  "b__b-2": {"repo": "b/b", "FAIL_TO_PASS": "[\"t\"]"},
  "a__a-1": {"instance_id": "a__a-1", "PASS_TO_PASS": ["p"]}
}`)
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if ids := rowIDs(got); !slices.Equal(ids, []string{"b__b-2", "a__a-1"}) { // file order kept
		t.Fatal(ids)
	}
	if got[0].Repo != "b/b" || got[0].FailToPass[0] != "t" || got[1].PassToPass[0] != "p" {
		t.Fatalf("%+v", got)
	}
}

func TestFileErrors(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string
	}{
		{"bad.json", "[\n{\"instance_id\": \"a\"},\n{\"instance_id\": \"b\",,}\n]", []string{"bad.json", "line 3", "invalid JSON"}},
		{"trunc.json", "[\n{\"instance_id\": \"a\"", []string{"trunc.json", "line 2", "end of file"}},
		{"noid.json", "[\n{\"instance_id\": \"a\"},\n{\"repo\": \"x/y\"}\n]", []string{"noid.json:3", "row 1", "instance_id"}},
		{"notrow.json", "[1]", []string{"notrow.json:1", "row 0", "want an object"}},
		{"scalar.json", "42", []string{"scalar.json", "list"}},
		{"empty.json", "", []string{"empty.json", "empty"}},
		{"keymismatch.json", `{"a": {"instance_id": "b"}}`, []string{"keymismatch.json", `key "a"`}},
		{"badlist.json", `[{"instance_id": "a", "FAIL_TO_PASS": "[oops"}]`, []string{"badlist.json:1", "row 0", "FAIL_TO_PASS"}},
		{"bad.jsonl", "{\"instance_id\": \"a\"}\n{\"instance_id\": \n", []string{"bad.jsonl:2", "invalid JSON"}},
		{"noid.jsonl", "{\"instance_id\": \"a\"}\n\n{\"patch\": \"p\"}\n", []string{"noid.jsonl:3", "row 1", "instance_id"}},
		{"rows.csv", "x", []string{"rows.csv", ".jsonl"}},
		{"bad.parquet", "not parquet at all", []string{"bad.parquet", "parquet"}},
	}
	for _, c := range cases {
		_, err := ReadFile(writeTemp(t, c.name, c.body))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		t.Logf("%s: %v", c.name, err)
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", c.name, err, w)
			}
		}
	}
	_, err := ReadFile(filepath.Join(t.TempDir(), "missing.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: %v", err)
	}
}

func writeTemp(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// contains reports whether s contains every part.
func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
