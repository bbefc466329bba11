package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// evil is model output that must show as text.
const evil = `<script>alert("pwned")</script>`

// trajJSON builds a seed-layout .traj of n turns whose observations are
// obsBytes long, with per-step statistics, as ctxsweep writes them.
func trajJSON(t testing.TB, n, obsBytes int) []byte {
	t.Helper()
	hist := []agent.Message{
		{Role: agent.RoleSystem, Content: "You are an agent.", MessageType: agent.TypeSystemPrompt},
		{Role: agent.RoleUser, Content: "Fix the issue " + evil, MessageType: agent.TypeObservation},
	}
	var steps []map[string]any
	for T := 1; T <= n; T++ {
		id := fmt.Sprintf("call_%d", T)
		cmd := fmt.Sprintf("cat file%d.py # %s", T, evil)
		line := fmt.Sprintf("turn %d output %s\n", T, evil)
		obs := strings.Repeat(line, max(1, obsBytes/len(line)))
		thought := fmt.Sprintf("Thought %d: look at file%d %s", T, T, evil)
		hist = append(hist,
			agent.Message{Role: agent.RoleAssistant, Content: thought, MessageType: agent.TypeAction, Thought: thought, Action: cmd,
				ToolCalls: []agent.ToolCall{{ID: id, Name: "bash", Arguments: fmt.Sprintf(`{"command":%q}`, cmd)}}},
			agent.Message{Role: agent.RoleTool, Content: obs, MessageType: agent.TypeObservation, ToolCallIDs: []string{id}})
		var msgs []map[string]int
		for i := 0; i < len(hist); i++ {
			msgs = append(msgs, map[string]int{"history_index": i})
		}
		steps = append(steps, map[string]any{"action": cmd, "observation": obs, "thought": thought, "response": thought, "messages": msgs,
			"execution_time": 0.1, "state": map[string]string{},
			"turn_statistics": map[string]any{"cost": 0.0001 * float64(T), "tokens": map[string]int{"raw_input": 100 + T, "cached_input": 50 * T, "output": 20}}})
	}
	patch := "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-old " + evil + "\n+new\n"
	b, err := json.Marshal(map[string]any{"environment": "env", "history": hist, "trajectory": steps, "summaries": []any{},
		"messages_format": "history_index",
		"info": map[string]any{"exit_status": "submitted", "submission": patch,
			"model_stats": map[string]any{"instance_cost": 0.01, "api_calls": n, "tokens": map[string]int{"raw_input": 1000, "cached_input": 10, "output": 200}}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// legacyTraj is an older SWE-agent .traj: no message_type, content parts.
func legacyTraj(t testing.TB) []byte {
	hist := []map[string]any{
		{"role": "system", "content": "SETTING: you are a programmer"},
		{"role": "user", "content": []map[string]string{{"type": "text", "text": "Issue: " + evil}}},
		{"role": "assistant", "content": "Let me look.\n```\nls\n```"},
		{"role": "user", "content": "a.py " + evil},
		{"role": "assistant", "content": "Submit.\n```\nsubmit\n```"},
	}
	steps := []map[string]any{
		{"action": "ls\n", "observation": "a.py " + evil, "thought": "Let me look.", "response": "Let me look."},
		{"action": "submit\n", "observation": "diff", "thought": "Submit.", "response": "Submit."},
	}
	b, err := json.Marshal(map[string]any{"environment": "swe", "history": hist, "trajectory": steps,
		"info": map[string]any{"exit_status": "submitted", "submission": "diff --git a/a.py b/a.py\n+x\n",
			"model_stats": map[string]any{"instance_cost": 0.5, "tokens_sent": 1234, "tokens_received": 56, "api_calls": 2}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t testing.TB, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeJSONFile(t testing.TB, p string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	write(t, p, b)
}

// fixture is a data directory with sweep "sw": a raw and an
// observation_masking trial of the same two instances, finished, with
// trajectories, patches, per-test results and test logs; and an import
// directory with a legacy .traj and a trajectory in <id>/<id>.traj.
type fixture struct {
	dataDir, importDir string
	raw, masked        string // trial keys
}

func newFixture(t testing.TB, turns int) fixture {
	t.Helper()
	root := t.TempDir()
	f := fixture{dataDir: filepath.Join(root, "data"), importDir: filepath.Join(root, "imports"),
		raw: "m__raw__demo__aaaa", masked: "m__obs_n=2__demo__bbbb"}
	for _, tr := range []struct {
		key string
		p   strategy.Params
	}{{f.raw, strategy.Defaults(strategy.Raw)}, {f.masked, func() strategy.Params { p := strategy.Defaults(strategy.ObservationMasking); p.ObsN = 2; return p }()}} {
		rel := filepath.ToSlash(filepath.Join("runs", "sw", tr.key))
		dir := filepath.Join(f.dataDir, filepath.FromSlash(rel))
		ref := workflows.TrialRef{Sweep: "sw", TrialID: "sweep/sw/trial-" + tr.key[len(tr.key)-4:], Dir: rel,
			RunName: strings.Join(strings.Split(tr.key, "__")[:3], "__"), Strategy: tr.p}
		ref.Config.Model, ref.Config.Strategy = "m", tr.p.Strategy
		writeJSONFile(t, filepath.Join(dir, "trial.json"), ref)
		var recs []workflows.InstanceRecord
		for k, id := range []string{"inst-a", "inst-b"} {
			idir := filepath.Join(dir, id)
			resolved := k == 0
			rec := workflows.InstanceRecord{InstanceID: id, ExitStatus: []string{"submitted", "exit_cost"}[k], Submitted: k == 0,
				Resolved: &resolved, Turns: turns, Cost: 0.01 * float64(k+1), PatchFile: rel + "/" + id + "/" + id + ".patch",
				TrajFile: rel + "/" + id + "/" + id + ".traj",
				Eval:     &workflows.EvalSummary{Outcome: "completed", PatchApplied: true, FailToPass: [2]int{1, 1}, PassToPass: [2]int{1, 2}}}
			rec.Usage.Input, rec.Usage.Output = 1000*(k+1), 100
			recs = append(recs, rec)
			write(t, filepath.Join(idir, id+".traj"), trajJSON(t, turns, 300))
			write(t, filepath.Join(idir, id+".patch"), []byte("--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-old "+evil+"\n+new\n"))
			write(t, filepath.Join(idir, "eval", "test_output.txt"), []byte("test log "+evil+"\n"+strings.Repeat("ok\n", 3000)))
			onDisk := map[string]any{"instance_id": id, "tests_status": map[string]any{
				"FAIL_TO_PASS": map[string]any{"success": []string{"test_" + evil}, "failure": []string{}},
				"PASS_TO_PASS": map[string]any{"success": []string{"test_keep"}, "failure": []string{"test_broken"}}}}
			writeJSONFile(t, filepath.Join(idir, "record.json"), onDisk)
			write(t, filepath.Join(idir, "head.json"), []byte("{}"))
		}
		writeJSONFile(t, filepath.Join(dir, "results.json"), recs)
	}
	write(t, filepath.Join(f.importDir, "legacy-run", "swe__repo-1.traj"), legacyTraj(t))
	write(t, filepath.Join(f.importDir, "nested", "deep", "proj__x-2", "proj__x-2.traj"), trajJSON(t, 3, 100))
	// Steps and info but no history: shown without turn views.
	write(t, filepath.Join(f.importDir, "legacy-run", "nohist__3.traj"), []byte(`{"trajectory": [{"action": "ls", "observation": "a.py", "thought": "look"}], "info": {"exit_status": "exit_format"}}`))
	return f
}
