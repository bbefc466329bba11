package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/devserver"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// The embedded server lives in the process that holds <data>/server.lock.
// Other processes on the same data directory attach to it; when that
// process ends (its sweep finished, Ctrl-C, kill -9: the lock goes with
// it), one of the attached processes takes the lock and starts the server
// again on the same database and frontend port, so their clients reconnect
// by themselves and their sweeps go on.

// lockServer tries to take the data directory's server lock.
func lockServer(dataDir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dataDir, "server.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Answers says whether something accepts TCP connections at the server's
// address (2 s at most).
func (i ServerInfo) Answers() bool {
	c, err := net.DialTimeout("tcp", i.Address, 2*time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// waitServerInfo waits for the process holding the lock to write its
// server.json: two processes started at the same instant find the file
// missing (or left by a killed server) while the other one starts.
func waitServerInfo(ctx context.Context, dataDir string) (ServerInfo, error) {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		info, err := ReadServerInfo(dataDir)
		if err == nil && (info.Alive() || info.Answers()) {
			// A server in another PID namespace (a container sharing the
			// directory) has a PID that means nothing here: its address
			// answering is enough.
			return info, nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("its server.json names process %d, which is not running", info.PID)
			}
			return info, fmt.Errorf("data directory %s is locked by another process that has not started its server after 3 minutes: %w", dataDir, err)
		}
		select {
		case <-ctx.Done():
			return info, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// takeover watches, in an attached process, for the server's process to
// end, then starts the server here on the same port.
type takeover struct {
	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
}

func (e *Engine) watchOwner() {
	e.handover = &takeover{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(e.handover.done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-e.handover.stop:
				return
			case <-tick.C:
			}
			f, err := lockServer(e.opts.DataDir)
			if err != nil {
				continue // the owner still runs
			}
			if err := e.takeOver(f); err != nil {
				e.opts.Log.Error("taking over the embedded server", zap.Error(err))
				f.Close()
				continue
			}
			return
		}
	}()
}

func (e *Engine) takeOver(f *os.File) error {
	port := 0
	if _, p, err := net.SplitHostPort(e.Address); err == nil {
		port, _ = strconv.Atoi(p)
	}
	uiPort := -1
	if u, err := url.Parse(e.UIURL); err == nil && e.UIURL != "" {
		uiPort, _ = strconv.Atoi(u.Port())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	srv, err := devserver.Start(ctx, devserver.Options{
		DBPath: filepath.Join(e.opts.DataDir, "temporal.db"), Namespace: e.opts.Namespace, Port: port, UIPort: uiPort,
		LogFile:          filepath.Join(e.opts.DataDir, "logs", "temporal-server.log"),
		SearchAttributes: workflows.SearchAttributeTypes(),
	})
	if err != nil && uiPort > 0 {
		srv, err = devserver.Start(ctx, devserver.Options{ // the UI port may be taken meanwhile
			DBPath: filepath.Join(e.opts.DataDir, "temporal.db"), Namespace: e.opts.Namespace, Port: port, UIPort: -1,
			LogFile:          filepath.Join(e.opts.DataDir, "logs", "temporal-server.log"),
			SearchAttributes: workflows.SearchAttributeTypes(),
		})
	}
	if err != nil {
		return err
	}
	e.handover.mu.Lock()
	defer e.handover.mu.Unlock()
	e.Server, e.lock, e.Attached = srv, f, false
	if err := e.writeServerInfo(); err != nil {
		return err
	}
	e.opts.Log.Info("the process serving the data directory ended; this one now runs the embedded server", zap.String("address", srv.Address()))
	fmt.Fprintf(os.Stderr, "note: the process that ran the embedded server ended; this one now serves %s at %s\n", e.opts.DataDir, srv.Address())
	if e.opts.Worker == WorkerIfEmbedded && e.Worker == nil {
		return e.startWorker()
	}
	return nil
}

// stopWatching ends the watch (Close) and waits for a takeover under way.
func (e *Engine) stopWatching() {
	if e.handover == nil {
		return
	}
	select {
	case <-e.handover.stop:
	default:
		close(e.handover.stop)
	}
	<-e.handover.done
}

// serverError names the database when the embedded server cannot start.
func serverError(dataDir string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	db := filepath.Join(dataDir, "temporal.db")
	return fmt.Errorf("starting the embedded Temporal server on %s: %w (if that file is damaged, move it away: a new one starts empty; finished results stay under %s)",
		db, err, filepath.Join(dataDir, "runs"))
}
