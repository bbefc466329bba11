package wandb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// StreamOptions paces OfflineLog.Stream. Zero fields take the defaults,
// which are wandb-core's.
type StreamOptions struct {
	// Heartbeat: a live run silent this long gets an empty file_stream
	// request, so the server never marks it crashed (30 s).
	Heartbeat time.Duration
	// Transmit is the least time between two data requests; what is
	// written meanwhile is coalesced into the next one (15 s). The
	// completion goes out a second after the previous request.
	Transmit time.Duration
	// Poll is how often the log is looked at (1 s).
	Poll time.Duration
	// StopPoll is how often the run's stop status (the UI's Stop button)
	// is asked with RunStoppedStatus (15 s).
	StopPoll time.Duration
	// MaxBackoff caps the wait after a failed push; the wait starts at 2 s
	// and doubles (60 s).
	MaxBackoff time.Duration
	// FinishWithin bounds how long Stream keeps trying to push a finished
	// log before it leaves it for `starter wandb sync` (1 min). A run that
	// never reached the server is left at the first failure after its end.
	FinishWithin time.Duration
	// PushTimeout bounds one push including its retries (30 s).
	PushTimeout time.Duration
	// OnStop is called once when the server asks the run to stop.
	OnStop func()
	// OnError is told about every failed push (the log keeps the data).
	OnError func(error)
}

func (o StreamOptions) withDefaults() StreamOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Heartbeat, HeartbeatInterval)
	def(&o.Transmit, 15*time.Second)
	def(&o.Poll, time.Second)
	def(&o.StopPoll, 15*time.Second)
	def(&o.MaxBackoff, time.Minute)
	def(&o.FinishWithin, time.Minute)
	def(&o.PushTimeout, 30*time.Second)
	o.Poll = min(o.Poll, o.Heartbeat/4)
	return o
}

// ErrGaveUp: Stream could not push a finished log within FinishWithin; it
// stays pending for Sync.
var ErrGaveUp = errors.New("wandb: the server did not take the finished run in time; it stays in the offline log")

// Stream owns the log's live run until the log is finished: it pushes what
// other writers add to the directory, coalesced into one file_stream
// request per Transmit interval, sends a heartbeat whenever the run would
// otherwise be silent for Heartbeat, backs off after failures (the
// client's retries already honour 429/5xx and Retry-After) and polls the
// run's stop status. It returns nil once the completion has been sent, or
// the context's error. Only one Stream or Push should run per run at a
// time.
func (l *OfflineLog) Stream(ctx context.Context, c *Client, o StreamOptions) error {
	o = o.withDefaults()
	var (
		lastTry, lastStop, finishedAt, retryAt time.Time
		backoff                                time.Duration
		stopped                                bool
		lastSig                                string
	)
	tick := time.NewTicker(o.Poll)
	defer tick.Stop()
	for {
		now := time.Now()
		fin := l.Finished()
		if fin && finishedAt.IsZero() {
			finishedAt = now
		}
		gap := o.Transmit
		if fin {
			gap = time.Second
		}
		// New data is sent once the log has been still for a poll, so that
		// what a writer records at once goes out in one request.
		sig := l.signature()
		settled := sig == lastSig
		lastSig = sig
		since := now.Sub(l.lastSent())
		if now.After(retryAt) && (lastTry.IsZero() || (settled && since >= gap) || since+2*o.Poll >= o.Heartbeat) {
			timeout := o.PushTimeout
			if l.lastSent().IsZero() {
				// Until the server has answered once, tries are short: an
				// unreachable server delays the end of a run only that long.
				timeout = min(timeout, 10*time.Second)
			}
			pctx, cancel := context.WithTimeout(ctx, timeout)
			// A heartbeat two polls early keeps every gap under Heartbeat,
			// request time included.
			rep, err := l.pushEvery(pctx, c, o.Heartbeat-2*o.Poll, true)
			cancel()
			switch {
			case err != nil && ctx.Err() != nil:
				return ctx.Err()
			case err != nil && l.Finished() && l.lastSent().IsZero():
				if o.OnError != nil {
					o.OnError(err)
				}
				return ErrGaveUp
			case err != nil:
				backoff = min(max(2*backoff, 2*time.Second), o.MaxBackoff)
				retryAt = time.Now().Add(backoff)
				if o.OnError != nil {
					o.OnError(err)
				}
			default:
				backoff, lastTry = 0, now
				if rep.Finished || (fin && rep.UpToDate) {
					return nil
				}
			}
		}
		if fin && time.Since(finishedAt) > o.FinishWithin {
			return ErrGaveUp
		}
		if run := l.liveRun(c); run != nil && !stopped && !fin {
			if !run.Stopped() && time.Since(lastStop) >= o.StopPoll {
				lastStop = time.Now()
				if s, err := c.RunStopped(ctx, run); err == nil && s {
					run.mu.Lock()
					run.stopped = true
					run.mu.Unlock()
				}
			}
			if run.Stopped() {
				stopped = true
				if o.OnStop != nil {
					o.OnStop()
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// signature changes whenever a writer adds to the log.
func (l *OfflineLog) signature() string {
	st := l.loadState()
	h, _ := readPending(l.dir, historyDir, st.History, ".json")
	c, _ := readPending(l.dir, consoleDir, st.Console, ".txt")
	sig := fmt.Sprint(len(h), "/", len(c))
	for _, f := range []string{summaryFileName, finishFileName, specFileName} {
		if fi, err := os.Stat(filepath.Join(l.dir, f)); err == nil {
			sig += fmt.Sprint("/", fi.ModTime().UnixNano(), ":", fi.Size())
		}
	}
	return sig
}

// lastSent is when the live run last reached the server (zero if never).
func (l *OfflineLog) lastSent() time.Time {
	l.pushMu.Lock()
	defer l.pushMu.Unlock()
	if l.push == nil {
		return time.Time{}
	}
	return l.push.lastSent
}

// liveRun is the run this process pushes to with c, if any.
func (l *OfflineLog) liveRun(c *Client) *Run {
	l.pushMu.Lock()
	defer l.pushMu.Unlock()
	if l.push == nil || l.push.client != c {
		return nil
	}
	return l.push.run
}

const qRunStoppedStatus = `query RunStoppedStatus($entityName: String, $projectName: String, $runId: String!) {
  project(name: $projectName, entityName: $entityName) { run(name: $runId) { stopped } }
}`

// RunStopped asks whether the run was stopped from the UI (or StopRun), as
// the official client polls it.
func (c *Client) RunStopped(ctx context.Context, r *Run) (bool, error) {
	var out struct {
		Project *struct {
			Run *struct {
				Stopped bool `json:"stopped"`
			} `json:"run"`
		} `json:"project"`
	}
	vars := map[string]any{"entityName": r.Entity, "projectName": r.Project, "runId": r.ID}
	if err := c.graphql(ctx, "RunStoppedStatus", qRunStoppedStatus, vars, &out); err != nil {
		return false, err
	}
	return out.Project != nil && out.Project.Run != nil && out.Project.Run.Stopped, nil
}
