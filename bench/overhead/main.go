// Command overhead (P1) measures the orchestration overhead of one agent
// turn: one instance of -turns turns on the embedded Temporal server, the
// fake model answering after -model-latency and the fake sandbox after
// -exec-latency. It prints wall / Σ(model + exec) and the overhead per
// turn.
//
//	go run ./bench/overhead            # 100 turns, 200 ms model, 20 ms exec
//	go run ./bench/overhead -smoke     # 10 turns, 50 ms model, 5 ms exec
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
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
}

func measure(ctx context.Context, c config) (result, error) {
	var r result
	tasks := &fakesandbox.Tasks{Instances: 1, ExecLatency: c.ExecLatency}
	run, err := harness.Start(ctx, harness.Setup{DataDir: c.DataDir, Tasks: tasks,
		Model: fakemodel.Config{Latency: c.ModelLatency, Turns: c.Turns}})
	if err != nil {
		return r, err
	}
	defer run.Close()
	src := harness.Source("raw", []int{c.Turns + 50}, 1)
	cpu0 := harness.CPU()
	st, wall, err := run.Sweep(ctx, "overhead", src, 1)
	cpu := harness.CPU() - cpu0
	if err != nil {
		return r, err
	}
	ms, cs := run.Model.Stats(), tasks.Counters()
	r = result{Wall: wall, Model: ms.Busy, Exec: cs.Exec, Turns: c.Turns, Calls: ms.Calls, Execs: cs.Execs, Submitted: harness.Submitted(st)}
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
	flag.Parse()
	if *smoke {
		c.Turns, c.ModelLatency, c.ExecLatency = 10, 50*time.Millisecond, 5*time.Millisecond
	}
	dir, err := os.MkdirTemp("", "ctxsweep-bench-overhead-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	c.DataDir = dir
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
	if math.IsNaN(r.Ratio) || math.IsInf(r.Ratio, 0) || r.Submitted != 1 {
		fail(fmt.Errorf("bad run: ratio %v, submitted %d", r.Ratio, r.Submitted))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "overhead:", err)
	os.Exit(1)
}
