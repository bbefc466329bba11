// Command coldstart (P5) measures `starter sweep FILE` on a fresh data
// directory, from process start to the first model request reaching the
// fake model server. It builds the starter binary (go build) unless -bin
// names one, and uses the built-in demo tasks with the fake model preset.
//
//	go run ./bench/coldstart             # 3 runs, fresh data directory each
//	go run ./bench/coldstart -smoke      # 1 run
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
)

const sweepFile = `method: grid
parameters:
  model: {value: fakebench}
  strategy: {value: raw}
  instances-subset: {value: demo}
  instances-shuffle: {value: false}
  instances-slice: {value: "0:1"}
  cost-limit: {value: 0.0}
  call-limit: {value: 20}
  num-workers: {value: 1}
`

func main() {
	smoke := flag.Bool("smoke", false, "one run")
	runs := flag.Int("runs", 3, "runs, each on a fresh data directory")
	bin := flag.String("bin", "", "starter binary (default: go build ./cmd/starter into a temporary directory)")
	flag.Parse()
	if *smoke {
		*runs = 1
	}
	tmp, err := os.MkdirTemp("", "ctxsweep-bench-coldstart-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "starter")
		start := time.Now()
		build := exec.Command("go", "build", "-o", *bin, "./cmd/starter")
		build.Dir = moduleRoot()
		if out, err := build.CombinedOutput(); err != nil {
			fail(fmt.Errorf("go build: %v\n%s", err, out))
		}
		fmt.Printf("built starter in %.1fs\n", time.Since(start).Seconds())
	}
	var times []time.Duration
	failed := 0
	for i := range *runs {
		d, err := once(*bin, filepath.Join(tmp, fmt.Sprintf("run%d", i)))
		if err != nil {
			failed++
			fmt.Fprintf(os.Stderr, "run %d failed: %v\n", i+1, err)
			continue
		}
		times = append(times, d)
	}
	if len(times) == 0 {
		fail(fmt.Errorf("all %d runs failed", *runs))
	}
	slices.Sort(times)
	fmt.Printf("P5 cold start: `starter sweep` on a fresh data directory → first model call (embedded server, SQLite, Web UI on)\n")
	for i, d := range times {
		fmt.Printf("  run %d: %.2fs\n", i+1, d.Seconds())
	}
	fmt.Printf("  median %.2fs (target ≤ 5 s); failed runs: %d\n", times[len(times)/2].Seconds(), failed)
}

// once runs the starter until the fake model sees its first request.
func once(bin, dir string) (time.Duration, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	m, err := fakemodel.Start(fakemodel.Config{Turns: 3}, 0)
	if err != nil {
		return 0, err
	}
	defer m.Close()
	models, err := m.ModelsFile(dir)
	if err != nil {
		return 0, err
	}
	file := filepath.Join(dir, "cold.yaml")
	if err := os.WriteFile(file, []byte(sweepFile), 0o644); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "sweep", file, "--data-dir", filepath.Join(dir, "data"), "--models-file", models)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "TEMPORAL_ADDRESS=", "CTXSWEEP_MODELS_FILE=")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for m.Stats().First.IsZero() {
		select {
		case err := <-exited:
			return 0, fmt.Errorf("starter exited before any model call (%v):\n%s%s", err, out.String(), logTails(filepath.Join(dir, "data", "logs")))
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			return 0, fmt.Errorf("no model call within 2 minutes:\n%s", out.String())
		case <-tick.C:
		}
	}
	d := m.Stats().First.Sub(start)
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
	return d, nil
}

// logTails is the end of every log file in dir, for a failed run.
func logTails(dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if len(data) > 2000 {
			data = data[len(data)-2000:]
		}
		fmt.Fprintf(&b, "--- %s (end)\n%s\n", f, data)
	}
	return b.String()
}

// moduleRoot is the directory holding go.mod (the working directory or one
// of its parents).
func moduleRoot() string {
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "coldstart:", err)
	os.Exit(1)
}
