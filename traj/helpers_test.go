package traj

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/strategy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtureDir holds the shared fixture trajectories (read-only, outside the
// module); tests that need them skip when it is absent.
const fixtureDir = "/work/shared/fixtures/trajectories"

const ownFile = "testdata/own-llm_summary-s4k2.traj"

func load(t *testing.T, path string) *File {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) && strings.HasPrefix(path, fixtureDir) {
		t.Skipf("fixture %s is absent; skipping (the shared fixtures live in %s)", path, fixtureDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(filepath.Base(path), data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func build(t *testing.T, f *File, turn int, p strategy.Params) *View {
	t.Helper()
	v, err := Build(f, turn, p)
	if err != nil {
		t.Fatalf("Build(%s, turn %d, %s): %v", f.Name, turn, p.Strategy, err)
	}
	return v
}

func brief(t *testing.T, v *View) string {
	t.Helper()
	var b strings.Builder
	if err := v.render(&b, llm.CountMessages, true); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// golden compares got with testdata/name.golden (-update rewrites it).
// Carriage returns are escaped so that the files hold none.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = strings.ReplaceAll(got, "\r", `\r`)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./traj -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s", path, i+1, g, w)
		}
	}
}

// params returns the defaults of strat changed by mod.
func params(strat string, mod func(*strategy.Params)) strategy.Params {
	p := strategy.Defaults(strat)
	if mod != nil {
		mod(&p)
	}
	return p
}
