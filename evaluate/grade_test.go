package evaluate

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestGradeRules(t *testing.T) {
	m := StatusMap{"p": StatusPassed, "x": StatusXFail, "f": StatusFailed, "e": StatusError, "s": StatusSkipped}
	ts := GradeTests([]string{"p", "x", "missing", "s"}, []string{"f", "e", "p"}, m)
	if !reflect.DeepEqual(ts.FailToPass, SuccessFailure{Success: []string{"p", "x"}, Failure: []string{"missing"}}) {
		t.Errorf("F2P %+v: XFAIL passes, missing fails, SKIPPED is in neither list", ts.FailToPass)
	}
	if !reflect.DeepEqual(ts.PassToPass, SuccessFailure{Success: []string{"p"}, Failure: []string{"f", "e"}}) {
		t.Errorf("P2P %+v", ts.PassToPass)
	}
	cases := []struct {
		f2p, p2p []string
		want     Resolution
	}{
		{nil, nil, ResolvedFull}, // empty lists count as 1.0
		{[]string{"p", "x"}, []string{"p"}, ResolvedFull},
		{[]string{"p", "missing"}, []string{"p"}, ResolvedPartial},
		{[]string{"p", "missing"}, []string{"f"}, ResolvedNo},
		{[]string{"missing"}, nil, ResolvedNo},
		{[]string{"s"}, []string{"p"}, ResolvedFull}, // v4.1: a skipped F2P test drops out
		{[]string{"p"}, []string{"p", "e"}, ResolvedNo},
	}
	for _, c := range cases {
		if got := GradeTests(c.f2p, c.p2p, m).Resolution(); got != c.want {
			t.Errorf("F2P %v P2P %v: %s, want %s", c.f2p, c.p2p, got, c.want)
		}
	}
}

// TestGradeLogs grades testdata logs end to end.
func TestGradeLogs(t *testing.T) {
	lite := sharedSpecs(t, "lite-test-5.json")
	sympy := lite["sympy__sympy-13031"]
	rep, err := Grade(sympy, readTestdata(t, "logs/sympy_sparse.log"))
	if err != nil {
		t.Fatal(err)
	}
	// test_sparse_matrix fails and test_sparse_solve errors in the log.
	if rep.Resolved || rep.Resolution != ResolvedNo || !rep.PatchSuccessfullyApplied {
		t.Errorf("sympy report %+v", rep)
	}
	ts := rep.TestsStatus
	if !slices.Equal(ts.FailToPass.Failure, []string{"test_sparse_matrix"}) || !slices.Equal(ts.PassToPass.Failure, []string{"test_sparse_solve"}) {
		t.Errorf("sympy tests_status %+v", ts)
	}

	// The same log with the failures fixed resolves the instance.
	fixed := strings.NewReplacer("test_sparse_matrix F", "test_sparse_matrix ok", "test_sparse_solve E", "test_sparse_solve ok",
		"___ sympy/matrices", "___ fixed/sympy/matrices").Replace(readTestdata(t, "logs/sympy_sparse.log"))
	if rep, _ = Grade(sympy, fixed); !rep.Resolved || rep.Resolution != ResolvedFull {
		t.Errorf("fixed sympy log: %+v", rep.TestsStatus)
	}

	// Django: the F2P test fails; P2P docstring ids that are absent count as failed.
	dj := lite["django__django-16255"]
	rep, _ = Grade(dj, readTestdata(t, "logs/django_sitemaps.log"))
	if rep.Resolved || !slices.Equal(rep.TestsStatus.FailToPass.Failure, dj.FailToPass) {
		t.Errorf("django F2P %+v", rep.TestsStatus.FailToPass)
	}
	if !slices.Contains(rep.TestsStatus.PassToPass.Success, "A cached sitemap index can be rendered (#2713).") {
		t.Errorf("django P2P success misses the docstring-named test")
	}

	// A log without the end marker: applied=false, no tests_status.
	rep, _ = Grade(dj, readTestdata(t, "logs/edge_missing_end_marker.log"))
	if rep.PatchSuccessfullyApplied || rep.Resolved || rep.TestsStatus != nil || !rep.PatchExists || rep.Log.Problem == "" {
		t.Errorf("unapplied report %+v", rep)
	}
}

func TestInstanceReportJSON(t *testing.T) {
	spec := Spec{InstanceID: "pallets__flask-90002", Repo: "pallets/flask", Version: "2.2", FailToPass: []string{"tests/test_json.py::test_tojson_filter"},
		PassToPass: []string{"tests/test_json.py::test_json_decimal", "tests/test_json.py::test_json_customization"}}
	rep, err := Grade(spec, readTestdata(t, "logs/pytest_flask.log"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "reports/instance_report.json", b)

	var top map[string]map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	inner, ok := top["pallets__flask-90002"]
	if !ok || len(top) != 1 {
		t.Fatalf("top level %v, want one key = instance id", top)
	}
	if got, want := sortedKeys(inner), []string{"patch_exists", "patch_is_None", "patch_successfully_applied", "resolved", "tests_status"}; !slices.Equal(got, want) {
		t.Errorf("keys %v, want %v", got, want)
	}
	var ts map[string]map[string][]string
	if err := json.Unmarshal(inner["tests_status"], &ts); err != nil {
		t.Fatal(err)
	}
	if got, want := sortedKeys(ts), []string{"FAIL_TO_FAIL", "FAIL_TO_PASS", "PASS_TO_FAIL", "PASS_TO_PASS"}; !slices.Equal(got, want) {
		t.Errorf("tests_status keys %v, want %v", got, want)
	}
	for k, v := range ts {
		if got := sortedKeys(v); !slices.Equal(got, []string{"failure", "success"}) {
			t.Errorf("%s keys %v", k, got)
		}
	}
	if !strings.Contains(string(b), `"FAIL_TO_FAIL": {
                "success": [],
                "failure": []`) {
		t.Errorf("empty lists must encode as [], got:\n%s", b)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
