// Command overhead (P1) measures the orchestration overhead of one agent
// turn: one instance of -turns turns on the embedded Temporal server, the
// fake model answering after -model-latency and the fake sandbox after
// -exec-latency. It prints wall / Σ(model + exec) and the overhead per
// turn.
//
//	go run ./bench/overhead            # 100 turns, 200 ms model, 20 ms exec
//	go run ./bench/overhead -smoke     # 10 turns, 50 ms model, 5 ms exec
//
// Diagnostics: -breakdown splits a turn into its parts (from the history's
// event times, the fake model's and fake sandbox's clocks and the stored
// files' times), -events counts the instance's history events per turn
// and the mean time between them, -cpuprofile FILE profiles the process
// (server and worker) during the sweep, -data-dir DIR keeps the data.
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime/pprof"
	"sort"
	"time"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/bench/fakesandbox"
	"github.com/ctxresearch/ctxsweep/bench/harness"
)

// config is one measurement.
type config struct {
	Turns        int
	ModelLatency time.Duration
	ExecLatency  time.Duration
	DataDir      string
	CPUProfile   string // when set, a CPU profile of the sweep is written here
	Events       bool   // count the instance's history events by type
	Breakdown    bool   // split each turn into its parts
	Remote       bool   // model calls as regular activities
}

// result is what a measurement found.
type result struct {
	Wall, Model, Exec time.Duration
	Turns, Calls      int
	Execs             int64
	Submitted         int
	Ratio, PerTurnMS  float64
	// Loop is first model request → last model reply: the turn loop
	// without instance setup, evaluation and finalisation.
	Loop          time.Duration
	LoopPerTurnMS float64
	// CPUPerTurnMS is the CPU time of the process and its children
	// during the sweep, per turn (embedded server and worker).
	CPUPerTurnMS float64
	// Events counts the instance workflow's history events by type (all
	// its runs), when config.Events is set.
	Events map[string]int
	// Phases are the instance's time between history events (see
	// harness.EventCounts).
	Phases map[string]harness.Phase
	// Segments split a turn (config.Breakdown), over SegTurns turns.
	Segments []segment
	SegTurns int
}

func measure(ctx context.Context, c config) (result, error) {
	var r result
	tasks := &fakesandbox.Tasks{Instances: 1, ExecLatency: c.ExecLatency, Record: c.Breakdown}
	run, err := harness.Start(ctx, harness.Setup{DataDir: c.DataDir, Tasks: tasks, RemoteModelCalls: c.Remote,
		Model: fakemodel.Config{Latency: c.ModelLatency, Turns: c.Turns, Record: c.Breakdown}})
	if err != nil {
		return r, err
	}
	defer run.Close()
	src := harness.Source("raw", []int{c.Turns + 50}, 1)
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return r, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return r, err
		}
	}
	cpu0 := harness.CPU()
	st, wall, err := run.Sweep(ctx, "overhead", src, 1)
	cpu := harness.CPU() - cpu0
	if c.CPUProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return r, err
	}
	ms, cs := run.Model.Stats(), tasks.Counters()
	r = result{Wall: wall, Model: ms.Busy, Exec: cs.Exec, Turns: c.Turns, Calls: ms.Calls, Execs: cs.Execs, Submitted: harness.Submitted(st)}
	if c.Breakdown {
		if r.Segments, r.SegTurns, err = breakdown(ctx, run, c.DataDir, run.Model.Requests(), tasks.Spans()); err != nil {
			return r, err
		}
	}
	if c.Events {
		if r.Events, r.Phases, err = harness.EventCounts(ctx, run, "InstanceWorkflow"); err != nil {
			return r, err
		}
	}
	busy := r.Model + r.Exec
	r.Ratio = float64(wall) / float64(busy)
	r.PerTurnMS = float64(wall-busy) / float64(time.Millisecond) / float64(c.Turns)
	r.CPUPerTurnMS = float64(cpu) / float64(time.Millisecond) / float64(c.Turns)
	// The loop holds every model call and every command but the submit's.
	r.Loop = ms.Last.Sub(ms.First)
	if cs.Execs > 0 {
		loopBusy := r.Model + r.Exec - r.Exec/time.Duration(cs.Execs)
		r.LoopPerTurnMS = float64(r.Loop-loopBusy) / float64(time.Millisecond) / float64(c.Turns)
	}
	return r, nil
}

func main() {
	c := config{}
	smoke := flag.Bool("smoke", false, "fast run: 10 turns, 50 ms model, 5 ms exec")
	flag.IntVar(&c.Turns, "turns", 100, "turns of the instance (the last one submits)")
	flag.DurationVar(&c.ModelLatency, "model-latency", 200*time.Millisecond, "fake model latency per call")
	flag.DurationVar(&c.ExecLatency, "exec-latency", 20*time.Millisecond, "fake sandbox latency per command")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the sweep (server + worker) to this file")
	flag.BoolVar(&c.Events, "events", false, "print the instance's history events per turn, by type")
	flag.BoolVar(&c.Breakdown, "breakdown", false, "split a turn into its parts (history, fake model, fake sandbox and store timestamps)")
	flag.BoolVar(&c.Remote, "remote-model-calls", false, "model calls as regular activities (the build before local model calls), to compare")
	keep := flag.String("data-dir", "", "use this data directory and keep it (default: a temporary one, removed)")
	flag.Parse()
	if *smoke {
		c.Turns, c.ModelLatency, c.ExecLatency = 10, 50*time.Millisecond, 5*time.Millisecond
	}
	dir := *keep
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fail(err)
		}
	} else {
		d, err := os.MkdirTemp("", "ctxsweep-bench-overhead-")
		if err != nil {
			fail(err)
		}
		defer os.RemoveAll(d)
		dir = d
	}
	c.DataDir = dir
	c.CPUProfile = *cpuprofile
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	r, err := measure(ctx, c)
	if err != nil {
		fail(err)
	}
	fmt.Printf("P1 turn overhead: %d turns, model %s, exec %s (embedded server, in-process worker)\n", c.Turns, c.ModelLatency, c.ExecLatency)
	fmt.Printf("  model calls %d, sandbox commands %d, submitted %d\n", r.Calls, r.Execs, r.Submitted)
	fmt.Printf("  wall %.2fs, Σ model %.2fs + Σ exec %.2fs = %.2fs\n", r.Wall.Seconds(), r.Model.Seconds(), r.Exec.Seconds(), (r.Model + r.Exec).Seconds())
	fmt.Printf("  wall / Σ(model+exec) = %.3f (target ≤ 1.01)\n", r.Ratio)
	fmt.Printf("  orchestration overhead per turn = %.1f ms (whole instance: setup, turns, evaluation, records)\n", r.PerTurnMS)
	fmt.Printf("  CPU of this process and its children (server + worker) per turn = %.1f ms\n", r.CPUPerTurnMS)
	fmt.Printf("  turn loop only (first model request → last reply) %.2fs: %.1f ms per turn\n", r.Loop.Seconds(), r.LoopPerTurnMS)
	if len(r.Events) > 0 {
		keys := make([]string, 0, len(r.Events))
		total := 0
		for k, v := range r.Events {
			keys = append(keys, k)
			total += v
		}
		sort.Strings(keys)
		fmt.Printf("  instance history: %d events, %.2f per turn\n", total, float64(total)/float64(c.Turns))
		for _, k := range keys {
			fmt.Printf("    %-40s %5d  %.2f/turn\n", k, r.Events[k], float64(r.Events[k])/float64(c.Turns))
		}
		keys = keys[:0]
		for k := range r.Phases {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Printf("  time between history events (mean, count):\n")
		for _, k := range keys {
			p := r.Phases[k]
			fmt.Printf("    %-48s %8.2f ms  %5d\n", k, float64(p.Sum)/float64(time.Millisecond)/float64(p.N), p.N)
		}
	}
	if r.SegTurns > 0 {
		fmt.Printf("  one turn, mean over %d turns:\n", r.SegTurns)
		var total time.Duration
		for _, sg := range r.Segments {
			total += sg.Sum
			fmt.Printf("    %-62s %8.2f ms\n", sg.Name, float64(sg.Sum)/float64(time.Millisecond)/float64(sg.N))
		}
		fmt.Printf("    %-62s %8.2f ms\n", "total", float64(total)/float64(time.Millisecond)/float64(r.SegTurns))
	}
	if math.IsNaN(r.Ratio) || math.IsInf(r.Ratio, 0) || r.Submitted != 1 {
		fail(fmt.Errorf("bad run: ratio %v, submitted %d", r.Ratio, r.Submitted))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "overhead:", err)
	os.Exit(1)
}
