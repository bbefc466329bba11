// Command chaos (R1/R2) runs a simulated sweep with the real binaries — a
// `starter server`, separate `worker` processes and `starter sweep
// --detach` — on the built-in demo tasks with the fake model, kills -9 a
// worker every -every (-kills times, starting a replacement each time) and
// the server once halfway, waits for the sweep to finish and audits its
// outputs: lost instances, duplicated instance records, duplicated rows
// on a fake W&B server the sweep logs to (--wandb), and model calls and
// commands repeated per kill (from each instance's events.jsonl).
//
//	go run ./bench/chaos                 # 10 worker kills + 1 server kill
//	go run ./bench/chaos -smoke          # 2 worker kills + 1 server kill
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/demo"
	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func main() {
	smoke := flag.Bool("smoke", false, "fast run: 2 worker kills, 1 trial")
	kills := flag.Int("kills", 10, "worker kills")
	every := flag.Duration("every", 3*time.Second, "time between kills")
	trials := flag.Int("trials", 4, "trials (6 demo instances each)")
	turns := flag.Int("turns", 12, "turns per instance")
	latency := flag.Duration("model-latency", 200*time.Millisecond, "fake model latency")
	workers := flag.Int("workers", 2, "worker processes alive at a time")
	binDir := flag.String("bin", "", "directory holding built starter and worker (default: go build into a temporary directory)")
	flag.Parse()
	if *smoke {
		*kills, *trials = 2, 1
	}
	tmp, err := os.MkdirTemp("", "ctxsweep-bench-chaos-")
	check(err)
	defer func() {
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	if *binDir == "" {
		*binDir = filepath.Join(tmp, "bin")
		check(build(*binDir))
	}
	starter, worker := filepath.Join(*binDir, "starter"), filepath.Join(*binDir, "worker")
	data, logs := filepath.Join(tmp, "data"), filepath.Join(tmp, "logs")
	check(os.MkdirAll(logs, 0o755))

	m, err := fakemodel.Start(fakemodel.Config{Latency: *latency, Turns: *turns,
		Command: func(turn int) string { return fmt.Sprintf("echo turn %d >> bench_notes.txt", turn) }}, 0)
	check(err)
	defer m.Close()
	models, err := m.ModelsFile(tmp)
	check(err)
	wb := fakewandb.New(fakewandb.Options{})
	wbURL, err := wb.Start("127.0.0.1:0")
	check(err)
	defer wb.Close()
	extraEnv = []string{"WANDB_API_KEY=" + fakewandb.DefaultAPIKey, "WANDB_BASE_URL=" + wbURL, "WANDB_ENTITY=", "WANDB_PROJECT="}
	port, err := freePort()
	check(err)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	nlog := 0
	logFile := func(name string) string { nlog++; return filepath.Join(logs, fmt.Sprintf("%02d-%s.log", nlog, name)) }
	startServer := func() *proc {
		p, err := spawn(logFile("server"), starter, "server", "--data-dir", data, "--port", strconv.Itoa(port), "--ui-port", "-1")
		check(err)
		check(waitDial(addr, 2*time.Minute))
		return p
	}
	startWorker := func() *proc {
		p, err := spawn(logFile("worker"), worker, "--data-dir", data, "--temporal-address", addr, "--models-file", models, "--max-instances", "6")
		check(err)
		return p
	}
	server := startServer()
	defer func() { server.stop() }()
	var ws []*proc
	for range *workers {
		ws = append(ws, startWorker())
	}
	defer func() {
		for _, w := range ws {
			w.stop()
		}
	}()
	src := fmt.Sprintf("method: grid\nparameters:\n  model: {value: %s}\n  strategy: {values: [%s]}\n  instances-subset: {value: demo}\n"+
		"  instances-shuffle: {value: false}\n  cost-limit: {value: 0.0}\n  call-limit: {values: [%s]}\n  num-workers: {value: 3}\n"+
		"  hp-obs-n: {value: 3}\n  hp-sum-n: {value: 4}\n  hp-sum-keep-m: {value: 2}\n",
		fakemodel.Preset, "raw", callLimits(*trials, *turns))
	file := filepath.Join(tmp, "chaos.yaml")
	check(os.WriteFile(file, []byte(src), 0o644))
	sub, err := spawn(logFile("sweep"), starter, "sweep", file, "--data-dir", data, "--temporal-address", addr,
		"--models-file", models, "--heartbeat-timeout", "3s", "--parallel-trials", "2", "--detach", "--wandb")
	check(err)
	<-sub.done
	if sub.cmd.ProcessState.ExitCode() != 0 {
		check(fmt.Errorf("starter sweep --detach failed; see %s", sub.log.Name()))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- waitSweep(ctx, addr, "chaos") }()
	start := time.Now()
	workerKills, serverKills := 0, 0
	tick := time.NewTicker(*every)
	var res *result
loop:
	for workerKills < *kills {
		select {
		case r := <-done:
			res = &r
			break loop
		case <-tick.C:
		}
		i := workerKills % len(ws)
		ws[i].kill9()
		ws[i] = startWorker()
		workerKills++
		if workerKills == (*kills+1)/2 && serverKills == 0 {
			server.kill9()
			server = startServer()
			serverKills++
		}
	}
	tick.Stop()
	if res == nil {
		r := <-done
		res = &r
	}
	check(res.err)
	wall := time.Since(start)
	a, err := auditSweep(data, "chaos", *trials, len(demo.IDs()))
	check(err)
	allKills := workerKills + serverKills
	st := m.Stats()
	fmt.Printf("R1/R2 chaos: %d trials × %d demo instances × ≤%d turns, model %s; %d workers (real binaries) against `starter server`\n",
		*trials, len(demo.IDs()), *turns, *latency, *workers)
	fmt.Printf("  kill -9: worker %d times (every %s), server %d time(s); sweep state %q after %.1fs\n", workerKills, *every, serverKills, res.st.State, wall.Seconds())
	fmt.Printf("  lost instances: %d (of %d; %d results.json files, %d records)\n", a.Lost, a.Expected, a.TrialFiles, a.Records)
	fmt.Printf("  duplicated instance records: %d\n", a.Duplicated)
	wa := auditWandb(wb, *trials, len(demo.IDs()))
	fmt.Printf("  duplicated W&B rows: %d (%d runs for %d trials, %d history rows, %d live instance rows of %d expected;\n"+
		"    %d rows re-sent at their offset and dropped by the server; protocol violations %d)\n",
		wa.Duplicated, wa.Runs, *trials, wa.Rows, wa.LiveRows, *trials*len(demo.IDs()), wa.Resent, len(wa.Violations))
	for _, v := range wa.Violations {
		fmt.Printf("    violation: %s\n", v)
	}
	fmt.Printf("  model calls: %d logged, %d repeated (%.2f per kill; target ≤ 1); fake server saw %d requests\n",
		a.ModelCalls, a.ModelRepeats, float64(a.ModelRepeats)/float64(max(allKills, 1)), st.Calls)
	fmt.Printf("  commands: %d logged, %d repeated; sandbox restores %d\n", a.Execs, a.ExecRepeats, a.Restores)
	if a.Lost != 0 || a.Duplicated != 0 || a.ModelRepeats > allKills || wa.Duplicated != 0 || len(wa.Violations) > 0 || wa.LiveRows != *trials*len(demo.IDs()) {
		keep = true
		fmt.Printf("  TARGET MISSED; data and process logs kept in %s\n", tmp)
	}
}

func callLimits(trials, turns int) string {
	s := ""
	for i := range trials {
		if i > 0 {
			s += ", "
		}
		s += strconv.Itoa(turns + 20 + i)
	}
	return s
}

type result struct {
	st  workflows.SweepStatus
	err error
}

// waitSweep waits for the sweep workflow's result, reconnecting while the
// server is down.
func waitSweep(ctx context.Context, addr, name string) result {
	var last error
	for ctx.Err() == nil {
		c, err := client.DialContext(ctx, client.Options{HostPort: addr})
		if err == nil {
			var st workflows.SweepStatus
			err = c.GetWorkflow(ctx, workflows.SweepID(name), "").Get(ctx, &st)
			c.Close()
			if err == nil {
				return result{st: st}
			}
		}
		last = err
		time.Sleep(500 * time.Millisecond) // polling with a deadline (ctx)
	}
	return result{err: fmt.Errorf("sweep did not finish: %v", last)}
}

// keep leaves the temporary directory (data and logs) in place.
var keep bool

// check ends the run on an error, killing every child process first.
func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		for _, p := range children {
			if p.alive() {
				p.kill9()
			}
		}
		os.Exit(1)
	}
}
