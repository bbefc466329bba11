package swebench

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestImageName(t *testing.T) {
	cases := map[string]string{
		"django__django-11099":          "swebench/sweb.eval.x86_64.django_1776_django-11099:latest",
		"astropy__astropy-12907":        "swebench/sweb.eval.x86_64.astropy_1776_astropy-12907:latest",
		"Pylint-Dev__Astroid-1866":      "swebench/sweb.eval.x86_64.pylint-dev_1776_astroid-1866:latest",
		"scikit-learn__scikit-learn-10": "swebench/sweb.eval.x86_64.scikit-learn_1776_scikit-learn-10:latest",
	}
	for id, want := range cases {
		if got := ImageName(id); got != want {
			t.Errorf("ImageName(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestImagePrecedence(t *testing.T) {
	in := Instance{InstanceID: "a__b-1"}
	if in.Image() != "swebench/sweb.eval.x86_64.a_1776_b-1:latest" {
		t.Fatal(in.Image())
	}
	in.ImageRef = "v5:img"
	if in.Image() != "v5:img" {
		t.Fatal(in.Image())
	}
	in.DockerImage = "docker:img"
	if in.Image() != "docker:img" {
		t.Fatal(in.Image())
	}
	in.ImageName = "name:img"
	if in.Image() != "name:img" {
		t.Fatal(in.Image())
	}
}

func TestUnmarshalBothListForms(t *testing.T) {
	var a, b Instance
	if err := json.Unmarshal([]byte(`{"instance_id":"x__y-1","FAIL_TO_PASS":"[\"t1\", \"t2\"]","PASS_TO_PASS":"[]","version":3.0,"extra":{"k":1}}`), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(`{"instance_id":"x__y-1","FAIL_TO_PASS":["t1","t2"],"PASS_TO_PASS":[],"version":"3.0","test_cmd":"pytest -x"}`), &b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.FailToPass, []string{"t1", "t2"}) || !slices.Equal(b.FailToPass, a.FailToPass) {
		t.Fatalf("%q %q", a.FailToPass, b.FailToPass)
	}
	if len(a.PassToPass) != 0 || len(b.PassToPass) != 0 || a.Version != "3.0" || b.Version != "3.0" || b.TestCmd != "pytest -x" {
		t.Fatalf("%+v %+v", a, b)
	}
	// Round trip: marshalled rows read back identically.
	out, _ := json.Marshal(b)
	var c Instance
	if err := json.Unmarshal(out, &c); err != nil || !slices.Equal(c.FailToPass, b.FailToPass) || c.TestCmd != b.TestCmd {
		t.Fatalf("%s: %v", out, err)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	cases := map[string]string{
		`{"repo":"a/b"}`: "instance_id",
		`{"instance_id":"a","FAIL_TO_PASS":"not json"}`: "FAIL_TO_PASS",
		`{"instance_id":"a","FAIL_TO_PASS":[1]}`:        "FAIL_TO_PASS",
		`{"instance_id":"a","patch":true}`:              "patch",
		`[1]`:                                           "",
	}
	for in, field := range cases {
		var x Instance
		err := json.Unmarshal([]byte(in), &x)
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: err = %v, want one naming %q", in, err, field)
		}
	}
}

func TestResolveDataset(t *testing.T) {
	d, err := ResolveDataset("", "")
	if err != nil || d.ID != "princeton-nlp/SWE-Bench_Verified" || d.Split != "test" || d.Config != "default" {
		t.Fatalf("%+v %v", d, err)
	}
	for sub, id := range map[string]string{"lite": "princeton-nlp/SWE-Bench_Lite", "full": "princeton-nlp/SWE-Bench",
		"verified-mini": "MariusHobbhahn/swe-bench-verified-mini", "multilingual": "swe-bench/SWE-Bench_Multilingual",
		"SWE-bench/SWE-bench_Lite": "SWE-bench/SWE-bench_Lite"} {
		if d, err := ResolveDataset(sub, "dev"); err != nil || d.ID != id || d.Split != "dev" {
			t.Errorf("%s: %+v %v", sub, d, err)
		}
	}
	for _, bad := range []string{"nope", "../x", "a/../../b"} {
		if _, err := ResolveDataset(bad, "test"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ResolveDataset("lite", "../../etc"); err == nil {
		t.Error("bad split accepted")
	}
	if SourceID("lite", "") != "swe_bench_lite_test" {
		t.Error(SourceID("lite", ""))
	}
}
