package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func isTTY(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// follow shows a sweep's progress until it ends (or, with detach, once).
func follow(ctx context.Context, e *engine.Engine, id string, detach bool) error {
	run := e.Client.GetWorkflow(ctx, id, "")
	if detach {
		if st, err := querySweep(ctx, e, id, 5*time.Second); err == nil {
			fmt.Println(progressLine(st, 0, time.Now()))
		}
		fmt.Printf("Detached. Follow it with `starter status %s`.\n", strings.TrimPrefix(id, "sweep/"))
		return nil
	}
	done := make(chan error, 1)
	var final workflows.SweepStatus
	go func() { done <- run.Get(ctx, &final) }()
	tty := isTTY(os.Stdout)
	began := time.Now()
	startDone := -1
	last := ""
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastPrint := time.Time{}
	for {
		select {
		case err := <-done:
			if tty && last != "" {
				fmt.Println()
			}
			if ctx.Err() != nil {
				return detached(e, id)
			}
			if err != nil {
				var canceled *temporal.CanceledError
				if errors.As(err, &canceled) {
					fmt.Println("Sweep cancelled.")
					if st, qerr := querySweep(context.Background(), e, id, 30*time.Second); qerr == nil {
						printTrials(os.Stdout, st)
					}
					return exitError(1)
				}
				return fmt.Errorf("sweep failed: %w", err)
			}
			printTrials(os.Stdout, final)
			if final.Failed > 0 {
				return exitError(1)
			}
			return nil
		case <-ctx.Done():
			if tty {
				fmt.Println()
			}
			return detached(e, id)
		case <-tick.C:
			st, err := querySweep(ctx, e, id, 5*time.Second)
			if err != nil {
				continue
			}
			if startDone < 0 {
				startDone, began = st.Instances, time.Now()
			}
			line := progressLine(st, st.Instances-startDone, began)
			if tty {
				fmt.Printf("\r\033[K%s", line)
				last = line
			} else if key := fmt.Sprint(st.Done, st.Running, st.Instances); key != last || time.Since(lastPrint) > time.Minute {
				fmt.Println(time.Now().Format("15:04:05"), line)
				last, lastPrint = key, time.Now()
			}
		}
	}
}

func detached(e *engine.Engine, id string) error {
	name := strings.TrimPrefix(id, "sweep/")
	if e.Server != nil {
		fmt.Printf("Stopped. Sweep %s is saved; it continues when you run `starter resume %s` (or the same `starter sweep` command) again.\n", name, name)
	} else {
		fmt.Printf("Detached; sweep %s continues on the workers. `starter status %s` shows it.\n", name, name)
	}
	return exitError(130)
}

// querySweep is engine's QuerySweep.
func querySweep(ctx context.Context, e *engine.Engine, id string, timeout time.Duration) (workflows.SweepStatus, error) {
	return e.QuerySweep(ctx, id, timeout)
}

// progressLine: trials and instances done, cost so far, ETA.
func progressLine(st workflows.SweepStatus, doneHere int, began time.Time) string {
	eta := "ETA --"
	if doneHere > 0 && st.Total > st.Instances {
		per := time.Since(began) / time.Duration(doneHere)
		eta = "ETA " + (per * time.Duration(st.Total-st.Instances)).Round(time.Second).String()
	} else if st.Total > 0 && st.Total == st.Instances {
		eta = "finishing"
	}
	trials := fmt.Sprint(len(st.Trials))
	if st.Planned > len(st.Trials) {
		trials = fmt.Sprint(st.Planned)
	} else if st.Planned < 0 {
		trials = "?"
	}
	return fmt.Sprintf("trials %d/%s done, %d running | instances %d/%d | cost $%.4f | %s",
		st.Done, trials, st.Running, st.Instances, st.Total, st.Cost, eta)
}

func printTrials(w *os.File, st workflows.SweepStatus) {
	fmt.Fprintf(w, "Sweep %s: %s\n", st.Name, st.State)
	fmt.Fprintf(w, "%-55s %-10s %9s %9s %8s %10s\n", "trial", "state", "instances", "submitted", "resolved", "cost ($)")
	for _, t := range st.Trials {
		fmt.Fprintf(w, "%-55s %-10s %4d/%-4d %9d %8d %10.4f\n", t.RunName, t.State, t.Done, t.Total, t.Submitted, t.Resolved, t.Cost)
		if t.Error != "" {
			fmt.Fprintf(w, "    error: %s\n", t.Error)
		}
	}
	fmt.Fprintf(w, "Total: %d/%d instances, cost $%.4f\n", st.Instances, st.Total, st.Cost)
	if st.Note != "" {
		fmt.Fprintln(w, st.Note)
	}
}
