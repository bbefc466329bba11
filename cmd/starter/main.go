// Command starter runs research sweeps on context management for coding
// agents, durably, on Temporal. With no Temporal address it starts an
// embedded Temporal server and worker in the data directory.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap/zapcore"

	"github.com/ctxresearch/ctxsweep/engine"
)

// globals are the flags every command takes.
type globals struct {
	dataDir    string
	address    string
	namespace  string
	modelsFile []string
	verbose    bool
	retention  time.Duration
}

func main() {
	g := &globals{}
	root := &cobra.Command{
		Use:           "starter",
		Short:         "Run durable sweeps of coding-agent context-management experiments",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.dataDir, "data-dir", engine.DefaultDataDir(), "directory for the embedded server's database, outputs and caches (env CTXSWEEP_DATA_DIR)")
	pf.StringVar(&g.address, "temporal-address", os.Getenv("TEMPORAL_ADDRESS"), "Temporal frontend host:port; empty starts an embedded server (env TEMPORAL_ADDRESS)")
	pf.StringVar(&g.namespace, "namespace", envOr("TEMPORAL_NAMESPACE", "default"), "Temporal namespace (env TEMPORAL_NAMESPACE)")
	pf.StringArrayVar(&g.modelsFile, "models-file", splitEnv("CTXSWEEP_MODELS_FILE"), "extra model presets YAML (repeatable; env CTXSWEEP_MODELS_FILE)")
	pf.DurationVar(&g.retention, "retention", engine.DefaultRetention, "how long the embedded server keeps finished sweeps, trials and instances (their history and Web UI entries)")
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log to stderr as well as to <data-dir>/logs")
	root.AddCommand(sweepCmd(g), runCmd(g), serverCmd(g), statusCmd(g), cancelCmd(g), resumeCmd(g), modelsCmd(g), viewCmd(g))
	for _, mk := range commands {
		root.AddCommand(mk(g))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first Ctrl-C or SIGTERM lets the command stop cleanly; from
		// then on the default behaviour is back, so a second one ends the
		// process at once.
		<-ctx.Done()
		stop()
	}()
	if err := root.ExecuteContext(ctx); err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			os.Exit(int(ex))
		}
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

// commands are added by other files of this package from init functions,
// so each command lives in its own file.
var commands []func(*globals) *cobra.Command

type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func splitEnv(k string) []string {
	if v := os.Getenv(k); v != "" {
		return filepath.SplitList(v)
	}
	return nil
}

// connect starts the engine: embedded server (unless an address is given or
// another process serves the data directory) and, if worker, a worker.
func (g *globals) connect(ctx context.Context, worker engine.WorkerMode, logName string) (*engine.Engine, error) {
	var lvl *zapcore.Level
	if g.verbose {
		l := zapcore.InfoLevel
		lvl = &l
	}
	log, err := engine.NewLogger(filepath.Join(g.dataDir, "logs", logName+".log"), lvl)
	if err != nil {
		return nil, err
	}
	return engine.Start(ctx, engine.Options{
		DataDir: g.dataDir, Address: g.address, Namespace: g.namespace, Worker: worker,
		ModelsFiles: g.modelsFile, Log: log, Retention: g.retention,
	})
}
