package evaluate

import (
	"sort"
	"strconv"
	"strings"
)

// Test commands of harness v4.1.0 (constants/python.py). TEST_PYTEST is
// defined twice there; the later value, plain "pytest -rA", is the one used.
const (
	cmdPytest     = "pytest -rA"
	cmdAstropyOld = "pytest -rA -vv -o console_output_style=classic --tb=no"
	cmdDjango     = "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1"
	cmdDjango19   = "./tests/runtests.py --verbosity 2"
	cmdSeaborn    = "pytest --no-header -rA"
	cmdSphinx     = "tox --current-env -epy39 -v --"
	cmdSympy      = "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose"
)

// Install commands re-run by the eval script (the spec's "install").
const (
	installEditable = "python -m pip install -e ."
	installSetupPy  = "python setup.py install"
)

// repoSpec is the per-repository part of the v4.1.0 spec table, as
// functions of the instance version (a "major.minor" string).
type repoSpec struct {
	testCmd      func(v version) string
	install      func(v version) string
	evalCommands func(v version) []string
}

func always(s string) func(version) string { return func(version) string { return s } }

// repoSpecs covers the 12 repositories of SWE-bench Verified, for the
// versions in specVersions (others are an error, see checkVersion).
var repoSpecs = map[string]repoSpec{
	"astropy/astropy": {
		testCmd: func(v version) string {
			if v.less(3, 0) { // 0.1–1.3
				return cmdAstropyOld
			}
			return cmdPytest
		},
		install: always("python -m pip install -e .[test] --verbose"),
	},
	"django/django": {
		testCmd: func(v version) string {
			if v.is(1, 9) {
				return cmdDjango19
			}
			return cmdDjango
		},
		install: func(v version) string {
			if v.less(3, 0) {
				return installSetupPy
			}
			return installEditable
		},
		evalCommands: djangoEvalCommands,
	},
	"matplotlib/matplotlib": {
		testCmd: always(cmdPytest),
		install: func(v version) string {
			switch {
			case v.less(3, 0):
				return "python setup.py build; python setup.py install"
			case v.is(3, 8) || v.is(3, 9):
				return `python -m pip install --no-build-isolation -e ".[dev]"`
			}
			return installEditable
		},
	},
	"mwaskom/seaborn": {
		testCmd: always(cmdSeaborn),
		install: func(v version) string {
			if v.less(0, 12) {
				return installEditable
			}
			return "python -m pip install -e .[dev]"
		},
	},
	"pallets/flask":             {testCmd: always(cmdPytest), install: always(installEditable)},
	"psf/requests":              {testCmd: always(cmdPytest), install: always("python -m pip install .")},
	"pydata/xarray":             {testCmd: always(cmdPytest), install: always(installEditable)},
	"pylint-dev/pylint":         {testCmd: always(cmdPytest), install: always(installEditable)},
	"pytest-dev/pytest":         {testCmd: always(cmdPytest), install: always(installEditable)},
	"scikit-learn/scikit-learn": {testCmd: always(cmdPytest), install: always("python -m pip install -v --no-use-pep517 --no-build-isolation -e .")},
	"sphinx-doc/sphinx":         {testCmd: always(cmdSphinx), install: always("python -m pip install -e .[test]")},
	"sympy/sympy":               {testCmd: always(cmdSympy), install: always(installEditable)},
}

// djangoEvalCommands are the locale settings Django's spec runs before the
// tests: exports for 1.7–2.2, locale generation plus exports for 3.0–3.2.
func djangoEvalCommands(v version) []string {
	switch {
	case v.less(1, 7):
		return nil
	case v.less(3, 0):
		return []string{
			"export LANG=en_US.UTF-8",
			"export LC_ALL=en_US.UTF-8",
			"export PYTHONIOENCODING=utf8",
			"export LANGUAGE=en_US:en",
		}
	case v.less(4, 0):
		return []string{
			"sed -i '/en_US.UTF-8/s/^# //g' /etc/locale.gen && locale-gen",
			"export LANG=en_US.UTF-8",
			"export LANGUAGE=en_US:en",
			"export LC_ALL=en_US.UTF-8",
		}
	}
	return nil
}

// KnownRepos lists the repositories with a built-in test command, sorted.
func KnownRepos() []string {
	out := make([]string, 0, len(repoSpecs))
	for r := range repoSpecs {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// TestCommand is the test command for the spec without test directives:
// spec.TestCmd if set, else the v4.1.0 table entry for (repo, version).
// An unknown repository or version is an error naming them and the
// instance, as the harness raises KeyError there.
func TestCommand(spec Spec) (string, error) {
	if spec.TestCmd != "" {
		return spec.TestCmd, nil
	}
	if err := checkVersion(spec); err != nil {
		return "", err
	}
	return repoSpecs[spec.Repo].testCmd(parseVersion(spec.Version)), nil
}

// version is a parsed "major.minor" instance version; ok is false when the
// string did not parse, in which case every comparison is false.
type version struct {
	major, minor int
	ok           bool
}

// parseVersion reads "4.2", "0.12", "v5.3" or "2022.06".
func parseVersion(s string) version {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	maj, min, _ := strings.Cut(s, ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || (min != "" && err2 != nil) {
		return version{}
	}
	return version{a, b, true}
}

func (v version) is(major, minor int) bool { return v.ok && v.major == major && v.minor == minor }

func (v version) less(major, minor int) bool {
	return v.ok && (v.major < major || (v.major == major && v.minor < minor))
}
