package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/ui"
	"github.com/ctxresearch/ctxsweep/ui/live"
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
			src := live.New(live.Options{DataDir: g.dataDir, Address: g.address, Namespace: g.namespace, ModelsFiles: g.modelsFile})
			defer src.Close()
			srv, err := ui.New(ui.Config{DataDir: g.dataDir, Imports: args, Live: src, Token: token, LoopbackHosts: loop && token == "",
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

// serveUI serves the web UI on a free loopback port for as long as ctx
// lives (the `starter sweep` process), reading live figures through e,
// and returns its address ("" if it cannot listen).
func serveUI(ctx context.Context, e *engine.Engine, g *globals) string {
	srv, err := ui.New(ui.Config{DataDir: g.dataDir, Live: live.Attach(e), LoopbackHosts: true, TemporalUI: e.UIURL, Namespace: g.namespace})
	if err != nil {
		return ""
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ""
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	context.AfterFunc(ctx, func() { _ = hs.Close() })
	return "http://" + ln.Addr().String() + "/"
}
