// Command capacity (P2) finds how many concurrent instances one worker
// sustains at 1 s model latency before turn latency degrades by 10%.
//
// It runs a baseline of one instance, then sweeps of N instances all at
// once (N from -steps, up to -max), each instance -turns turns long, on the
// embedded server with an in-process worker (so the RSS printed is server
// + worker). Turn latency is the mean interval between an instance's
// consecutive model requests, measured by the fake model.
//
//	go run ./bench/capacity              # steps 2,5,10,…,400 up to -max 400
//	go run ./bench/capacity -smoke       # steps 5,10 at 200 ms
//
// Every model call takes exactly -model-latency unless -model-jitter is
// set, so by default all N instances reach the server in the same
// instants (a worst case of bursts). Each step also prints the CPU time of
// the process per turn and the machine's load average.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/bench/fakesandbox"
	"github.com/ctxresearch/ctxsweep/bench/harness"
)

func main() {
	smoke := flag.Bool("smoke", false, "fast run: steps 5,10, 200 ms model latency, 5 turns")
	maxN := flag.Int("max", 400, "largest number of concurrent instances to try")
	stepsFlag := flag.String("steps", "2,5,10,25,50,100,200,300,400", "instance counts to try, ascending")
	turns := flag.Int("turns", 10, "turns per instance")
	latency := flag.Duration("model-latency", time.Second, "fake model latency")
	jitter := flag.Duration("model-jitter", 0, "fake model latency varies uniformly by ± this (0: every call takes -model-latency, so instances run in lockstep)")
	exec := flag.Duration("exec-latency", 20*time.Millisecond, "fake sandbox latency")
	degrade := flag.Float64("degrade", 0.10, "turn latency increase that counts as degraded")
	remote := flag.Bool("remote-model-calls", false, "model calls as regular activities (the build before local model calls), to compare")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole search (server + worker) to this file")
	flag.Parse()
	if *smoke {
		*stepsFlag, *latency, *turns, *maxN = "5,10", 200*time.Millisecond, 5, 10
	}
	var steps []int
	for _, s := range strings.Split(*stepsFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fail(fmt.Errorf("bad -steps %q", *stepsFlag))
		}
		if n <= *maxN {
			steps = append(steps, n)
		}
	}
	dir, err := os.MkdirTemp("", "ctxsweep-bench-capacity-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	tasks := &fakesandbox.Tasks{Instances: *maxN, ExecLatency: *exec}
	run, err := harness.Start(ctx, harness.Setup{DataDir: dir, Tasks: tasks, MaxSessions: *maxN, RemoteModelCalls: *remote,
		Model: fakemodel.Config{Latency: *latency, Jitter: *jitter, Turns: *turns}})
	if err != nil {
		fail(err)
	}
	defer run.Close()

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	fmt.Printf("P2 capacity: model %s ± %s, exec %s, %d turns per instance, degraded at +%.0f%% (embedded server + worker in one process)\n",
		*latency, *jitter, *exec, *turns, *degrade*100)
	// Turn latency is the mean time from one model request of an instance
	// to its next (model + command + orchestration), from the fake model.
	// It also reports the CPU time of the process per model call (turn)
	// and the load average of the machine at the end of each step.
	var cpuPerTurn float64
	measure := func(n int) (time.Duration, int64, error) {
		before := run.Model.Stats()
		cpu0 := harness.CPU()
		src := harness.Source("raw", []int{*turns + 50}, n) + fmt.Sprintf("  instances-slice: {value: \"0:%d\"}\n", n)
		st, _, err := run.Sweep(ctx, fmt.Sprintf("capacity-%d", n), src, 1)
		if err != nil {
			return 0, 0, err
		}
		if got := harness.Submitted(st); got != n {
			return 0, 0, fmt.Errorf("%d instances: only %d submitted", n, got)
		}
		rss, _, _ := harness.RSS(0)
		after := run.Model.Stats()
		if calls := after.Calls - before.Calls; calls > 0 {
			cpuPerTurn = ms(harness.CPU()-cpu0) / float64(calls)
		}
		if after.Gaps == before.Gaps {
			return 0, 0, fmt.Errorf("%d instances: no turn intervals measured", n)
		}
		return (after.GapSum - before.GapSum) / time.Duration(after.Gaps-before.Gaps), rss, nil
	}
	base, rss, err := measure(1)
	if err != nil {
		fail(err)
	}
	fmt.Printf("  N=%-4d turn latency %6.0f ms  (baseline)  RSS %s  CPU/turn %.1f ms  load %s\n", 1, ms(base), harness.MiB(rss), cpuPerTurn, harness.LoadAvg())
	sustained, sustainedRSS := 1, rss
	for _, n := range steps {
		lat, rss, err := measure(n)
		if err != nil {
			fail(err)
		}
		ratio := float64(lat) / float64(base)
		fmt.Printf("  N=%-4d turn latency %6.0f ms  x%.3f      RSS %s  CPU/turn %.1f ms  load %s\n", n, ms(lat), ratio, harness.MiB(rss), cpuPerTurn, harness.LoadAvg())
		if ratio > 1+*degrade {
			break
		}
		sustained, sustainedRSS = n, rss
	}
	_, peak, _ := harness.RSS(0)
	fmt.Printf("  sustained: %d concurrent instances (target ≥ 200; search bounded by -max %d)\n", sustained, *maxN)
	fmt.Printf("  RSS at that point %s, peak %s (target ≤ 1 GiB; includes the embedded server)\n", harness.MiB(sustainedRSS), harness.MiB(peak))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "capacity:", err)
	os.Exit(1)
}
