// Command scale (P3) runs a simulated sweep of trials × instances × turns on
// the embedded server with an in-process worker (fake model at low
// latency, fake sandbox) and prints total wall, turns per second, peak RSS
// (server, worker and client are one process here) and the largest
// workflow history against Temporal's limits.
//
//	go run ./bench/scale                 # 6 trials × 10 instances × 10 turns
//	go run ./bench/scale -full           # 84 × 50 × 50 (hours on 2 cores)
//	go run ./bench/scale -smoke          # 2 × 3 × 5
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/bench/fakesandbox"
	"github.com/ctxresearch/ctxsweep/bench/harness"
)

func main() {
	trials := flag.Int("trials", 6, "trials (grid over call-limit)")
	instances := flag.Int("instances", 10, "instances per trial")
	turns := flag.Int("turns", 10, "turns per instance")
	full := flag.Bool("full", false, "the issue's size: 84 trials × 50 instances × 50 turns")
	smoke := flag.Bool("smoke", false, "fast run: 2 × 3 × 5")
	latency := flag.Duration("model-latency", 10*time.Millisecond, "fake model latency")
	exec := flag.Duration("exec-latency", time.Millisecond, "fake sandbox latency")
	parallel := flag.Int("parallel-trials", 4, "trials at once")
	workers := flag.Int("num-workers", 8, "instances at once per trial")
	memprofile := flag.String("memprofile", "", "write a heap profile (after a GC) to this file when the sweep ends")
	remote := flag.Bool("remote-model-calls", false, "model calls as regular activities (the build before local model calls), to compare")
	flag.Parse()
	switch {
	case *full:
		*trials, *instances, *turns = 84, 50, 50
	case *smoke:
		*trials, *instances, *turns = 2, 3, 5
	}
	dir, err := os.MkdirTemp("", "ctxsweep-bench-scale-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 24*time.Hour)
	defer cancel()
	tasks := &fakesandbox.Tasks{Instances: *instances, ExecLatency: *exec}
	run, err := harness.Start(ctx, harness.Setup{DataDir: dir, Tasks: tasks, MaxSessions: *parallel * *workers, RemoteModelCalls: *remote,
		Model: fakemodel.Config{Latency: *latency, Turns: *turns}})
	if err != nil {
		fail(err)
	}
	defer run.Close()
	limits := make([]int, *trials)
	for i := range limits {
		limits[i] = *turns + 10 + i
	}
	_, startPeak, _ := harness.RSS(0)

	// Sample RSS while the sweep runs: at each quarter of the model calls.
	total := *trials * *instances * *turns
	var mu sync.Mutex
	quarters := map[int]int64{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			q := 4 * run.Model.Stats().Calls / total
			if rss, _, err := harness.RSS(0); err == nil {
				mu.Lock()
				if _, ok := quarters[q]; !ok && q > 0 {
					quarters[q] = rss
				}
				mu.Unlock()
			}
		}
	}()
	st, wall, err := run.Sweep(ctx, "scale", harness.Source("raw", limits, *workers), *parallel)
	close(stop)
	wg.Wait()
	if err != nil {
		fail(err)
	}
	calls := run.Model.Stats().Calls
	_, peak, _ := harness.RSS(0)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if *memprofile != "" {
		f, err := os.Create(*memprofile)
		if err != nil {
			fail(err)
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			fail(err)
		}
		f.Close()
	}
	byBytes, byEvents, err := harness.LargestHistory(ctx, run, 50)
	if err != nil {
		fail(err)
	}
	fmt.Printf("P3 scale: %d trials × %d instances × %d turns, model %s, exec %s, %d trials at once × %d instances\n",
		*trials, *instances, *turns, *latency, *exec, *parallel, *workers)
	fmt.Printf("  instances done %d/%d, submitted %d, model calls %d\n", st.Instances, *trials**instances, harness.Submitted(st), calls)
	fmt.Printf("  total wall %.1fs, %.1f turns/s\n", wall.Seconds(), float64(calls)/wall.Seconds())
	fmt.Printf("  peak RSS %s (%s after start-up; server + worker + client in one process)\n", harness.MiB(peak), harness.MiB(startPeak))
	fmt.Printf("  Go heap in use after the sweep and a GC: %s (of %s obtained from the OS)\n", harness.MiB(int64(ms.HeapInuse)), harness.MiB(int64(ms.Sys)))
	fmt.Printf("  RSS at 25/50/75%% of model calls: %s / %s / %s\n", q(quarters, 1), q(quarters, 2), q(quarters, 3))
	fmt.Printf("  largest history by bytes: %s: %d B = %.2f%% of %d B (largest event %d B = %.3f%% of 2 MB)\n",
		byBytes.ID, byBytes.Bytes, 100*float64(byBytes.Bytes)/harness.LimitBytes, harness.LimitBytes, byBytes.LargestEvent, 100*float64(byBytes.LargestEvent)/harness.LimitEvent)
	fmt.Printf("  largest history by events: %s: %d events = %.2f%% of %d\n",
		byEvents.ID, byEvents.Events, 100*float64(byEvents.Events)/harness.LimitEvents, harness.LimitEvents)
	if st.Instances != *trials**instances {
		fail(fmt.Errorf("only %d of %d instances finished", st.Instances, *trials**instances))
	}
}

func q(m map[int]int64, k int) string {
	if v, ok := m[k]; ok {
		return harness.MiB(v)
	}
	return "n/a"
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "scale:", err)
	os.Exit(1)
}
