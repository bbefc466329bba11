// Package live answers the web UI's live questions (ui.Live) from a
// Temporal server: the sweeps it knows and a running sweep's status with
// its running trials' figures, as `starter status` reads them. It never
// starts a server: it uses an engine already connected, or dials the
// server given by address or by the data directory's server.json, failing
// fast and retrying at most every 5 s, so the UI reads the files meanwhile.
package live

import (
	"context"
	"errors"
	"strings"
	"sync"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// QueryTimeout bounds one status query.
const QueryTimeout = 3 * time.Second

// Options say where to dial.
type Options struct {
	DataDir     string
	Address     string // empty: the data directory's server.json
	Namespace   string
	ModelsFiles []string
}

// Source implements ui.Live.
type Source struct {
	opts  Options
	mu    sync.Mutex
	e     *engine.Engine
	owned bool // e was dialled here (closed on failure and by Close)
	last  time.Time
}

// New dials lazily, on the first question.
func New(o Options) *Source { return &Source{opts: o, owned: true} }

// Attach answers through an engine the caller keeps and closes.
func Attach(e *engine.Engine) *Source { return &Source{e: e} }

func (s *Source) engine(ctx context.Context) *engine.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.e != nil || !s.owned || time.Since(s.last) < 5*time.Second {
		return s.e
	}
	s.last = time.Now()
	address := s.opts.Address
	if address == "" {
		info, err := engine.ReadServerInfo(s.opts.DataDir)
		if err != nil || info.PID <= 0 || syscall.Kill(info.PID, 0) != nil {
			return nil
		}
		address = info.Address
	}
	dctx, cancel := context.WithTimeout(ctx, QueryTimeout)
	defer cancel()
	e, err := engine.Start(dctx, engine.Options{DataDir: s.opts.DataDir, Address: address, Namespace: s.opts.Namespace,
		Worker: engine.WorkerNone, ModelsFiles: s.opts.ModelsFiles, Log: zap.NewNop()})
	if err != nil {
		return nil
	}
	s.e = e
	return e
}

// drop forgets a dialled connection that failed, to dial again later.
func (s *Source) drop(e *engine.Engine) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.owned && s.e == e && e != nil {
		e.Close()
		s.e = nil
	}
}

// Close closes a connection dialled here.
func (s *Source) Close() { s.drop(s.e) }

var errNoServer = errors.New("no Temporal server")

// Sweeps maps each sweep's name to its newest run's status ("Running",
// "Completed", ...).
func (s *Source) Sweeps(ctx context.Context) (map[string]string, error) {
	e := s.engine(ctx)
	if e == nil {
		return nil, errNoServer
	}
	resp, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = 'SweepWorkflow'"})
	if err != nil {
		s.drop(e)
		return nil, err
	}
	out := map[string]string{}
	for _, x := range resp.Executions {
		name, ok := strings.CutPrefix(x.Execution.WorkflowId, "sweep/")
		if _, seen := out[name]; seen || !ok {
			continue // the newest run comes first
		}
		if x.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			out[name] = "Running"
		} else {
			out[name] = x.Status.String()
		}
	}
	return out, nil
}

// Status is a sweep's status with its running trials' live figures.
func (s *Source) Status(ctx context.Context, name string) (workflows.SweepStatus, error) {
	e := s.engine(ctx)
	if e == nil {
		return workflows.SweepStatus{}, errNoServer
	}
	return e.QuerySweep(ctx, workflows.SweepID(name), QueryTimeout)
}
