package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// TestHarnessChoice: --harness wins over the sweep file's harness key,
// which wins over the default v4.1; bad values name where they came from;
// a non-default harness makes another sweep (spec hash), the default does not.
func TestHarnessChoice(t *testing.T) {
	cases := []struct{ flag, file, want, err string }{
		{"", "", "v4.1", ""},
		{"", "v5", "v5", ""},
		{"v4.1", "v5", "v4.1", ""},
		{"5", "", "v5", ""},
		{"", "v6", "", `s.yaml: key "harness": unknown SWE-bench harness "v6"`},
		{"bogus", "v5", "", `--harness: unknown SWE-bench harness "bogus"`},
	}
	for _, c := range cases {
		f := &sweepFlags{harness: c.flag}
		err := f.resolveHarness(&sweep.Spec{File: "s.yaml", Harness: c.file})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("flag %q file %q: err %v, want %q", c.flag, c.file, err, c.err)
			}
			continue
		}
		if err != nil || f.tuning.Harness != c.want {
			t.Errorf("flag %q file %q: harness %q err %v, want %q", c.flag, c.file, f.tuning.Harness, err, c.want)
		}
	}
	g := &globals{dataDir: t.TempDir(), namespace: "default"}
	for _, c := range []*cobra.Command{sweepCmd(g), runCmd(g)} {
		if c.Flags().Lookup("harness") == nil {
			t.Errorf("starter %s has no --harness", c.Name())
		}
	}
	in := workflows.SweepInput{Source: "x"}
	plain := specHash(in)
	in.Tuning.Harness = "v4.1"
	if specHash(in) != plain {
		t.Error("the default harness changed the spec hash of existing sweeps")
	}
	in.Tuning.Harness = "v5"
	if specHash(in) == plain {
		t.Error("a v5 sweep has the spec hash of the v4.1 one")
	}
}
