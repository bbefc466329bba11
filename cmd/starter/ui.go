package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/ui"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func init() { commands = append(commands, uiCmd) }

// uiCmd serves the read-only web UI over the data directory and any
// directories of .traj files given as arguments.
func uiCmd(g *globals) *cobra.Command {
	var addr, token, temporalUI string
	cmd := &cobra.Command{
		Use:   "ui [DIR...]",
		Short: "Web UI: sweeps live, trials, instances step by step, what the model saw at each turn",
		Long: `Serves a read-only web app over the data directory: every sweep with its progress (live from
Temporal while it runs, from the files otherwise), a sweep's trials with solve rate and mean
cost with 95% bootstrap CIs (the numbers of ` + "`starter report`" + `) and the paper's figure, a trial's
instances, an instance's trajectory, patch, evaluation and per-step tokens and cost, and a turn
slider showing the exact messages the model was sent at that turn (` + "`starter view`" + `).
Each DIR is searched recursively for seed or SWE-agent .traj files, which become browsable runs.

It binds to loopback on a free port by default. A non-loopback --addr needs a token: --token,
or a random one, printed in the URL.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, d := range args {
				if st, err := os.Stat(d); err != nil || !st.IsDir() {
					return fmt.Errorf("ui: %s is not a directory of .traj files", d)
				}
			}
			loop := ui.IsLoopback(addr)
			if !loop && token == "" {
				token = ui.NewToken()
			}
			if temporalUI == "" {
				if info, err := engine.ReadServerInfo(g.dataDir); err == nil {
					temporalUI = info.UIURL
				}
			}
			live := &uiLive{g: g}
			defer live.close()
			srv, err := ui.New(ui.Config{DataDir: g.dataDir, Imports: args, Live: live, Token: token, LoopbackHosts: loop && token == "",
				TemporalUI: temporalUI, Namespace: g.namespace})
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("ui: listening on %s: %w", addr, err)
			}
			url := "http://" + displayAddr(ln.Addr().String()) + "/"
			if token != "" {
				url += "?token=" + token
			}
			fmt.Fprintf(cmd.OutOrStdout(), "ctxsweep UI: %s\n", url)
			hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
			ctx := cmd.Context()
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = hs.Shutdown(sctx)
			}()
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:0", "listen address host:port (default: loopback, a free port); beyond loopback a token is required")
	f.StringVar(&token, "token", "", "token required on every request (default: none on loopback, a random one otherwise)")
	f.StringVar(&temporalUI, "temporal-ui", "", "Temporal Web UI base URL for workflow links (default: the embedded server's)")
	return cmd
}

// displayAddr names an all-interfaces listener by the host name.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	return net.JoinHostPort(host, port)
}

// uiLive answers the UI's live questions from Temporal: the server given
// by --temporal-address, or the one a process on the data directory runs
// (server.json). It never starts a server; with none reachable it fails
// fast and retries at most every 5 s, and the UI reads the files.
type uiLive struct {
	g    *globals
	mu   sync.Mutex
	e    *engine.Engine
	last time.Time
}

func (l *uiLive) engine(ctx context.Context) *engine.Engine {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.e != nil || time.Since(l.last) < 5*time.Second {
		return l.e
	}
	l.last = time.Now()
	address := l.g.address
	if address == "" {
		info, err := engine.ReadServerInfo(l.g.dataDir)
		if err != nil || info.PID <= 0 || syscall.Kill(info.PID, 0) != nil {
			return nil
		}
		address = info.Address
	}
	dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	e, err := engine.Start(dctx, engine.Options{DataDir: l.g.dataDir, Address: address, Namespace: l.g.namespace,
		Worker: engine.WorkerNone, ModelsFiles: l.g.modelsFile, Log: zap.NewNop()})
	if err != nil {
		return nil
	}
	l.e = e
	return e
}

// drop forgets a connection that failed, to dial again later.
func (l *uiLive) drop(e *engine.Engine) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.e == e && e != nil {
		e.Close()
		l.e = nil
	}
}

func (l *uiLive) close() { l.drop(l.e) }

func (l *uiLive) Sweeps(ctx context.Context) (map[string]string, error) {
	e := l.engine(ctx)
	if e == nil {
		return nil, errors.New("no Temporal server")
	}
	resp, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowType = 'SweepWorkflow'"})
	if err != nil {
		l.drop(e)
		return nil, err
	}
	out := map[string]string{}
	for _, x := range resp.Executions {
		name := x.Execution.WorkflowId[len("sweep/"):]
		if _, seen := out[name]; seen {
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

func (l *uiLive) Status(ctx context.Context, name string) (workflows.SweepStatus, error) {
	e := l.engine(ctx)
	if e == nil {
		return workflows.SweepStatus{}, errors.New("no Temporal server")
	}
	return querySweep(ctx, e, workflows.SweepID(name), liveQueryTimeout)
}

const liveQueryTimeout = 3 * time.Second
