package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/metrics"
	"github.com/ctxresearch/ctxsweep/wandb"
	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// wandbSweep is two trials of three demo instances, logged to W&B. One
// worker per trial keeps the completion order (and so the rows) the same
// between two runs.
const wandbSweep = `method: grid
parameters:
  model: {value: replay}
  strategy: {values: [raw, observation_masking]}
  hp-obs-n: {value: 3}
  instances-subset: {value: demo}
  instances-slice: {value: ":3"}
  num-workers: {value: 1}
  wandb: {value: true}
  wandb-project: {value: ctx-test}
  wandb-group: {value: grp}
  wandb-tags: {value: [first]}
`

func runWandbSweep(t *testing.T, ctx context.Context, baseURL string) (*Engine, workflows.SweepStatus) {
	t.Helper()
	t.Setenv("WANDB_API_KEY", fakewandb.DefaultAPIKey)
	t.Setenv("WANDB_BASE_URL", baseURL)
	t.Setenv("WANDB_ENTITY", "team")
	e := startEngine(t, ctx)
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "wb", File: "wb.yaml", Source: wandbSweep, Parallel: 1})
	if st.State != "completed" || len(st.Trials) != 2 {
		t.Fatalf("sweep %q with %d trials", st.State, len(st.Trials))
	}
	return e, st
}

// TestSweepLogsToWandb runs a demo sweep against the fake W&B server: one
// run per trial with the seed's name, tags, group and config, in one
// sweep; history rows with the seed's names at consecutive steps; a
// summary equal to the metrics of the instance records; the instances
// table with the seed's columns. The same sweep with the server down
// stays in offline logs, and syncing them gives the same runs.
func TestSweepLogsToWandb(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	up := fakewandb.New(fakewandb.Options{Entity: "team"})
	upURL, err := up.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	e, st := runWandbSweep(t, ctx, upURL)
	if v := up.Violations(); len(v) > 0 {
		t.Errorf("protocol violations: %v", v)
	}
	runs := up.Runs()
	if len(runs) != 2 {
		t.Fatalf("%d runs on the server, want 2", len(runs))
	}
	sweeps := up.Sweeps()
	if len(sweeps) != 1 {
		t.Fatalf("%d sweeps, want 1", len(sweeps))
	}
	if sw := sweeps[0]; sw.State != "FINISHED" || len(sw.Params) != 10 || !strings.Contains(sw.Config, "type: local") {
		t.Errorf("W&B sweep state %s, parameters %v, config:\n%s", sw.State, sw.Params, sw.Config)
	}
	for _, tr := range st.Trials {
		var r *fakewandb.RunState
		for i := range runs {
			if runs[i].DisplayName == tr.RunName {
				r = &runs[i]
			}
		}
		if r == nil {
			t.Fatalf("no run named %s", tr.RunName)
		}
		if r.Group != "grp" || r.Project != "ctx-test" || r.Entity != "team" || r.Sweep == "" || r.ExitCode == nil || *r.ExitCode != 0 {
			t.Errorf("run %s: group %q project %q entity %q sweep %q exit %v", tr.RunName, r.Group, r.Project, r.Entity, r.Sweep, r.ExitCode)
		}
		if len(r.Tags) < 4 || r.Tags[0] != "first" || r.Tags[1] != "model:replay" {
			t.Errorf("run %s tags %v", tr.RunName, r.Tags)
		}
		var cfg map[string]any
		_ = json.Unmarshal([]byte(r.Config), &cfg)
		if m, _ := cfg["model"].(map[string]any); m == nil || m["value"] != "replay" {
			t.Errorf("run %s config model: %v", tr.RunName, cfg["model"])
		}
		hist := up.History(r.Name)
		var live []map[string]any
		for i, row := range hist {
			if row == nil || row["_step"] != float64(i) {
				t.Fatalf("run %s: history row %d is %v", tr.RunName, i, row)
			}
			if _, ok := row["n_instances"]; ok && row["turn_distribution"] == nil {
				live = append(live, row)
			}
		}
		if len(live) != 3 {
			t.Errorf("run %s: %d live aggregate rows, want 3 (one per instance)", tr.RunName, len(live))
		}
		for i, row := range live {
			if row["n_instances"] != float64(i+1) {
				t.Errorf("run %s: live row %d has n_instances %v", tr.RunName, i, row["n_instances"])
			}
		}
		if last := hist[len(hist)-1]; last["turn_distribution"] == nil || last["n_instances"] != float64(3) {
			t.Errorf("run %s: the last history row is not the turn histogram at its step: %v", tr.RunName, last)
		}
		// The summary equals the metrics of the stored records.
		recs := trialResults(t, e, tr.Dir)
		cost := 0.0
		for _, rec := range recs {
			cost += rec.Cost
		}
		sum := up.Summary(r.Name)
		if sum["n_instances"] != float64(3) || sum["n_resolved"] != float64(tr.Resolved) {
			t.Errorf("run %s summary n_instances %v n_resolved %v (trial resolved %d)", tr.RunName, sum["n_instances"], sum["n_resolved"], tr.Resolved)
		}
		if tc, _ := sum["total_cost"].(float64); fmt.Sprintf("%.9f", tc) != fmt.Sprintf("%.9f", cost) {
			t.Errorf("run %s summary total_cost %v, records say %v", tr.RunName, sum["total_cost"], cost)
		}
		table := tableOf(t, r)
		if strings.Join(table.Columns, ",") != strings.Join(metrics.Columns(), ",") || len(table.Data) != 3 {
			t.Errorf("run %s table: columns %v, %d rows", tr.RunName, table.Columns, len(table.Data))
		}
	}

	// The same sweep with the server down, then synced.
	down := fakewandb.New(fakewandb.Options{Entity: "team"})
	downURL, err := down.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	down.SetDown(true)
	e2, _ := runWandbSweep(t, ctx, downURL)
	if n := len(down.Runs()); n != 0 {
		t.Fatalf("%d runs reached a server that was down", n)
	}
	down.SetDown(false)
	c, err := wandb.NewClient(mustSettings(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	dirs, err := wandb.FindLogs(filepath.Join(e2.opts.DataDir, "runs"))
	if err != nil || len(dirs) != 2 {
		t.Fatalf("offline logs %v, %v", dirs, err)
	}
	for _, d := range dirs {
		if _, err := wandb.Sync(ctx, c, d); err != nil {
			t.Fatal(err)
		}
		rep, err := wandb.Sync(ctx, c, d)
		if err != nil || !rep.UpToDate {
			t.Errorf("second sync of %s: %+v %v", d, rep, err)
		}
	}
	if a, b := shape(up.Snapshot()), shape(down.Snapshot()); a != b {
		t.Errorf("synced server differs from the live one:\n--- live ---\n%s\n--- synced ---\n%s", a, b)
	}
}

func mustSettings(t *testing.T) wandb.Settings {
	s, err := wandb.SettingsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type wbTable struct {
	Columns []string `json:"columns"`
	Data    [][]any  `json:"data"`
}

func tableOf(t *testing.T, r *fakewandb.RunState) wbTable {
	t.Helper()
	var tab wbTable
	for p, b := range r.Files {
		if strings.HasSuffix(p, ".table.json") {
			if err := json.Unmarshal(b, &tab); err != nil {
				t.Fatal(err)
			}
		}
	}
	return tab
}

// shape is a server's content without what differs between two runs of
// the same sweep (times, token counts from the sandbox path, costs): run
// names, groups, tags, configs, the keys of every history row and the
// counts it logs, the summary keys, the table's columns and size.
func shape(s fakewandb.Snapshot) string {
	var out []string
	for key, r := range s.Runs {
		cfg, _ := json.Marshal(r.Config)
		line := fmt.Sprintf("%s name=%s group=%s tags=%v sweep=%v exit=%v complete=%v config=%s rows=%d",
			key, r.DisplayName, r.Group, r.Tags, r.Sweep != "", deref(r.ExitCode), r.Complete, cfg, len(r.History))
		for i, row := range r.History {
			var keys []string
			for k := range row {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			line += fmt.Sprintf("\n  %d %v n=%v step=%v gs=%v", i, keys, row["n_instances"], row["step"], row["global_step"])
		}
		var sk []string
		for k := range r.Summary {
			sk = append(sk, k)
		}
		sort.Strings(sk)
		line += fmt.Sprintf("\n  summary %v files=%d", sk, len(r.Files))
		out = append(out, line)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}
