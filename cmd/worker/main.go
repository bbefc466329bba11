// Command worker runs sweep work (workflows and activities) against a
// Temporal server: a production cluster, or the embedded server of
// `starter server`. Run any number of them, on any hosts; instances are
// pinned to the worker holding their sandbox.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap/zapcore"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/workerid"
)

func main() {
	var dataDir, address, namespace string
	var models []string
	var sessions int
	var verbose bool
	cmd := &cobra.Command{
		Use:           "worker",
		Short:         "Run sweep workflows and activities for a Temporal server",
		SilenceUsage:  true,
		SilenceErrors: true, // main prints the error once
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			lvl := zapcore.WarnLevel
			if verbose {
				lvl = zapcore.InfoLevel
			}
			log, err := engine.NewLogger(filepath.Join(dataDir, "logs", "worker-"+workerid.Self().String()+".log"), &lvl)
			if err != nil {
				return err
			}
			if address == "" {
				info, err := engine.ReadServerInfo(dataDir)
				if err != nil {
					return fmt.Errorf("no Temporal address: pass --temporal-address (or TEMPORAL_ADDRESS), or run `starter server --data-dir %s` first", dataDir)
				}
				// A worker in another PID namespace (or on another host
				// sharing the directory) cannot see the server's process:
				// only a server that also does not answer is gone.
				if !info.Alive() && !info.Answers() {
					return fmt.Errorf("%s/server.json names a server (process %d, %s) that is no longer running: `starter server` was stopped or killed; start it again with `starter server --data-dir %s`, or pass --temporal-address", dataDir, info.PID, info.Address, dataDir)
				}
				address = info.Address
			}
			e, err := engine.Start(ctx, engine.Options{DataDir: dataDir, Address: address, Namespace: namespace,
				Worker: engine.WorkerAlways, MaxSessions: sessions, ModelsFiles: models, Log: log})
			if err != nil {
				return err
			}
			defer e.Close()
			fmt.Printf("Worker %s polling %s (namespace %s), up to %d instances at once; data %s\n", workerid.Self(), address, namespace, e.MaxSessions(), dataDir)
			<-ctx.Done()
			fmt.Println("Worker stopping.")
			return nil
		},
	}
	def := engine.DefaultDataDir()
	f := cmd.Flags()
	f.StringVar(&dataDir, "data-dir", def, "data directory for outputs (shared by all workers of a sweep; env CTXSWEEP_DATA_DIR)")
	f.StringVar(&address, "temporal-address", os.Getenv("TEMPORAL_ADDRESS"), "Temporal frontend host:port (env TEMPORAL_ADDRESS; default: the server that starter server runs for --data-dir)")
	f.StringVar(&namespace, "namespace", envOr("TEMPORAL_NAMESPACE", "default"), "Temporal namespace")
	f.StringArrayVar(&models, "models-file", nil, "extra model presets YAML (repeatable)")
	f.IntVar(&sessions, "max-instances", 16, "instances this worker runs at once (one sandbox each)")
	f.BoolVarP(&verbose, "verbose", "v", false, "log info lines to stderr")
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
