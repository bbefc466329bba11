package activities_test

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/wandb"
	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// TestWandbSweepOfQuickTest: the W&B sweep created for
// sweeps/quick_test.yaml is that file (method, metric, every parameter)
// with controller local, passes the strict fake's sweep schema, is
// created once (its ID kept in the data directory and reused by a new
// worker), and ends FINISHED.
func TestWandbSweepOfQuickTest(t *testing.T) {
	src, err := os.ReadFile("../sweeps/quick_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fake := fakewandb.New(fakewandb.Options{Reporter: t})
	ts := httptest.NewServer(fake)
	defer ts.Close()
	s := wandb.Settings{BaseURL: ts.URL}.WithAPIKey(fakewandb.DefaultAPIKey, "explicit")
	data := store.Store{Root: t.TempDir()}
	newActs := func() *activities.Activities {
		c, err := wandb.NewClient(s, nil)
		if err != nil {
			t.Fatal(err)
		}
		return activities.New(activities.Deps{Store: data, Wandb: c})
	}
	ctx := context.Background()
	in := workflows.WandbSweepInput{Sweep: "quick_test", Source: string(src), Project: "complexity-trap-test", State: wandb.SweepRunning}
	if err := newActs().WandbSweep(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := newActs().WandbSweep(ctx, in); err != nil { // another worker: same sweep
		t.Fatal(err)
	}
	in.State = wandb.SweepFinished
	if err := newActs().WandbSweep(ctx, in); err != nil {
		t.Fatal(err)
	}
	sw := fake.Sweeps()
	if len(sw) != 1 || sw[0].State != "FINISHED" || sw[0].Upserts != 2 || sw[0].DisplayName != "quick_test" {
		t.Fatalf("sweeps %+v", sw)
	}
	var cfg struct {
		Method     string
		Metric     map[string]any
		Parameters map[string]any
		Controller map[string]any
	}
	if err := yaml.Unmarshal([]byte(sw[0].Config), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Method != "grid" || cfg.Metric["name"] != "submission_rate" || cfg.Metric["goal"] != "maximize" ||
		len(cfg.Parameters) != 10 || cfg.Controller["type"] != "local" {
		t.Fatalf("sweep config %+v", cfg)
	}
	if !strings.Contains(strings.Join(sw[0].Params, ","), "summarizer-model") {
		t.Fatalf("parameters %v", sw[0].Params)
	}
}

// TestWandbSweepConfigRefusedByTheServer: an empty parameter list is
// refused (as the real server does); the activity logs it and the sweep
// goes on.
func TestWandbSweepConfigRefusedByTheServer(t *testing.T) {
	fake := fakewandb.New(fakewandb.Options{Lenient: true})
	ts := httptest.NewServer(fake)
	defer ts.Close()
	c, err := wandb.NewClient(wandb.Settings{BaseURL: ts.URL}.WithAPIKey(fakewandb.DefaultAPIKey, "explicit"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateSweep(context.Background(), "", "p", "s", "method: grid\nparameters: {}\n", wandb.SweepRunning)
	if err == nil || !strings.Contains(err.Error(), "parameters") {
		t.Fatalf("empty sweep accepted: %v", err)
	}
	sw, err := c.CreateSweep(context.Background(), "", "p", "s", "method: grid\nbudget_usd: 5\nparameters: {a: {value: 1}}\n", "")
	if err != nil || len(sw.Warnings) != 1 || !strings.Contains(sw.Warnings[0], "budget_usd") {
		t.Fatalf("warnings %v (%v)", sw.Warnings, err)
	}
}
