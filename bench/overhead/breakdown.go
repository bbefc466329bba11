package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/bench/fakesandbox"
	"github.com/ctxresearch/ctxsweep/bench/harness"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// segment is one part of a turn, summed over the turns measured.
type segment struct {
	Name string
	Sum  time.Duration
	N    int
}

// breakdown splits each turn of the (single) instance into the segments
// between what the history, the fake model, the fake sandbox and the
// store's files recorded. Turns whose pieces are missing are skipped.
func breakdown(ctx context.Context, run *harness.Run, dataDir string, reqs []fakemodel.Request, spans []fakesandbox.Span) ([]segment, int, error) {
	steps, err := harness.Steps(ctx, run, "InstanceWorkflow")
	if err != nil {
		return nil, 0, err
	}
	dirs, _ := filepath.Glob(filepath.Join(dataDir, "runs", "*", "*", "bench__0001"))
	if len(dirs) != 1 {
		return nil, 0, fmt.Errorf("breakdown: want one instance directory, found %d", len(dirs))
	}
	rel, _ := filepath.Rel(dataDir, dirs[0])
	mtime := func(p string) time.Time {
		fi, err := os.Stat(filepath.Join(dataDir, p))
		if err != nil {
			return time.Time{}
		}
		return fi.ModTime()
	}
	names := []string{
		"ModelCall: started → model request (prompt from store)",
		"ModelCall: model latency",
		"ModelCall: reply → reply stored (parse, check, fsync)",
		"ModelCall: stored → completed in history",
		"ModelCall completed → workflow task started",
		"workflow task started → Execute scheduled",
		"Execute: scheduled → started (session queue)",
		"Execute: started → command starts",
		"Execute: command",
		"Execute: command end → observation stored",
		"Execute: stored → completed in history",
		"Execute completed → workflow task started",
		"workflow task started → next ModelCall started",
	}
	segs := make([]segment, len(names))
	for i, n := range names {
		segs[i].Name = n
	}
	var models, execs, wfts []harness.Step
	for _, s := range steps {
		switch s.Activity {
		case "":
			wfts = append(wfts, s)
		case workflows.ActModelCall:
			models = append(models, s)
		case workflows.ActExecute:
			execs = append(execs, s)
		}
	}
	turns := 0
	for t := 1; t < len(models) && t <= len(execs) && t <= len(reqs); t++ {
		m, e, q := models[t-1], execs[t-1], reqs[t-1]
		next := models[t]
		var x *fakesandbox.Span
		for i := range spans {
			if !spans[i].Start.Before(e.Started) {
				x = &spans[i]
				break
			}
		}
		reply, obs := mtime(store.ReplyFile(rel, t, 0)), mtime(store.ObservationFile(rel, t))
		wft := func(after time.Time) time.Time {
			for _, w := range wfts {
				if !w.Scheduled.Before(after) {
					return w.Started
				}
			}
			return time.Time{}
		}
		points := []time.Time{m.Started, q.Start, q.End, reply, m.Completed, wft(m.Completed), e.Scheduled, e.Started}
		if x != nil {
			points = append(points, x.Start, x.End)
		} else {
			points = append(points, time.Time{}, time.Time{})
		}
		points = append(points, obs, e.Completed, wft(e.Completed), next.Started)
		ok := true
		for i := 1; i < len(points); i++ {
			if points[i].IsZero() || points[i-1].IsZero() {
				ok = false
			}
		}
		if !ok {
			continue
		}
		turns++
		for i := range segs {
			segs[i].Sum += points[i+1].Sub(points[i])
			segs[i].N++
		}
	}
	return segs, turns, nil
}
