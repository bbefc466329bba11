package wandb

import (
	"testing"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

func TestUpsertSweepIsIdempotentByName(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	yaml := "method: grid\nparameters:\n  strategy:\n    values: [raw, hybrid]\n"
	id1, err := e.c.UpsertSweep(ctx, "", "proj", "ablation", yaml)
	must(t, err)
	c2 := newTestClient(t, e.ts.URL, fakewandb.DefaultAPIKey, nil) // no cache: asks the server
	id2, err := c2.UpsertSweep(ctx, "", "proj", "ablation", yaml)
	must(t, err)
	id3, err := c2.UpsertSweep(ctx, "", "proj", id1, yaml) // by ID
	must(t, err)
	if id1 == "" || id1 != id2 || id1 != id3 || len(id1) != 8 {
		t.Fatalf("ids %q %q %q", id1, id2, id3)
	}
	yaml2 := yaml + "run_cap: 4\n"
	id4, err := c2.UpsertSweep(ctx, "", "proj", "ablation", yaml2)
	must(t, err)
	sw := e.fake.Sweeps()
	if id4 != id1 || len(sw) != 1 || sw[0].Config != yaml2 || sw[0].DisplayName != "ablation" || sw[0].Upserts != 2 {
		t.Fatalf("sweeps %+v (id %s)", sw, id4)
	}
	other, err := c2.UpsertSweep(ctx, "", "proj", "other", yaml)
	must(t, err)
	if other == id1 {
		t.Fatal("two sweeps share an ID")
	}
}

func TestRunsJoinTheirSweep(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	spec := testSpec("trial-a")
	r1, err := e.c.UpsertRun(ctx, spec) // resolves spec.Sweep by name
	must(t, err)
	id, err := e.c.UpsertSweep(ctx, "", spec.Project, spec.Sweep.Name, spec.Sweep.ConfigYAML)
	must(t, err)
	spec2 := testSpec("trial-b")
	spec2.Sweep, spec2.SweepID = nil, id
	spec2.Config["strategy"] = "raw"
	r2, err := e.c.UpsertRun(ctx, spec2)
	must(t, err)
	if r1.SweepID != id || r2.SweepID != id {
		t.Fatalf("sweep ids %q %q, want %q", r1.SweepID, r2.SweepID, id)
	}
	for _, name := range []string{"trial-a", "trial-b"} {
		if r, _ := e.fake.Run(name); r.Sweep != id {
			t.Errorf("%s in sweep %q", name, r.Sweep)
		}
	}
	if n := len(e.fake.Sweeps()); n != 1 {
		t.Fatalf("%d sweeps", n)
	}
	// Strict mode: a sweep run must carry every sweep parameter.
	s := newEnv(t, fakewandb.Options{Reporter: nopReporter{}})
	bad := testSpec("trial-c")
	delete(bad.Config, "strategy")
	_, err = s.c.UpsertRun(ctx, bad)
	must(t, err)
	if v := s.fake.Violations(); len(v) != 1 {
		t.Fatalf("violations %v", v)
	}
}
