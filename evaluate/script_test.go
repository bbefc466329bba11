package evaluate

import (
	"encoding/json"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// TestEvalScriptGoldens checks the generated scripts for a django, a
// sympy and a pytest-dev instance (real Lite rows) and a hand-written
// astropy 1.3 instance. Real test patches are redacted from the goldens.
func TestEvalScriptGoldens(t *testing.T) {
	lite := sharedSpecs(t, "lite-test-5.json")
	var astropy Spec
	if err := json.Unmarshal([]byte(readTestdata(t, "instances/astropy_handwritten.json")), &astropy); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		spec   Spec
		redact bool
	}{
		{lite["django__django-16255"], true},
		{lite["sympy__sympy-13031"], true},
		{lite["pytest-dev__pytest-11143"], true},
		{astropy, false},
	}
	for _, c := range cases {
		t.Run(c.spec.InstanceID, func(t *testing.T) {
			script, err := MakeEvalScript(c.spec)
			if err != nil {
				t.Fatal(err)
			}
			if c.redact {
				script = redactPatch(t, script, c.spec)
			}
			checkGolden(t, "scripts/"+c.spec.InstanceID+".sh", []byte(script))
			if bash, err := exec.LookPath("bash"); err == nil {
				if out, err := exec.Command(bash, "-n", "-c", script).CombinedOutput(); err != nil {
					t.Errorf("bash -n: %v\n%s", err, out)
				}
			}
		})
	}
}

func TestTestDirectives(t *testing.T) {
	lite := sharedSpecs(t, "lite-test-5.json")
	want := map[string][]string{
		"django__django-16255":             {"sitemaps_tests.test_http", "sitemaps_tests.urls.http"},
		"django__django-15781":             {"user_commands.tests"},
		"sympy__sympy-13031":               {"sympy/matrices/tests/test_sparse.py"},
		"pytest-dev__pytest-11143":         {"testing/test_assertrewrite.py"},
		"scikit-learn__scikit-learn-13584": {"sklearn/utils/tests/test_pprint.py"},
	}
	for id, w := range want {
		if got := TestDirectives(lite[id]); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: directives %q, want %q", id, got, w)
		}
	}
	synthetic := Spec{Repo: "django/django", TestPatch: "diff --git a/tests/i18n/tests.py b/tests/i18n/tests.py\n" +
		"diff --git a/tests/i18n/locale/fr/LC_MESSAGES/django.json b/tests/i18n/locale/fr/LC_MESSAGES/django.json\n" +
		"diff --git a/docs/releases/4.2.txt b/docs/releases/4.2.txt\n" +
		"diff --git a/tests/data/x.csv b/tests/data/x.csv\n" +
		"diff --git a/django/test/testcases.py b/django/test/testcases.py\n"}
	if got, w := TestDirectives(synthetic), []string{"i18n.tests", "django.test.testcases"}; !reflect.DeepEqual(got, w) {
		t.Errorf("django labels %q, want %q", got, w)
	}
	if got := DjangoLabel("tests/model_fields/test_jsonfield.py"); got != "model_fields.test_jsonfield" {
		t.Errorf("DjangoLabel = %q", got)
	}
}

func TestTestCommandTable(t *testing.T) {
	cases := []struct{ repo, version, want string }{
		{"astropy/astropy", "1.3", "pytest -rA -vv -o console_output_style=classic --tb=no"},
		{"astropy/astropy", "0.4", "pytest -rA -vv -o console_output_style=classic --tb=no"},
		{"astropy/astropy", "4.3", "pytest -rA"},
		{"astropy/astropy", "v5.3", "pytest -rA"},
		{"django/django", "1.9", "./tests/runtests.py --verbosity 2"},
		{"django/django", "1.11", "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1"},
		{"django/django", "4.2", "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1"},
		{"sympy/sympy", "1.1", "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose"},
		{"mwaskom/seaborn", "0.12", "pytest --no-header -rA"},
		{"sphinx-doc/sphinx", "7.2", "tox --current-env -epy39 -v --"},
		{"pydata/xarray", "2022.06", "pytest -rA"},
		{"matplotlib/matplotlib", "3.5", "pytest -rA"},
		{"pallets/flask", "2.3", "pytest -rA"},
		{"psf/requests", "2.0", "pytest -rA"},
		{"pylint-dev/pylint", "2.15", "pytest -rA"},
		{"pytest-dev/pytest", "8.0", "pytest -rA"},
		{"scikit-learn/scikit-learn", "0.21", "pytest -rA"},
	}
	for _, c := range cases {
		got, err := TestCommand(Spec{Repo: c.repo, Version: c.version})
		if err != nil || got != c.want {
			t.Errorf("%s %s: %q, %v; want %q", c.repo, c.version, got, err, c.want)
		}
	}
	if len(KnownRepos()) != 12 {
		t.Errorf("KnownRepos = %v, want the 12 Verified repos", KnownRepos())
	}
}

func TestOverridesAndUnknownRepo(t *testing.T) {
	dev := sharedSpecs(t, "dev-easy-5.json")
	pydicom := dev["pydicom__pydicom-1458"]
	_, err := MakeEvalScript(pydicom)
	if err == nil || !strings.Contains(err.Error(), "pydicom/pydicom") || !strings.Contains(err.Error(), "pydicom__pydicom-1458") {
		t.Fatalf("unknown repo error = %v; want it to name repo and instance", err)
	}
	if _, err := Grade(pydicom, ""); err == nil || !strings.Contains(err.Error(), "pydicom/pydicom") {
		t.Errorf("Grade of unknown repo without LogParser: err = %v", err)
	}
	pydicom.TestCmd = "pytest -rA -p no:cacheprovider"
	script, err := MakeEvalScript(pydicom)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script, "\npytest -rA -p no:cacheprovider pydicom/tests/test_numpy_pixel_data.py\n") {
		t.Errorf("TestCmd override not used with directives:\n%s", script)
	}
	if strings.Contains(script, "pip install") {
		t.Error("unknown repo got an install command")
	}
	// A table repo with TestCmd keeps its install but not its command.
	lite := sharedSpecs(t, "lite-test-5.json")
	dj := lite["django__django-15781"]
	dj.TestCmd = "python tests/runtests.py --parallel 1"
	script, _ = MakeEvalScript(dj)
	if !strings.Contains(script, "\npython tests/runtests.py --parallel 1 user_commands.tests\n") || !strings.Contains(script, "\npython -m pip install -e .\n") {
		t.Errorf("override on django:\n%s", script)
	}
	// A row's eval_script wins over everything.
	dj.EvalScript = "#!/bin/bash\necho v5"
	if script, _ = MakeEvalScript(dj); script != "#!/bin/bash\necho v5\n" {
		t.Errorf("EvalScript not used verbatim: %q", script)
	}
}

// TestHeredocSafety feeds a patch that contains the default delimiter (and
// shell metacharacters) through bash and checks it arrives unchanged.
func TestHeredocSafety(t *testing.T) {
	patch := "diff --git a/t.py b/t.py\n--- a/t.py\n+++ b/t.py\n@@ -1 +1,3 @@\n" +
		"+" + heredocBase + "\n" + heredocBase + "\n" + heredocBase + "_1 $HOME `id` $(id) 'q' \"d\" \\\n x\n"
	d := HeredocDelimiter(patch)
	if strings.Contains(patch, d) {
		t.Fatalf("delimiter %q occurs in the patch", d)
	}
	if d != heredocBase+"_2" {
		t.Errorf("delimiter %q, want %s_2", d, heredocBase)
	}
	spec := Spec{InstanceID: "x", Repo: "pytest-dev/pytest", Version: "8.0", BaseCommit: "abc", TestPatch: patch}
	script, err := MakeEvalScript(spec)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script, "git apply -v - <<'"+d+"'\n"+patch+d+"\n") {
		t.Errorf("heredoc not framed by %s:\n%s", d, script)
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	out, err := exec.Command(bash, "-c", "cat <<'"+d+"'\n"+patch+d+"\n").Output()
	if err != nil || string(out) != patch {
		t.Errorf("bash heredoc gave %q, %v; want the patch", out, err)
	}
}

func TestResetCommands(t *testing.T) {
	var astropy Spec
	if err := json.Unmarshal([]byte(readTestdata(t, "instances/astropy_handwritten.json")), &astropy); err != nil {
		t.Fatal(err)
	}
	got := resetCommands(HarnessV5, astropy.BaseCommit, astropy.TestPatch)
	want := []string{
		"git checkout 0123456789abcdef0123456789abcdef01234567 astropy/utils/tests/test_misc.py",
		"rm -f astropy/utils/tests/test_docstring_props.py astropy/utils/tests/data/docstrings.txt",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("v5 reset %q, want %q", got, want)
	}
	// v4.1 checks out the modified files only and deletes nothing.
	got = resetCommands(HarnessV41, astropy.BaseCommit, astropy.TestPatch)
	want = []string{"git checkout 0123456789abcdef0123456789abcdef01234567 astropy/utils/tests/test_misc.py"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("v4.1 reset %q, want %q", got, want)
	}
	// A test patch that only adds files: v4.1 still writes the checkout,
	// with no paths (a checkout of the base commit itself).
	newOnly := "diff --git a/t/test_new.py b/t/test_new.py\nnew file mode 100644\n--- /dev/null\n+++ b/t/test_new.py\n@@ -0,0 +1 @@\n+x\n"
	if got := resetCommands(HarnessV41, "abc", newOnly); !reflect.DeepEqual(got, []string{"git checkout abc "}) {
		t.Errorf("v4.1 new-only reset %q", got)
	}
	if got := resetCommands(HarnessV5, "abc", newOnly); !reflect.DeepEqual(got, []string{"rm -f t/test_new.py"}) {
		t.Errorf("v5 new-only reset %q", got)
	}
	if got := bSidePath("a/dir with b/x.py b/dir with b/x.py"); got != "dir with b/x.py" {
		t.Errorf("bSidePath = %q", got)
	}
	if got := shellQuote("dir with b/x.py"); got != "'dir with b/x.py'" {
		t.Errorf("shellQuote = %q", got)
	}
}
