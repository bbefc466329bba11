package evaluate

import (
	"fmt"
	"strings"
)

// specVersions are the instance versions each repository has in harness
// v4.1.0's MAP_REPO_VERSION_TO_SPECS (constants/python.py): 193 (repo,
// version) pairs over the 12 repositories of SWE-bench Verified. The
// harness looks a version up by its exact string ("1.1" is not "1.10",
// astropy's "v5.3" is not "5.3") and raises KeyError for any other.
var specVersions = map[string][]string{
	"astropy/astropy": {"0.1", "0.2", "0.3", "0.4", "1.1", "1.2", "1.3",
		"3.0", "3.1", "3.2", "4.1", "4.2", "4.3", "5.0", "5.1", "5.2", "v5.3"},
	"django/django": {"1.4", "1.5", "1.6", "1.7", "1.8", "1.9", "1.10", "1.11", "2.0", "2.1", "2.2",
		"3.0", "3.1", "3.2", "4.0", "4.1", "4.2", "5.0", "5.1", "5.2"},
	"matplotlib/matplotlib": {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "2.0", "2.1", "2.2",
		"3.0", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9"},
	"mwaskom/seaborn": {"0.11", "0.12", "0.13", "0.14"},
	"pallets/flask":   {"2.0", "2.1", "2.2", "2.3", "3.0", "3.1"},
	"psf/requests": {"0.7", "0.8", "0.9", "0.11", "0.13", "0.14", "1.1", "1.2", "2.0", "2.2",
		"2.3", "2.4", "2.5", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12", "2.17",
		"2.18", "2.19", "2.22", "2.26", "2.25", "2.27", "2.31", "3.0"},
	"pydata/xarray": {"0.12", "0.18", "0.19", "0.20", "2022.03", "2022.06", "2022.09", "2023.07", "2024.05"},
	"pylint-dev/pylint": {"2.8", "2.9", "2.10", "2.11", "2.13", "2.14", "2.15", "2.16", "2.17",
		"3.0", "3.1", "3.2", "3.3", "4.0"},
	"pytest-dev/pytest": {"4.4", "4.5", "4.6", "5.0", "5.1", "5.2", "5.3", "5.4", "6.0", "6.2", "6.3",
		"7.0", "7.1", "7.2", "7.4", "8.0", "8.1", "8.2", "8.3", "8.4"},
	"scikit-learn/scikit-learn": {"0.20", "0.21", "0.22", "1.3", "1.4", "1.5", "1.6"},
	"sphinx-doc/sphinx": {"1.5", "1.6", "1.7", "1.8", "2.0", "2.1", "2.2", "2.3", "2.4", "3.0",
		"3.1", "3.2", "3.3", "3.4", "3.5", "4.0", "4.1", "4.2", "4.3", "4.4",
		"4.5", "5.0", "5.1", "5.2", "5.3", "6.0", "6.2", "7.0", "7.1", "7.2",
		"7.3", "7.4", "8.0", "8.1"},
	"sympy/sympy": {"0.7", "1.0", "1.1", "1.2", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9",
		"1.10", "1.11", "1.12", "1.13", "1.14"},
}

// KnownVersion reports whether (repo, version) is in the v4.1.0 spec table.
func KnownVersion(repo, version string) bool {
	for _, v := range specVersions[repo] {
		if v == version {
			return true
		}
	}
	return false
}

// checkVersion is the harness's MAP_REPO_VERSION_TO_SPECS[repo][version]
// lookup as an error that names the instance, the repository and the
// version, and says what to do.
func checkVersion(spec Spec) error {
	vs, ok := specVersions[spec.Repo]
	if !ok {
		return fmt.Errorf("evaluate: instance %s: repository %q is not in the SWE-bench v4.1.0 spec table; give the row a test_cmd or eval_script (and log_parser)", spec.InstanceID, spec.Repo)
	}
	if KnownVersion(spec.Repo, spec.Version) {
		return nil
	}
	return fmt.Errorf("evaluate: instance %s: repository %q has no version %q in the SWE-bench v4.1.0 spec table (its versions: %s); fix the row's version, or give it a test_cmd or eval_script and log_parser",
		spec.InstanceID, spec.Repo, spec.Version, strings.Join(vs, ", "))
}
