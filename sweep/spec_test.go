package sweep

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sharedFixtures = "/work/shared/fixtures/sweeps"

func fixtureFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sweep files in %s (%v)", dir, err)
	}
	return files
}

// TestSharedFixturesLoad loads every seed sweep file unchanged from the
// shared fixtures, and checks that sweeps/ holds identical copies.
func TestSharedFixturesLoad(t *testing.T) {
	if _, err := os.Stat(sharedFixtures); err != nil {
		t.Skipf("shared fixtures not available: %v", err)
	}
	for _, f := range fixtureFiles(t, sharedFixtures) {
		if _, err := Load(f); err != nil {
			t.Errorf("Load(%s): %v", f, err)
		}
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join("..", "sweeps", filepath.Base(f)))
		if err != nil || string(got) != string(want) {
			t.Errorf("sweeps/%s is missing or differs from the shared fixture", filepath.Base(f))
		}
	}
}

func TestRepoSweepsLoad(t *testing.T) {
	files := fixtureFiles(t, filepath.Join("..", "sweeps"))
	if len(files) < 12 {
		t.Errorf("sweeps/ has %d files, want the 11 seed files plus demo.yaml", len(files))
	}
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			t.Errorf("Load(%s): %v", f, err)
			continue
		}
		if s.Name != strings.TrimSuffix(filepath.Base(f), ".yaml") {
			t.Errorf("%s: Name = %q", f, s.Name)
		}
	}
}

func TestLoadModelsMini(t *testing.T) {
	s, err := Load("../sweeps/models_mini.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "models_mini" || s.Method != "bayes" || s.Program != "scripts/run_sweep.py" {
		t.Errorf("Name/Method/Program = %q/%q/%q", s.Name, s.Method, s.Program)
	}
	if !reflect.DeepEqual(s.Metric, &Metric{Name: "submission_rate", Goal: "maximize"}) {
		t.Errorf("Metric = %+v", s.Metric)
	}
	if !reflect.DeepEqual(s.EarlyTerminate, &EarlyTerminate{Type: "hyperband", MinIter: 3, Eta: 2, S: 2}) {
		t.Errorf("EarlyTerminate = %+v", s.EarlyTerminate)
	}
	var names []string
	for _, p := range s.Parameters {
		names = append(names, p.Name)
	}
	wantNames := "model strategy summarizer-model hp-obs-n hp-sum-n hp-sum-keep-m hp-sum-static-checkpoint " +
		"hp-sum-extract-actions instances-subset instances-shuffle instances-shuffle-seed call-limit cost-limit num-workers"
	if got := strings.Join(names, " "); got != wantNames {
		t.Errorf("parameter order = %s\nwant %s", got, wantNames)
	}
	obs, _ := s.Parameter("hp-obs-n")
	if !reflect.DeepEqual(obs.Values, []any{5, 10, 15}) || obs.Line != 16 || obs.Column != 3 {
		t.Errorf("hp-obs-n = %+v", obs)
	}
	cost, _ := s.Parameter("cost-limit")
	if !cost.HasValue || cost.Value != 3.0 {
		t.Errorf("cost-limit = %+v", cost)
	}
	wantCmd := []string{"${env}", "python", "${program}", "${args}", "--wandb", "--wandb-project=complexity-trap-mini"}
	if !reflect.DeepEqual(s.Command, wantCmd) {
		t.Errorf("Command = %q", s.Command)
	}
	if s.CommandFlags != (CommandFlags{Wandb: true, WandbProject: "complexity-trap-mini"}) {
		t.Errorf("CommandFlags = %+v", s.CommandFlags)
	}
}

func TestParseOptionalKeys(t *testing.T) {
	doc := `name: custom
description: a test
method: random
run_cap: 5
metric: {name: solve_rate, target: 0.5}
early_terminate: {type: hyperband, max_iter: 27, s: 2, strict: false}
parameters:
  model: {value: replay}
  strategy: {values: [raw]}
  hp-obs-n: {min: 1, max: 20}
  cost-limit: {distribution: log_uniform_values, min: 0.5, max: 4}
  wandb-tags: {value: [a, b]}
command: [python, "${args}", --wandb-entity=team, --wandb-project=p, --seed-configs=../seed, --tools-dir=/opt/tools]
`
	s, err := Parse("x.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "custom" || s.Description != "a test" || s.RunCap != 5 || s.Metric.Goal != "minimize" ||
		*s.Metric.Target != 0.5 {
		t.Errorf("spec = %+v metric %+v", s, s.Metric)
	}
	if et := s.EarlyTerminate; et.MaxIter != 27 || et.S != 2 || et.Eta != 3 || et.Strict == nil || *et.Strict {
		t.Errorf("EarlyTerminate = %+v", et)
	}
	if p, _ := s.Parameter("hp-obs-n"); p.Distribution != "int_uniform" || *p.Min != 1 || *p.Max != 20 {
		t.Errorf("hp-obs-n = %+v", p)
	}
	if p, _ := s.Parameter("cost-limit"); p.Distribution != "log_uniform_values" {
		t.Errorf("cost-limit = %+v", p)
	}
	if s.CommandFlags != (CommandFlags{WandbEntity: "team", WandbProject: "p"}) {
		t.Errorf("CommandFlags = %+v", s.CommandFlags)
	}
	if s.Agent != (AgentFlags{SeedDir: "../seed", ToolsDir: "/opt/tools"}) {
		t.Errorf("Agent = %+v", s.Agent)
	}
	// As parameters: not trial parameters, one value per sweep.
	s, err = Parse("x.yaml", []byte(strings.Replace(doc, "parameters:\n", "parameters:\n  agent_config: {value: a.yaml}\n", 1)))
	if err != nil || s.Agent.ConfigFile != "a.yaml" {
		t.Fatalf("agent_config parameter: %v %+v", err, s.Agent)
	}
	if _, ok := s.Parameter("agent_config"); ok {
		t.Errorf("agent_config became a trial parameter")
	}
	_, err = Parse("x.yaml", []byte(strings.Replace(doc, "parameters:\n", "parameters:\n  seed-configs: {values: [a, b]}\n", 1)))
	if err == nil || !strings.Contains(err.Error(), "parameters.seed-configs") || !strings.Contains(err.Error(), "one agent configuration choice per sweep") {
		t.Errorf("values: %v", err)
	}
}

// Each malformed file must fail with an error naming the file, the line
// (and column) and the key.
func TestParseErrors(t *testing.T) {
	const head = "method: grid\nparameters:\n  model: {value: replay}\n" // lines 1-3
	tests := []struct {
		name, doc, pos, key, msg string
	}{
		{"syntax", "method: grid\nparameters:\n\tmodel: {value: a}\n", ":3:", "", "invalid YAML"},
		{"syntax flow", head + "  strategy: {values: [raw]\n", ":", "", "invalid YAML"},
		{"unknown top key", head + "methods: grid\n", ":4:1:", "methods", "unknown key (valid: name, description"},
		{"unsupported top key", head + "controller: {type: local}\n", ":4:1:", "controller", "not supported"},
		{"duplicate top key", head + "method: bayes\n", ":4:1:", "method", "duplicate key"},
		{"unknown param key", head + "  strategy: {value: raw, vale: x}\n", ":4:26:", "parameters.strategy", `unknown key "vale"`},
		{"nested parameters", head + "  strategy:\n    parameters: {a: {value: 1}}\n", ":5:5:", "parameters.strategy", `unknown key "parameters"`},
		{"unknown metric key", head + "metric: {name: m, goall: maximize}\n", ":4:19:", "metric.goall", "unknown key (valid: name, goal, target)"},
		{"bad goal", head + "metric: {name: m, goal: max}\n", ":4:25:", "metric.goal", "minimize or maximize"},
		{"metric not a mapping", head + "metric: solve_rate\n", ":4:9:", "metric", "must be a mapping, got the string"},
		{"metric without name", head + "metric: {goal: maximize}\n", ":4:9:", "metric.name", "required"},
		{"unknown early_terminate key", head + "early_terminate: {type: hyperband, min_iter: 3, etaa: 2}\n", ":4:49:", "early_terminate.etaa", "unknown key"},
		{"bad early_terminate type", head + "early_terminate: {type: median, min_iter: 3}\n", ":4:25:", "early_terminate.type", `unknown type "median"`},
		{"early_terminate eta", head + "early_terminate: {type: hyperband, min_iter: 3, eta: 1}\n", ":4:54:", "early_terminate.eta", "must be > 1"},
		{"early_terminate no iter", head + "early_terminate: {type: hyperband}\n", ":4:18:", "early_terminate", "min_iter"},
		{"values scalar", head + "  hp-obs-n: {values: 5}\n", ":4:22:", "parameters.hp-obs-n", `"values" must be a non-empty list, got an integer`},
		{"values empty", head + "  hp-obs-n:\n    values: []\n", ":5:13:", "parameters.hp-obs-n", `"values" must be a non-empty list`},
		{"value and values", head + "  hp-obs-n: {value: 5, values: [5]}\n", ":4:3:", "parameters.hp-obs-n", "mutually exclusive"},
		{"value and min", head + "  hp-obs-n: {value: 5, min: 1}\n", ":4:3:", "parameters.hp-obs-n", "cannot be combined"},
		{"no value", head + "  hp-obs-n: {}\n", ":4:3:", "parameters.hp-obs-n", `needs "value", "values"`},
		{"param not mapping", head + "  strategy: raw\n", ":4:13:", "parameters.strategy", "must be a mapping such as {value: x}"},
		{"method list", "method: [grid]\nparameters:\n  model: {value: replay}\n", ":1:9:", "method", "must be a string, got a list"},
		{"unknown method", "method: grd\nparameters:\n  model: {value: replay}\n", ":1:9:", "method", `unknown method "grd" (valid: grid, random, bayes)`},
		{"missing method", "parameters:\n  model: {value: replay}\n", ":1:1:", "method", "required key is missing"},
		{"missing parameters", "method: grid\nmetric: {name: m}\n", ":1:1:", "parameters", "required key is missing"},
		{"empty parameters", "method: grid\nparameters: {}\n", ":2:13:", "parameters", "must not be empty"},
		{"bayes needs metric", "method: bayes\nparameters:\n  model: {value: replay}\n", ":1:1:", "metric", "required for method bayes"},
		{"unknown parameter", head + "  hp-obs: {value: 5}\n", ":4:3:", "parameters.hp-obs", `unknown parameter "hp-obs" (valid: model, strategy`},
		{"underscore parameter", head + "  hp_obs_n: {value: 5}\n", ":4:3:", "parameters.hp_obs_n", "hp-obs-n"},
		{"duplicate parameter", head + "  model: {value: x}\n", ":4:3:", "parameters.model", "duplicate key"},
		{"int value string", head + "  hp-obs-n: {value: \"abc\"}\n", ":4:21:", "parameters.hp-obs-n.value", `invalid value "abc" for hp-obs-n: want an integer`},
		{"int value float", head + "  call-limit: {value: 10.5}\n", ":4:23:", "parameters.call-limit.value", "want an integer"},
		{"int values element", head + "  hp-sum-n: {values: [15, x, 28]}\n", ":4:27:", "parameters.hp-sum-n.values[1]", `invalid value "x" for hp-sum-n`},
		{"bool value list", head + "  instances-shuffle: {value: [true]}\n", ":4:30:", "parameters.instances-shuffle.value", "want a boolean"},
		{"string value bool", "method: grid\nparameters:\n  model: {value: true}\n", ":3:18:", "parameters.model.value", "want a string"},
		{"null model", "method: grid\nparameters:\n  model: {value: null}\n", ":3:18:", "parameters.model.value", "cannot be unset"},
		{"bad strategy", head + "  strategy: {values: [raw, summary]}\n", ":4:28:", "parameters.strategy.values[1]", `strategy "summary" is not one of`},
		{"bad subset", head + "  instances-subset: {value: mini}\n", ":4:29:", "parameters.instances-subset.value", `instances-subset "mini"`},
		{"bad slice", head + "  instances-slice: {value: \"a:3\"}\n", ":4:28:", "parameters.instances-slice.value", "not an integer"},
		{"zero obs n", head + "  hp-obs-n: {values: [0, 5]}\n", ":4:23:", "parameters.hp-obs-n.values[0]", "hp-obs-n must be >= 1"},
		{"grid distribution", head + "  hp-obs-n: {min: 1, max: 5}\n", ":4:3:", "parameters.hp-obs-n", `distribution "int_uniform" cannot be used with method grid`},
		{"unknown distribution", "method: random\nparameters:\n  hp-obs-n: {distribution: gaussian, min: 1, max: 3}\n", ":3:28:", "parameters.hp-obs-n.distribution", `unknown distribution "gaussian"`},
		{"float range on int", "method: random\nparameters:\n  hp-obs-n: {min: 1.5, max: 3}\n", ":3:3:", "parameters.hp-obs-n", "integer parameter"},
		{"range on string", "method: random\nparameters:\n  model: {min: 1, max: 3}\n", ":3:3:", "parameters.model", "not numeric"},
		{"min >= max", "method: random\nparameters:\n  cost-limit: {min: 3, max: 1}\n", ":3:3:", "parameters.cost-limit", `"min" (3) must be less than "max" (1)`},
		{"range below domain", "method: random\nparameters:\n  hp-obs-n: {min: 0, max: 3}\n", ":3:3:", "parameters.hp-obs-n", "hp-obs-n must be >= 1"},
		{"min not number", "method: random\nparameters:\n  cost-limit: {min: low, max: 1}\n", ":3:21:", "parameters.cost-limit.min", "must be a number"},
		{"run_cap", head + "run_cap: 0\n", ":4:10:", "run_cap", "must be >= 1"},
		{"run_cap type", head + "run_cap: many\n", ":4:10:", "run_cap", "must be an integer"},
		{"command not list", head + "command: python run.py\n", ":4:10:", "command", "must be a list"},
		{"command no args", head + "command:\n  - python\n  - --wandb\n", ":5:3:", "command", "must contain ${args}"},
		{"command bad token", head + "command:\n  - ${args}\n  - --dry-run\n", ":6:5:", "command[1]", `unsupported token "--dry-run"`},
		{"top level list", "- method\n", ":1:1:", "", "top level must be a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := "sweeps/bad_" + strings.ReplaceAll(tt.name, " ", "_") + ".yaml"
			s, err := Parse(file, []byte(tt.doc))
			if err == nil {
				t.Fatalf("Parse succeeded (%+v), want error", s)
			}
			if s != nil {
				t.Errorf("Parse returned a spec along with an error")
			}
			want := file + tt.pos
			if tt.key != "" {
				want += " " + tt.key + ": "
			}
			msg := err.Error()
			if !strings.Contains(msg, want) || !strings.Contains(msg, tt.msg) {
				t.Errorf("error = %q\nwant it to contain %q and %q", msg, want, tt.msg)
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.File != file || pe.Line == 0 {
				t.Errorf("error %v is not a positioned *Error", err)
			}
		})
	}
}

func TestParseReportsAllErrors(t *testing.T) {
	doc := "method: grd\nfoo: 1\nparameters:\n  hp-obs-n: {value: abc}\n  bar: {value: 1}\n"
	_, err := Parse("x.yaml", []byte(doc))
	if err == nil {
		t.Fatal("want error")
	}
	for _, w := range []string{"x.yaml:1:9: method:", "x.yaml:2:1: foo:", "x.yaml:4:21: parameters.hp-obs-n.value:", "x.yaml:5:3: parameters.bar:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
}

func TestParseEmptyAndMissingFile(t *testing.T) {
	for _, doc := range []string{"", "# just a comment\n"} {
		if _, err := Parse("e.yaml", []byte(doc)); err == nil || !strings.Contains(err.Error(), "e.yaml: empty sweep file") {
			t.Errorf("Parse(%q) = %v, want empty-file error", doc, err)
		}
	}
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil || !strings.Contains(err.Error(), "does-not-exist.yaml") {
		t.Errorf("Load(missing) = %v", err)
	}
}
