package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
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
	if detach {
		if st, err := querySweep(ctx, e, id, 5*time.Second); err == nil {
			fmt.Println(progressLine(st, 0, time.Now()))
		}
		fmt.Printf("Detached. Follow it with `starter status %s`.\n", strings.TrimPrefix(id, "sweep/"))
		return nil
	}
	done := make(chan error, 1)
	var final workflows.SweepStatus
	go func() { done <- waitSweep(ctx, e, id, &final) }()
	tty := isTTY(os.Stdout)
	began := time.Now()
	startDone := -1
	last := ""
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastPrint := time.Time{}
	view, shown := newFailureView(e.DataDir()), map[string]bool{}
	say := func(msg string) {
		if tty && last != "" {
			fmt.Print("\r\033[K")
		}
		fmt.Println(msg)
		if tty && last != "" {
			fmt.Print(last)
		}
	}
	for {
		select {
		case err := <-done:
			if tty && last != "" {
				fmt.Println()
				last = ""
			}
			if ctx.Err() != nil {
				return detached(e, id)
			}
			if err == nil {
				view.update(final, nil)
				view.printNew(say, shown, time.Now())
			}
			if msg, ok := breakerStopped(err); ok {
				// The circuit breaker (in the workflows) stopped the sweep.
				if st, qerr := querySweep(context.Background(), e, id, 30*time.Second); qerr == nil {
					st.Note = "" // the error below says it, once
					printTrials(os.Stdout, st)
				}
				return errors.New(msg)
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
			st, live, err := querySweepLive(ctx, e, id, 5*time.Second)
			if err != nil {
				continue
			}
			if startDone < 0 {
				startDone, began = st.Instances, time.Now()
			}
			now := time.Now()
			view.update(st, live)
			view.printNew(say, shown, now)
			line := progressLine(st, st.Instances-startDone, began)
			if f := view.summary(now); f != "" {
				line += " | " + f
			}
			if tty {
				fmt.Printf("\r\033[K%s", line)
				last = line
			} else if key := fmt.Sprint(st.Done, st.Running, st.Instances, view.failedCount(), view.summary(time.Time{})); key != last || time.Since(lastPrint) > time.Minute {
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

// querySweepLive is querySweep that also returns the running trials'
// answers (their finished records and running instances).
func querySweepLive(ctx context.Context, e *engine.Engine, id string, timeout time.Duration) (workflows.SweepStatus, map[string]workflows.TrialStatus, error) {
	qctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var st workflows.SweepStatus
	v, err := e.Client.QueryWorkflow(qctx, id, "", "status")
	if err != nil {
		return st, nil, err
	}
	if err := v.Get(&st); err != nil {
		return st, nil, err
	}
	live := map[string]workflows.TrialStatus{}
	for _, t := range st.Trials {
		if t.State != workflows.TrialRunning {
			continue
		}
		if ts, err := e.QueryTrial(qctx, t.ID); err == nil {
			live[t.ID] = ts // a trial not answering keeps the sweep's figures
		}
	}
	return workflows.WithLive(st, live), live, nil
}

// breakerLimit is --stop-after-config-errors: it travels in the sweep's
// input (workflows.Tuning.StopAfterConfigErrors), where the trial and
// sweep workflows apply it, attached or not.
var breakerLimit = workflows.DefaultStopAfterConfigErrors

func bindBreaker(cmd *cobra.Command) {
	cmd.Flags().IntVar(&breakerLimit, "stop-after-config-errors", workflows.DefaultStopAfterConfigErrors,
		"stop the sweep when N instances of a trial in a row (the first N, or after a key is revoked) fail with the same configuration or authentication error (0: never)")
}

// checkBreaker checks --stop-after-config-errors.
func checkBreaker() error {
	if breakerLimit < 0 {
		return fmt.Errorf("--stop-after-config-errors must be 0 (never stop) or more, got %d", breakerLimit)
	}
	return nil
}

// breakerStopped says whether a sweep's error is the circuit breaker's,
// and returns its message.
func breakerStopped(err error) (string, bool) {
	var app *temporal.ApplicationError
	if err == nil || !errors.As(err, &app) || app.Type() != workflows.ErrCircuitBreaker {
		return "", false
	}
	return app.Message(), true
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

// waitSweep waits for the sweep's result. A lost connection (the process
// running the embedded server ended and another one is taking over, or a
// cluster restarting) is not the sweep's failure: it waits on for up to
// three minutes of unavailability.
func waitSweep(ctx context.Context, e *engine.Engine, id string, final *workflows.SweepStatus) error {
	var lostSince time.Time
	for {
		err := e.Client.GetWorkflow(ctx, id, "").Get(ctx, final)
		if err == nil || ctx.Err() != nil || !transient(err) {
			return err
		}
		if lostSince.IsZero() {
			lostSince = time.Now()
		} else if time.Since(lostSince) > 3*time.Minute {
			return fmt.Errorf("lost the connection to Temporal at %s for 3 minutes (the sweep itself may still run; `starter status %s` shows it): %w",
				e.Address, strings.TrimPrefix(id, "sweep/"), err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// transient says whether an error is the connection's, not the sweep's.
func transient(err error) bool {
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	var canceled *serviceerror.Canceled
	if errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	return strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "Unavailable")
}
