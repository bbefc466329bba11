package metrics

import "testing"

func TestExitCategory(t *testing.T) {
	cases := map[string]string{
		// Every status of seed-system §3.7.
		"submitted":                             CatSubmitted,
		"submitted (exit_cost)":                 CatCost,
		"submitted (exit_context)":              CatContext,
		"submitted (exit_format)":               CatFormat,
		"submitted (exit_error)":                CatError,
		"submitted (exit_command_timeout)":      CatTimeout,
		"submitted (exit_total_execution_time)": CatTimeout,
		"submitted (exit_environment_error)":    CatEnvironment,
		"submitted (exit_forfeit)":              CatForfeit,
		"submitted (exit_api)":                  CatAPI,
		"exit_cost":                             CatCost,
		"exit_context":                          CatContext,
		"exit_format":                           CatFormat,
		"exit_forfeit":                          CatForfeit,
		"exit_total_execution_time":             CatTimeout,
		"exit_command_timeout":                  CatTimeout,
		"exit_api":                              CatAPI,
		"exit_environment_error":                CatEnvironment,
		"exit_error":                            CatError,
		"exit_command":                          CatCommand,
		"early_exit":                            CatOther,
		"":                                      CatUnknown,
		"Uncaught ContextWindowExceededError":   CatContext,
		"Uncaught CostLimitExceededError":       CatCost,
		"Uncaught RuntimeError":                 CatError,
		"skipped (exit_cost)":                   CatCost,
		"skipped (submitted)":                   CatOther,
		// Odd cases.
		"unknown":                                CatOther, // only the empty status is unknown
		"SUBMITTED (EXIT_COST)":                  CatCost,
		"Exit_Context":                           CatContext,
		"TimeOut":                                CatTimeout,
		"submitted ()":                           CatUnknown,
		"submitted (   )":                        CatUnknown,
		"submitted (  exit_context  )":           CatContext,
		"submitted(exit_cost)":                   CatCost,
		"submitted (":                            CatSubmitted,
		"submitted )":                            CatSubmitted,
		"submitted ) (exit_cost":                 CatCost,
		"submitted (exit_cost) (exit_format)":    CatCost,
		"submitted (a(exit_cost))":               CatOther, // reason is cut at the second "("
		"submitted (submitted (exit_cost))":      CatSubmitted,
		"submitted (exit_context) cost":          CatContext,
		"submittedx":                             CatSubmitted,
		" submitted":                             CatOther,
		"exit_context_cost":                      CatCost, // first test wins
		"exit_command_error":                     CatCommand,
		"environment_api":                        CatAPI,
		"rapid":                                  CatAPI,
		"exit_format_error":                      CatFormat,
		"error":                                  CatError,
		"EXİT_FORMAT":                            CatFormat,
		"submitted (exit_total_execution_time) ": CatTimeout,
	}
	for status, want := range cases {
		if got := ExitCategory(status); got != want {
			t.Errorf("ExitCategory(%q) = %q, want %q", status, got, want)
		}
	}
}

func TestIsSubmitted(t *testing.T) {
	cases := map[string]bool{
		"submitted": true, "submitted (exit_cost)": true, "submittedx": true,
		"Submitted":  false, // case-sensitive, unlike the category
		" submitted": false, "exit_cost": false, "": false, "skipped (submitted)": false,
	}
	for s, want := range cases {
		if got := IsSubmitted(s); got != want {
			t.Errorf("IsSubmitted(%q) = %v", s, got)
		}
	}
}

func TestRepo(t *testing.T) {
	cases := map[string]string{
		"django__django-11099":            "django",
		"scikit-learn__scikit-learn-1029": "scikit-learn",
		"pytest-dev__pytest-5103":         "pytest-dev",
		"psf__requests-2317":              "psf",
		"mwaskom__seaborn-3010":           "mwaskom",
		"sympy-123":                       "sympy",
		"plain":                           "plain",
		"a__b__c":                         "a",
		"":                                "unknown",
		"__x":                             "unknown",
		"-x":                              "unknown",
		"unknown":                         "unknown",
	}
	for id, want := range cases {
		if got := Repo(id); got != want {
			t.Errorf("Repo(%q) = %q, want %q", id, got, want)
		}
	}
}

func TestCountPatchLines(t *testing.T) {
	cases := map[string]int{
		"":                         0,
		"a\nb\n":                   2,
		"a\n\n  \n\tb":             2,
		"a\r\nb\rc":                3,
		"a\vb\fc":                  3,
		"a\x1cb\x1dc\x1ed":         4,
		"a\x1fb":                   1, // \x1f is whitespace, not a line break
		"\x1f\n a":                 1,
		"\u00a0\n\u0085\u2028x":    1,
		"diff --git a/x b/x\n+1\n": 2,
	}
	for p, want := range cases {
		if got := CountPatchLines(p); got != want {
			t.Errorf("CountPatchLines(%q) = %d, want %d", p, got, want)
		}
	}
}
