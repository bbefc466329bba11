package evaluate

import (
	"strings"
	"testing"
)

// FuzzParsers shows that no parser, under either harness, panics on any
// input, whole log or section, and that their results hold together. The
// seed corpus (every snippet of the official table, whole and wrapped in
// an eval-script envelope) runs in every `go test`; explore further with
// `go test ./evaluate -run '^$' -fuzz FuzzParsers -fuzztime 60s`.
func FuzzParsers(f *testing.F) {
	for _, cases := range officialTable {
		for _, c := range cases {
			f.Add(c.log)
			f.Add(envelope(c.log))
		}
	}
	f.Add(envelope("PASSED a\r\nFAILED b - x\r") + ">>>>> Test Exit Code: 1\n")
	f.Add("\xff\xfe[\u0663m" + MarkerEndTests + MarkerStartTests)
	names := ParserNames()
	f.Fuzz(func(t *testing.T, log string) {
		for _, name := range names {
			p := parsers[name]
			for _, h := range Harnesses {
				r := p.run(h, log)
				if len(r.order) != len(r.m) {
					t.Fatalf("%s %s: %d keys in order, %d in the map", name, h, len(r.order), len(r.m))
				}
				res := ParseLogRules(p, h, log)
				if !res.Applied && (len(res.Status) != 0 && h == HarnessV41 || res.Problem == "") {
					t.Fatalf("%s %s: not applied with statuses %q or no problem %q", name, h, res.Status, res.Problem)
				}
				if h == HarnessV41 && (p.Name == "parse_log_pytest" || p.Name == "parse_log_pytest_v2") {
					for k := range r.m {
						if k == "" || strings.IndexFunc(k, pyIsSpace) >= 0 {
							t.Fatalf("%s: id %q is not one whitespace-free field", name, k)
						}
					}
				}
				ts := gradeTests(h, []string{"a", "t[a"}, []string{"b"}, res)
				if n := len(ts.FailToPass.Success) + len(ts.FailToPass.Failure); n > 2 {
					t.Fatalf("%s %s: %d graded F2P ids of 2", name, h, n)
				}
			}
		}
	})
}
