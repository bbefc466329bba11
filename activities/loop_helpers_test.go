package activities_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"go.temporal.io/sdk/activity"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/sweep"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// scripted is a model that answers with a fixed list of replies, one per
// call, and records what it was sent.
type scripted struct {
	mu      sync.Mutex
	replies []reply
	sent    [][]agent.Message
	onCall  func() // called with each request, if set
}

// reply is one scripted answer: a tool call, no call, or an error.
type reply struct {
	calls    []agent.ToolCall
	err      error
	filtered string // llm.Response.Filtered
	content  string // the reply's text (default "thought N")
}

func bash(cmd string) reply {
	args, _ := json.Marshal(map[string]string{"command": cmd})
	return tool("bash", string(args))
}

func tool(name, args string) reply {
	return reply{calls: []agent.ToolCall{{ID: "call", Name: name, Arguments: args}}}
}

var noCall = reply{}

func (s *scripted) Complete(ctx context.Context, req llm.Request) (llm.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := len(s.sent)
	s.sent = append(s.sent, req.Messages)
	if s.onCall != nil {
		s.onCall()
	}
	if i >= len(s.replies) {
		return llm.Response{}, fmt.Errorf("scripted model: no reply %d", i+1)
	}
	r := s.replies[i]
	if r.err != nil {
		return llm.Response{}, r.err
	}
	calls := append([]agent.ToolCall(nil), r.calls...)
	for j := range calls {
		calls[j].ID = fmt.Sprintf("call_%d_%d", i+1, j)
	}
	// 1000 output tokens at $30 per million: every call costs $0.03.
	content := r.content
	if content == "" {
		content = fmt.Sprintf("thought %d", i+1)
	}
	return llm.Response{Content: content, ToolCalls: calls, Usage: agent.Usage{Output: 1000}, Filtered: r.filtered}, nil
}

func (s *scripted) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// oneTask is a Tasks source with one instance on a local sandbox.
type oneTask struct {
	repo fstest.MapFS
	env  map[string]string
}

func (o oneTask) Select(sweep.RunConfig) ([]string, error)        { return []string{"demo__loop-1"}, nil }
func (o oneTask) Problem(sweep.RunConfig, string) (string, error) { return "Fix the bug.", nil }
func (o oneTask) Replay(sweep.RunConfig, string) ([]byte, error)  { return nil, fmt.Errorf("no replay") }
func (o oneTask) Open(ctx context.Context, _ sweep.RunConfig, _ string, oo activities.OpenOptions) (sandbox.Sandbox, error) {
	return sandbox.NewLocal(ctx, o.repo, sandbox.LocalOptions{Root: oo.Root, Env: o.env})
}
func (o oneTask) Evaluate(context.Context, sweep.RunConfig, string, string, activities.OpenOptions) (activities.Evaluation, error) {
	return activities.Evaluation{}, nil
}

// loop is the real activities on a workflow test environment.
type loop struct {
	env   *testsuite.TestWorkflowEnvironment
	acts  *activities.Activities
	model *scripted
	store store.Store
}

var defaultRepo = fstest.MapFS{"app.py": {Data: []byte("def f():\n    return 1\n")}, "README.md": {Data: []byte("demo\n")}}

func newLoop(t *testing.T, replies ...reply) *loop {
	t.Helper()
	cfg, err := agent.ParseConfig("agent.yaml", config.Agent)
	if err != nil {
		t.Fatal(err)
	}
	m := &scripted{replies: replies}
	st := store.Store{Root: t.TempDir()}
	acts := activities.New(activities.Deps{
		Store:       st,
		Presets:     llm.Presets{"scripted": {Name: "scripted", Provider: "scripted", Price: &llm.Price{Output: 30}}},
		Agent:       cfg,
		Tasks:       oneTask{repo: defaultRepo},
		Models:      func(llm.Preset, sweep.RunConfig, string) (llm.Model, error) { return m, nil },
		SandboxRoot: t.TempDir(),
	})
	t.Cleanup(func() { acts.Close(context.Background()) })
	suite := &testsuite.WorkflowTestSuite{}
	suite.SetLogger(tlog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := suite.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(worker.Options{EnableSessionWorker: true})
	env.SetTestTimeout(2 * time.Minute)
	env.RegisterWorkflow(wf.InstanceWorkflow)
	for name, fn := range map[string]any{
		wf.ActSetup: acts.Setup, wf.ActRestore: acts.Restore, wf.ActModelCall: acts.ModelCall, wf.ActExecute: acts.Execute,
		wf.ActSummarize: acts.Summarize, wf.ActAutosubmit: acts.Autosubmit, wf.ActTeardown: acts.Teardown,
		wf.ActEvaluate: acts.Evaluate, wf.ActFinalize: acts.Finalize, wf.ActLoadProgress: acts.LoadProgress,
	} {
		env.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
	return &loop{env: env, acts: acts, model: m, store: st}
}

func ref(lim agent.Limits) wf.InstanceRef {
	return wf.InstanceRef{InstanceID: "demo__loop-1", Trial: wf.TrialRef{Sweep: "s", TrialID: "sweep/s/trial-1", Dir: "runs/s/trial",
		RunName: "loop", Config: sweep.RunConfig{Model: "scripted", Strategy: "raw"}, Strategy: strategy.Defaults("raw"), Limits: lim}}
}

// run drives the instance workflow to its end and returns its record.
func (l *loop) run(t *testing.T, lim agent.Limits) wf.InstanceRecord {
	t.Helper()
	return l.runRef(t, ref(lim))
}

func (l *loop) patch() string {
	var b []byte
	r := ref(agent.Limits{})
	if ok := l.store.Exists(store.PatchFile(r.Dir(), r.InstanceID)); ok {
		b, _ = os.ReadFile(l.store.Path(store.PatchFile(r.Dir(), r.InstanceID)))
	}
	return string(b)
}

func (l *loop) observation(t *testing.T, turn int) activities.Observation {
	t.Helper()
	var obs activities.Observation
	if ok, err := l.store.ReadJSON(store.ObservationFile(ref(agent.Limits{}).Dir(), turn), &obs); !ok || err != nil {
		t.Fatalf("observation %d: %v %v", turn, ok, err)
	}
	return obs
}

func (l *loop) reply(t *testing.T, turn, attempt int) activities.Reply {
	t.Helper()
	var rep activities.Reply
	if ok, err := l.store.ReadJSON(store.ReplyFile(ref(agent.Limits{}).Dir(), turn, attempt), &rep); !ok || err != nil {
		t.Fatalf("reply %d.%d: %v %v", turn, attempt, ok, err)
	}
	return rep
}
