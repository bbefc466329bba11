package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/traj"
)

var trajGlobs = []string{"../traj/testdata/*.traj", "../demo/tasks/*/replay.traj"}

// The index must give the same steps, info and turn count as decoding the
// whole file with encoding/json and traj.Parse.
func TestIndexMatchesFullDecode(t *testing.T) {
	dir := t.TempDir()
	tricky := map[string]any{
		"environment": "e", "summaries": []any{},
		"history": []any{
			map[string]any{"role": "system", "content": "sys \\ \"q\" \u2028 \x01"},
			map[string]any{"role": "user", "content": []map[string]string{{"type": "text", "text": "part"}}},
			map[string]any{"role": "assistant", "content": "demo", "is_demo": true},
			map[string]any{"role": "assistant", "content": "a1 ends with a backslash \\"},
			map[string]any{"role": "user", "content": "summary", "tags": []any{map[string]string{"type": "summary"}}},
			map[string]any{"role": "assistant", "content": "summary reply", "tags": []string{"summary"}},
			map[string]any{"role": "assistant", "content": "a2", "message_type": "action", "tags": []string{"keep_output"}},
		},
		"trajectory": []any{
			map[string]any{"thought": "t \"1\" \\", "action": "echo '}' ]", "observation": "é 日本 \\n {[", "query": []any{map[string]any{"x": []any{1, 2.5e3, nil, true}}}},
			map[string]any{"action": nil, "observation": 3, "turn_statistics": map[string]any{"cost": 0.5, "tokens": map[string]int{"raw_input": 7}}},
		},
		"info": map[string]any{"exit_status": "submitted", "submission": "diff \\ \"x\"", "model_stats": map[string]any{"instance_cost": 1.5, "tokens_sent": 10, "tokens_received": 2}},
	}
	trickyJSON, err := json.MarshalIndent(tricky, " ", "\t")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"ours.traj": trajJSON(t, 7, 700), "legacy.traj": legacyTraj(t), "tricky.traj": trickyJSON}
	// Real ones: the recorded trajectories of traj's tests and of the demo.
	for _, g := range trajGlobs {
		ms, _ := filepath.Glob(g)
		for _, m := range ms {
			b, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			files[strings.ReplaceAll(m, string(filepath.Separator), "_")] = b
		}
	}
	if len(files) < 6 {
		t.Fatalf("only %d trajectories found", len(files))
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		write(t, p, data)
		d := indexTraj(p)
		if d.Err != nil || d.ViewErr != nil {
			t.Fatalf("%s: %v / %v", name, d.Err, d.ViewErr)
		}
		var full struct {
			Trajectory []map[string]json.RawMessage `json:"trajectory"`
			Info       trajInfo                     `json:"info"`
		}
		if err := json.Unmarshal(data, &full); err != nil {
			t.Fatal(err)
		}
		if d.NumSteps() != len(full.Trajectory) {
			t.Fatalf("%s: %d steps, want %d", name, d.NumSteps(), len(full.Trajectory))
		}
		str := func(raw json.RawMessage) string { var s string; _ = json.Unmarshal(raw, &s); return s }
		for i, st := range full.Trajectory {
			got := d.step(i)
			if got.Thought != str(st["thought"]) || got.Action != str(st["action"]) || got.Observation != str(st["observation"]) {
				t.Fatalf("%s step %d: %+v", name, i, got)
			}
			var stats *stepStats
			if raw := st["turn_statistics"]; raw != nil {
				stats = &stepStats{}
				_ = json.Unmarshal(raw, stats)
			}
			if !reflect.DeepEqual(got.Stats, stats) {
				t.Fatalf("%s step %d stats: %+v, want %+v", name, i, got.Stats, stats)
			}
		}
		if !reflect.DeepEqual(d.Info, full.Info) {
			t.Fatalf("%s info: %+v, want %+v", name, d.Info, full.Info)
		}
		want, err := traj.Parse(p, data)
		if err != nil {
			t.Fatal(err)
		}
		if d.Turns != len(want.Queries) {
			t.Fatalf("%s: %d turns, want %d", name, d.Turns, len(want.Queries))
		}
		got, err := d.File()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: File() differs from traj.Parse of the whole file (%v)", name, err)
		}
	}
	if d := indexTraj(filepath.Join(dir, "tricky.traj")); d.Summary.Cost != 1.5 || d.Summary.InputTokens != 10 || d.Summary.Steps != 2 {
		t.Fatalf("summary: %+v", d.Summary)
	}
}

func TestIndexRefusesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	for name, c := range map[string]struct{ data, err string }{
		"cut":       {`{"trajectory": [{"action": "ls"`, "unexpected end"},
		"unquoted":  {`{"trajectory": [{action: "ls"}]}`, "member name"},
		"string":    {`{"trajectory": [{"action": "ls}]}`, "unterminated string"},
		"trailing":  {`{"trajectory": []} x`, "after the top-level object"},
		"list":      {`[1, 2]`, "want an object"},
		"comma":     {`{"info": {"exit_status": "x",}}`, "member name"},
		"step":      {`{"trajectory": ["ls"]}`, "want an object"},
		"badinfo":   {`{"info": {"exit_status": 3}}`, "info"},
		"deep":      {`{"x": ` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`, "nested too deeply"},
		"separator": {`{"a" 1}`, "want ':'"},
	} {
		p := filepath.Join(dir, name+".traj")
		write(t, p, []byte(c.data))
		d := indexTraj(p)
		if d.Err == nil || !strings.Contains(d.Err.Error(), c.err) || !strings.Contains(d.Err.Error(), p) {
			t.Errorf("%s: got %v, want an error naming the file and %q", name, d.Err, c.err)
		}
	}
	// Steps without a usable history: shown, with the reason views are missing.
	for name, c := range map[string]struct{ data, err string }{
		"nohist":  {`{"trajectory": [{"action": "ls"}]}`, `no "history" list`},
		"badrole": {`{"history": [{"role": "robot", "content": "x"}], "trajectory": [{"action": "ls"}]}`, `unknown role "robot"`},
	} {
		p := filepath.Join(dir, name+".traj")
		write(t, p, []byte(c.data))
		d := indexTraj(p)
		if d.Err != nil || d.NumSteps() != 1 || d.ViewErr == nil || !strings.Contains(d.ViewErr.Error(), c.err) {
			t.Errorf("%s: err %v, %d steps, view error %v; want 1 step and %q", name, d.Err, d.NumSteps(), d.ViewErr, c.err)
		}
	}
}

// decodeString unescapes as encoding/json does.
func TestDecodeStringLikeEncodingJSON(t *testing.T) {
	for _, lit := range []string{`""`, `"plain"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u003cscript\u003e"`, `"\u00e9\u65E5"`,
		`"\ud83d\ude00 pair"`, `"\ud83d alone"`, `"\ude00 low alone"`, `"\ud83d\u0041 high then letter"`, `"tail \ud83d"`,
		"\"bad utf8 \xff\xfe\"", `"é raw"`, `"\x"`, `"\u12"`, `"\u12G4"`} {
		var want string
		_ = json.Unmarshal([]byte(lit), &want)
		if got := decodeString([]byte(lit), span{0, len(lit)}); got != want {
			t.Errorf("%s: got %q, want %q", lit, got, want)
		}
	}
	if got := decodeString([]byte(`null`), span{0, 4}); got != "" {
		t.Errorf("null: %q", got)
	}
}
