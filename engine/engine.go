// Package engine wires a process together: the embedded Temporal server (or
// a connection to a real cluster), the client, and the worker with every
// workflow and activity registered.
package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/devserver"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workerid"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Options configures a process.
type Options struct {
	DataDir   string
	Address   string // Temporal frontend; empty = embedded server in DataDir
	Namespace string
	Port      int // embedded frontend port (0 = 7233 or a free one)
	UIPort    int // embedded UI port (0 = 8233 or a free one, -1 = none)
	// Worker says when to run an in-process worker.
	Worker WorkerMode
	// Retention is how long the embedded server keeps closed workflows
	// (0 = DefaultRetention); a cluster's namespace keeps its own.
	Retention   time.Duration
	MaxSessions int      // concurrent instances on this worker
	ModelsFiles []string // extra model presets
	Log         *zap.Logger
	// Tasks overrides where instances come from (default: the built-in
	// demo tasks); tests use it.
	Tasks activities.Tasks
}

// WorkerMode says whether a process runs a worker.
type WorkerMode int

// Worker modes.
const (
	WorkerNone       WorkerMode = iota
	WorkerIfEmbedded            // only when this process runs the embedded server
	WorkerAlways
	// WorkerQueryOnly runs workflow code only (to answer queries and apply
	// cancellations) when this process runs the embedded server; it runs no
	// activity, so it never starts agent work.
	WorkerQueryOnly
)

// Engine is a connected process.
type Engine struct {
	Client   client.Client
	Server   *devserver.Server
	Worker   worker.Worker
	limited  queueWorkers
	Presets  llm.Presets
	Address  string
	UIURL    string
	Attached bool // another process on this data directory serves Temporal
	acts     *activities.Activities
	lock     *os.File
	// stopBeat ends the worker's liveness record; sandboxRoot is its
	// local sandbox directory (both removed on Close).
	stopBeat    func()
	sandboxRoot string
	opts        Options
	handover    *takeover // attached to another process's server (handover.go)
}

// ServerInfo is written to <data>/server.json by the process that runs the
// embedded server, so other commands on the same data directory can attach.
type ServerInfo struct {
	Address   string `json:"address"`
	UIURL     string `json:"ui_url,omitempty"`
	Namespace string `json:"namespace"`
	PID       int    `json:"pid"`
}

// Start connects (starting the embedded server when no address is given)
// and, if asked, starts a worker.
func Start(ctx context.Context, o Options) (*Engine, error) {
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", o.DataDir, err)
	}
	presets, err := llm.LoadPresets(config.Models, o.ModelsFiles...)
	if err != nil {
		return nil, err
	}
	e := &Engine{Presets: presets, opts: o, Address: o.Address}
	if e.Address == "" {
		if err := e.startEmbedded(ctx); err != nil {
			return nil, err
		}
	}
	copts := client.Options{HostPort: e.Address, Namespace: o.Namespace, Logger: sdkLogger{o.Log.Sugar()}}
	if o.Address == "" {
		// The embedded server is on loopback: gzip only costs CPU (~10 %
		// of a turn's, bench/capacity).
		copts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	c, err := client.DialContext(ctx, copts)
	if err != nil {
		e.Close()
		return nil, fmt.Errorf("connecting to Temporal at %s: %w", e.Address, err)
	}
	e.Client = c
	if o.Address != "" {
		if err := checkNamespace(ctx, c, o.Address, o.Namespace); err != nil {
			e.Close()
			return nil, err
		}
	}
	e.prepareNamespace(ctx)
	if e.Attached {
		e.watchOwner()
	}
	if o.Worker == WorkerQueryOnly && e.Server != nil {
		w := worker.New(e.Client, workflows.TaskQueue, worker.Options{LocalActivityWorkerOnly: true})
		Register(w, activities.New(activities.Deps{}))
		if err := w.Start(); err != nil {
			e.Close()
			return nil, err
		}
		e.Worker = w
	}
	if o.Worker == WorkerAlways || (o.Worker == WorkerIfEmbedded && e.Server != nil) {
		if err := e.startWorker(); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// prepareNamespace sets the embedded server's retention and registers the
// custom search attributes there and, from a worker, on a cluster (which
// may refuse: the warning says how to do it by hand).
func (e *Engine) prepareNamespace(ctx context.Context) {
	o := e.opts
	if e.Server != nil {
		d := o.Retention
		if d <= 0 {
			d = DefaultRetention
		}
		if err := ensureRetention(ctx, e.Client, o.Namespace, d); err != nil {
			o.Log.Warn("setting the namespace retention", zap.Error(err))
		}
	}
	if e.Server == nil && o.Worker != WorkerAlways {
		return
	}
	if err := EnsureSearchAttributes(ctx, e.Client, o.Namespace); err != nil {
		o.Log.Warn("custom search attributes are not registered; sweeps run without them", zap.Error(err))
	}
}

func (e *Engine) startEmbedded(ctx context.Context) error {
	o := e.opts
	f, err := lockServer(o.DataDir)
	if err != nil {
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return err
		}
		// Another process serves this data directory: attach to it (it
		// may still be starting), and take over when it ends.
		info, rerr := waitServerInfo(ctx, o.DataDir)
		if rerr != nil {
			return rerr
		}
		e.Address, e.UIURL, e.Attached = info.Address, info.UIURL, true
		return nil
	}
	e.lock = f
	srv, err := devserver.Start(ctx, devserver.Options{
		DBPath: filepath.Join(o.DataDir, "temporal.db"), Namespace: o.Namespace, Port: o.Port, UIPort: o.UIPort,
		LogFile:          filepath.Join(o.DataDir, "logs", "temporal-server.log"),
		SearchAttributes: workflows.SearchAttributeTypes(),
	})
	if err != nil {
		return serverError(o.DataDir, err)
	}
	e.Server, e.Address, e.UIURL = srv, srv.Address(), srv.UIURL()
	return e.writeServerInfo()
}

func (e *Engine) writeServerInfo() error {
	info, _ := json.Marshal(ServerInfo{Address: e.Address, UIURL: e.UIURL, Namespace: e.opts.Namespace, PID: os.Getpid()})
	return store.Store{Root: e.opts.DataDir}.WriteFile("server.json", info)
}

func (e *Engine) startWorker() error {
	o := e.opts
	agentCfg, err := config.DefaultAgent() // trials with --agent-config carry their own (config.StoreAgentFile)
	if err != nil {
		return err
	}
	// Sandboxes and containers are keyed by the worker's identity (host,
	// boot, PID namespace, PID): workers of many hosts share the data
	// directory, and each removes only what provably dead workers left.
	stopBeat, err := workerid.Beat(o.DataDir)
	if err != nil {
		return fmt.Errorf("data directory %s: writing this worker's liveness record: %w", o.DataDir, err)
	}
	e.stopBeat = stopBeat
	base := activities.SandboxRootFor(o.DataDir)
	removeOrphanSandboxes(o.DataDir, base, o.Log)
	gcAtStart(o.DataDir, o.Log)
	workerid.Prune(o.DataDir, time.Now())
	root := filepath.Join(base, workerid.Self().String())
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	e.sandboxRoot = root
	var tasks activities.Tasks = &Tasks{Root: root, Progress: func(msg string) { o.Log.Info(msg) }}
	if o.Tasks != nil {
		tasks = o.Tasks
	}
	e.acts = activities.New(activities.Deps{
		Store: store.Store{Root: o.DataDir}, Presets: e.Presets, Agent: agentCfg, Tasks: tasks,
		Models: Models(tasks), SandboxRoot: root, Log: o.Log, Wandb: wandbClient(o.Log),
		WandbStream: wandbStream(), PollQueues: e.pollQueues,
	})
	sessions := e.MaxSessions()
	w := worker.New(e.Client, workflows.TaskQueue, worker.Options{
		EnableSessionWorker:               true,
		MaxConcurrentSessionExecutionSize: sessions,
	})
	Register(w, e.acts)
	if err := w.Start(); err != nil {
		return fmt.Errorf("starting worker: %w", err)
	}
	e.Worker = w
	return e.startLimitedWorkers()
}

// startLimitedWorkers polls the task queue of every rate-limited provider
// (llm.RateLimit) the worker knows at start; queues of presets that come
// with a sweep are polled from its first instance here (see pollQueues).
func (e *Engine) startLimitedWorkers() error {
	limits, err := e.Presets.QueueLimits(workflows.TaskQueue)
	if err != nil {
		return err
	}
	return e.pollQueues(limits)
}

// Register puts every workflow and activity on a worker.
func Register(w worker.Registry, a *activities.Activities) {
	w.RegisterWorkflow(workflows.SweepWorkflow)
	w.RegisterWorkflow(workflows.TrialWorkflow)
	w.RegisterWorkflow(workflows.InstanceWorkflow)
	w.RegisterWorkflow(workflows.LimiterWorkflow)
	for name, fn := range map[string]any{
		workflows.ActSelectInstances: a.SelectInstances, workflows.ActLoadRecords: a.LoadRecords,
		workflows.ActSetup: a.Setup, workflows.ActRestore: a.Restore, workflows.ActModelCall: a.ModelCall,
		workflows.ActExecute: a.Execute, workflows.ActSummarize: a.Summarize, workflows.ActAutosubmit: a.Autosubmit,
		workflows.ActTeardown: a.Teardown, workflows.ActEvaluate: a.Evaluate, workflows.ActFinalize: a.Finalize,
		workflows.ActWriteTrial: a.WriteTrial, workflows.ActLoadProgress: a.LoadProgress,
		workflows.ActWandbLog: a.WandbLogInstance, workflows.ActWandbFinish: a.WandbFinish,
		workflows.ActWandbRun: a.WandbRun, workflows.ActWandbSweep: a.WandbSweep,
		workflows.ActRequestSlot: a.RequestSlot, workflows.ActClosedHolders: a.ClosedHolders,
	} {
		w.RegisterActivityWithOptions(fn, activity.RegisterOptions{Name: name})
	}
}

// Alive says whether the process that wrote the server info still runs
// (on this host).
func (i ServerInfo) Alive() bool {
	return i.PID > 0 && (syscall.Kill(i.PID, 0) == nil || errors.Is(syscall.Kill(i.PID, 0), syscall.EPERM))
}

// ReadServerInfo reads the server.json of a data directory.
func ReadServerInfo(dataDir string) (ServerInfo, error) {
	var info ServerInfo
	data, err := os.ReadFile(filepath.Join(dataDir, "server.json"))
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(data, &info); err != nil || info.Address == "" {
		return info, fmt.Errorf("%s/server.json is unreadable", dataDir)
	}
	return info, nil
}

// Namespace is the Temporal namespace the process uses.
func (e *Engine) Namespace() string { return e.opts.Namespace }

// DataDir is the process's data directory.
func (e *Engine) DataDir() string { return e.opts.DataDir }

// MaxSessions is how many instances the worker runs at once.
func (e *Engine) MaxSessions() int {
	if e.opts.MaxSessions > 0 {
		return e.opts.MaxSessions
	}
	return 16
}

// Close stops the worker, the client and the embedded server.
func (e *Engine) Close() {
	e.stopWatching()
	e.stopQueues()
	if e.Worker != nil {
		e.Worker.Stop()
	}
	if e.acts != nil {
		e.acts.Close(context.Background())
		ShutdownTracing(context.Background()) // flush the last spans
	}
	if e.sandboxRoot != "" {
		_ = os.RemoveAll(e.sandboxRoot)
	}
	if e.stopBeat != nil {
		e.stopBeat()
	}
	if e.Client != nil {
		e.Client.Close()
	}
	if e.Server != nil {
		if err := e.Server.Stop(); err != nil && !errors.Is(err, context.Canceled) {
			e.opts.Log.Warn("stopping embedded server", zap.Error(err))
		}
		_ = os.Remove(filepath.Join(e.opts.DataDir, "server.json"))
	}
	if e.lock != nil {
		e.lock.Close()
	}
}

// removeOrphanSandboxes deletes the local sandbox directories of workers
// that are provably dead (workerid.Dead): each worker keeps its own under
// sandboxes/<worker id>, and live workers of other hosts or PID namespaces
// sharing the data directory are never touched.
func removeOrphanSandboxes(dataDir, base string, log *zap.Logger) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !e.IsDir() || !workerid.Dead(dataDir, e.Name(), info.ModTime(), now) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(base, e.Name())); err == nil {
			log.Info("removed sandboxes of a dead worker", zap.String("worker", e.Name()))
		}
	}
}
