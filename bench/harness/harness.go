// Package harness runs simulated sweeps for the benchmarks: the embedded
// Temporal server and an in-process worker (engine.Start), the fakemodel
// server as the model and fakesandbox as the task source.
package harness

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/bench/fakesandbox"
	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Setup configures a run.
type Setup struct {
	DataDir     string
	Model       fakemodel.Config
	Tasks       *fakesandbox.Tasks
	MaxSessions int
	// RemoteModelCalls runs model calls as regular activities instead of
	// local ones (workflows.Tuning), to compare the two.
	RemoteModelCalls bool
}

// Run is a started engine with its fakes.
type Run struct {
	E      *engine.Engine
	Model  *fakemodel.Server
	Tasks  *fakesandbox.Tasks
	Tuning workflows.Tuning
}

// Start starts the fake model and the engine.
func Start(ctx context.Context, s Setup) (*Run, error) {
	m, err := fakemodel.Start(s.Model, 0)
	if err != nil {
		return nil, err
	}
	models, err := m.ModelsFile(s.DataDir)
	if err != nil {
		m.Close()
		return nil, err
	}
	e, err := engine.Start(ctx, engine.Options{DataDir: s.DataDir, UIPort: -1, Worker: engine.WorkerAlways,
		Tasks: s.Tasks, ModelsFiles: []string{models}, MaxSessions: s.MaxSessions})
	if err != nil {
		m.Close()
		return nil, err
	}
	return &Run{E: e, Model: m, Tasks: s.Tasks, Tuning: workflows.Tuning{RemoteModelCalls: s.RemoteModelCalls}}, nil
}

// Close stops everything.
func (r *Run) Close() {
	r.E.Close()
	r.Model.Close()
}

// Source is a grid sweep file on the fake model: one trial per call limit
// (all above the scripted turns), numWorkers instances at once per trial.
func Source(strategy string, callLimits []int, numWorkers int) string {
	vals := make([]string, len(callLimits))
	for i, c := range callLimits {
		vals[i] = strconv.Itoa(c)
	}
	return fmt.Sprintf("method: grid\nparameters:\n  model: {value: %s}\n  strategy: {value: %s}\n"+
		"  instances-subset: {value: demo}\n  instances-shuffle: {value: false}\n  cost-limit: {value: 0.0}\n"+
		"  call-limit: {values: [%s]}\n  num-workers: {value: %d}\n",
		fakemodel.Preset, strategy, strings.Join(vals, ", "), numWorkers)
}

// Sweep runs a sweep to completion and returns its status and wall time
// (from the start request to the result).
func (r *Run) Sweep(ctx context.Context, name, source string, parallel int) (workflows.SweepStatus, time.Duration, error) {
	var st workflows.SweepStatus
	start := time.Now()
	run, err := r.E.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SweepID(name), TaskQueue: workflows.TaskQueue},
		workflows.SweepWorkflow, workflows.SweepInput{Name: name, File: name + ".yaml", Source: source, Parallel: parallel, Tuning: r.Tuning})
	if err != nil {
		return st, 0, err
	}
	err = run.Get(ctx, &st)
	return st, time.Since(start), err
}

// History is the size of one workflow run's history.
type History struct {
	ID            string
	Events, Bytes int
	LargestEvent  int
}

// Temporal's limits (defaults of the server).
const (
	LimitEvents = 51200
	LimitBytes  = 50 << 20
	LimitEvent  = 2 << 20
)

// LargestHistory measures every sweep and trial run and up to maxInstances
// instance runs, and returns the largest by bytes and by events.
func LargestHistory(ctx context.Context, r *Run, maxInstances int) (byBytes, byEvents History, err error) {
	var token []byte
	instances := 0
	for {
		resp, err := r.E.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 500, NextPageToken: token})
		if err != nil {
			return byBytes, byEvents, err
		}
		for _, x := range resp.Executions {
			if x.Type.GetName() == "InstanceWorkflow" {
				if instances >= maxInstances {
					continue
				}
				instances++
			}
			h, err := r.history(ctx, x.Execution.WorkflowId, x.Execution.RunId)
			if err != nil {
				return byBytes, byEvents, err
			}
			if h.Bytes > byBytes.Bytes {
				byBytes = h
			}
			if h.Events > byEvents.Events {
				byEvents = h
			}
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return byBytes, byEvents, nil
		}
	}
}

func (r *Run) history(ctx context.Context, id, runID string) (History, error) {
	h := History{ID: id}
	it := r.E.Client.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			return h, err
		}
		n := proto.Size(ev)
		h.Bytes += n
		h.Events++
		h.LargestEvent = max(h.LargestEvent, n)
	}
	return h, nil
}

// RSS returns the current and peak resident set size of a process, in
// bytes, from /proc/PID/status (pid 0 = this process).
func RSS(pid int) (cur, peak int64, err error) {
	p := "self"
	if pid > 0 {
		p = strconv.Itoa(pid)
	}
	f, err := os.Open("/proc/" + p + "/status")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		v, _ := strconv.ParseInt(fields[1], 10, 64)
		switch fields[0] {
		case "VmRSS:":
			cur = v << 10
		case "VmHWM:":
			peak = v << 10
		}
	}
	return cur, peak, sc.Err()
}

// MiB formats bytes as MiB.
func MiB(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// Submitted sums the submitted instances of a sweep's trials.
func Submitted(st workflows.SweepStatus) int {
	n := 0
	for _, t := range st.Trials {
		n += t.Submitted
	}
	return n
}

// CPU is the user + system CPU time used by this process (server, worker
// and client together when they run in-process) and its reaped children
// (the worker's `bash -n` checks).
func CPU() time.Duration {
	var total time.Duration
	for _, who := range []int{syscall.RUSAGE_SELF, syscall.RUSAGE_CHILDREN} {
		var ru syscall.Rusage
		if syscall.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// Phase is the total time of one kind of step in workflow histories.
type Phase struct {
	Sum time.Duration
	N   int
}

// EventCounts counts the history events of every run of workflow type
// wfType (all runs, continued-as-new ones included) by event type, and
// sums the time of each step between events: an activity from scheduled
// to started (dispatch) and started to completed (run and report), a
// workflow task from scheduled to started and started to completed.
func EventCounts(ctx context.Context, r *Run, wfType string) (map[string]int, map[string]Phase, error) {
	counts := map[string]int{}
	phases := map[string]Phase{}
	add := func(name string, from, to time.Time) {
		if from.IsZero() || to.IsZero() {
			return
		}
		p := phases[name]
		p.Sum += to.Sub(from)
		p.N++
		phases[name] = p
	}
	var token []byte
	for {
		resp, err := r.E.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 500, NextPageToken: token})
		if err != nil {
			return nil, nil, err
		}
		for _, x := range resp.Executions {
			if x.Type.GetName() != wfType {
				continue
			}
			scheduled := map[int64]*historypb.HistoryEvent{}
			started := map[int64]time.Time{}
			var wftScheduled, wftStarted, lastDone time.Time
			it := r.E.Client.GetWorkflowHistory(ctx, x.Execution.WorkflowId, x.Execution.RunId, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					return nil, nil, err
				}
				counts[strings.TrimPrefix(ev.EventType.String(), "EVENT_TYPE_")]++
				at := ev.EventTime.AsTime()
				switch ev.EventType {
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
					scheduled[ev.EventId] = ev
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
					a := ev.GetActivityTaskStartedEventAttributes()
					if s := scheduled[a.ScheduledEventId]; s != nil {
						add("activity "+s.GetActivityTaskScheduledEventAttributes().ActivityType.GetName()+" scheduled→started", s.EventTime.AsTime(), at)
						started[a.ScheduledEventId] = at
					}
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
					a := ev.GetActivityTaskCompletedEventAttributes()
					if s := scheduled[a.ScheduledEventId]; s != nil {
						add("activity "+s.GetActivityTaskScheduledEventAttributes().ActivityType.GetName()+" started→completed", started[a.ScheduledEventId], at)
					}
					lastDone = at
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
					wftScheduled = at
					add("activity completed→workflow task scheduled", lastDone, at)
					lastDone = time.Time{}
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
					wftStarted = at
					add("workflow task scheduled→started", wftScheduled, at)
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
					add("workflow task started→completed", wftStarted, at)
				}
			}
		}
		if token = resp.NextPageToken; len(token) == 0 {
			return counts, phases, nil
		}
	}
}

// Step is one activity or workflow task of a workflow history.
type Step struct {
	Activity                      string // activity type; "" for a workflow task
	Scheduled, Started, Completed time.Time
}

// Steps returns the activities and workflow tasks of every run of
// workflow type wfType, runs in order of their start, steps in order of
// scheduling.
func Steps(ctx context.Context, r *Run, wfType string) ([]Step, error) {
	type runSteps struct {
		start time.Time
		steps []Step
	}
	var runs []runSteps
	var token []byte
	for {
		resp, err := r.E.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{PageSize: 500, NextPageToken: token})
		if err != nil {
			return nil, err
		}
		for _, x := range resp.Executions {
			if x.Type.GetName() != wfType {
				continue
			}
			rs := runSteps{start: x.StartTime.AsTime()}
			byEvent := map[int64]int{} // scheduled event id → index in rs.steps
			wft := -1
			it := r.E.Client.GetWorkflowHistory(ctx, x.Execution.WorkflowId, x.Execution.RunId, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					return nil, err
				}
				at := ev.EventTime.AsTime()
				switch ev.EventType {
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
					byEvent[ev.EventId] = len(rs.steps)
					rs.steps = append(rs.steps, Step{Activity: ev.GetActivityTaskScheduledEventAttributes().ActivityType.GetName(), Scheduled: at})
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
					if i, ok := byEvent[ev.GetActivityTaskStartedEventAttributes().ScheduledEventId]; ok {
						rs.steps[i].Started = at
					}
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
					if i, ok := byEvent[ev.GetActivityTaskCompletedEventAttributes().ScheduledEventId]; ok {
						rs.steps[i].Completed = at
					}
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
					wft = len(rs.steps)
					rs.steps = append(rs.steps, Step{Scheduled: at})
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED:
					if wft >= 0 {
						rs.steps[wft].Started = at
					}
				case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
					if wft >= 0 {
						rs.steps[wft].Completed = at
					}
				}
			}
			runs = append(runs, rs)
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].start.Before(runs[j].start) })
	var out []Step
	for _, rs := range runs {
		out = append(out, rs.steps...)
	}
	return out, nil
}

// LoadAvg is the machine's 1-minute load average ("?" when unknown): the
// benchmarks share the machine, and this says how busy it was.
func LoadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(data)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
