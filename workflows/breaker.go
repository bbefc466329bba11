package workflows

import (
	"fmt"
	"regexp"
	"strings"

	"go.temporal.io/sdk/workflow"
)

// The circuit breaker: when the instances of a trial keep ending with one
// and the same configuration or authentication error (a missing key, a
// revoked key), every other instance of the sweep would fail the same
// way. The trial stops (its running instances are cancelled, its finished
// records written) and fails with ErrCircuitBreaker; the sweep then
// cancels its other trials and ends failed with that error. The decision
// is the workflows', so it holds for detached sweeps too.

// ErrCircuitBreaker is the error type of a trial, and of the sweep, that
// the circuit breaker stopped.
const ErrCircuitBreaker = "CircuitBreaker"

// DefaultStopAfterConfigErrors is the default Tuning.StopAfterConfigErrors
// of `starter sweep` and `starter run`.
const DefaultStopAfterConfigErrors = 5

// Versions of the breaker in the trial and sweep workflows.
const (
	trialBreakerVersion = "trial-circuit-breaker"
	sweepBreakerVersion = "sweep-circuit-breaker"
)

// ConfigFailure says whether an instance's error is a configuration or
// authentication error: one that every other instance of the preset
// meets too, until someone fixes it.
func ConfigFailure(msg string) bool {
	for _, s := range []string{"type: " + ErrConfig, "type: AuthFailed", "is not set (put it in"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

var (
	turnRe  = regexp.MustCompile(`\bturn \d+`)
	runIDRe = regexp.MustCompile(`runID: [0-9a-f-]+|EventID: \d+|identity: [^,)]+|workflowID: [^,)]+`)
)

// NormalizeError drops what differs between instances failing for the
// same reason: the instance id, turn numbers, workflow and run ids.
func NormalizeError(msg, instance string) string {
	if instance != "" {
		msg = strings.ReplaceAll(msg, instance, "<instance>")
	}
	msg = turnRe.ReplaceAllString(msg, "turn N")
	return runIDRe.ReplaceAllString(msg, "")
}

// BreakerTrip is what tripped the breaker.
type BreakerTrip struct {
	// Record is the first of the failing records.
	Record InstanceRecord
	// Count is how many instances in a row failed; First says they were
	// the first ones the trial ran.
	Count int
	First bool
}

// Breaker decides on the records a trial finished in this run (in the
// order they finished): it trips when the last n of them (all of them
// when the trial runs fewer than n instances, total) ended with the same
// configuration or authentication error. That is both "the first n
// instances all failed" and "a key revoked mid-run: n in a row failed".
// n <= 0 turns it off.
func Breaker(finished []InstanceRecord, n, total int) (BreakerTrip, bool) {
	want := n
	if total > 0 && total < want {
		want = total
	}
	if want <= 0 || len(finished) < want {
		return BreakerTrip{}, false
	}
	last := finished[len(finished)-want:]
	key := ""
	for i, r := range last {
		if r.Error == "" || !ConfigFailure(r.Error) {
			return BreakerTrip{}, false
		}
		k := NormalizeError(r.Error, r.InstanceID)
		if i == 0 {
			key = k
		} else if k != key {
			return BreakerTrip{}, false
		}
	}
	return BreakerTrip{Record: last[0], Count: want, First: len(finished) == want}, true
}

// BreakerHint says what to do about a configuration or authentication
// error.
func BreakerHint(msg, preset, sweepName string) string {
	again := fmt.Sprintf("then `starter resume %s` (finished instances are kept)", sweepName)
	switch {
	case strings.Contains(msg, "is not set (put it in"):
		return "set the variable named above in the workers' environment or their .env file (`starter models` shows which keys are present), " + again
	case strings.Contains(msg, "type: AuthFailed"):
		return fmt.Sprintf("the provider refused the credentials of preset %s (a wrong, revoked or expired key, or no access to the model): check its key or AWS credentials (`starter models` shows where they come from), %s", preset, again)
	}
	return "fix the configuration named in the error (sweep file, model preset or environment), " + again
}

// message is the error the sweep ends with for a trip.
func (b BreakerTrip) message(t TrialRef) string {
	what := fmt.Sprintf("the first %d instance(s)", b.Count)
	if !b.First {
		what = fmt.Sprintf("%d instances in a row", b.Count)
	}
	preset := t.Config.Model
	return fmt.Sprintf("Stopped the sweep (finished instances are kept): %s of trial %s (model preset %s) failed with the same configuration or authentication error:\n  %s\nWhat to do: %s",
		what, t.RunName, preset, b.Record.Error, BreakerHint(b.Record.Error, preset, t.Sweep))
}

// trialBreaker is a trial's breaker state.
type trialBreaker struct {
	n, total int
	finished []InstanceRecord
	trip     *BreakerTrip
}

// add takes a record finished in this run and says whether the breaker
// trips now (once).
func (b *trialBreaker) add(ctx workflow.Context, r InstanceRecord) bool {
	if b.trip != nil || b.n <= 0 {
		return false
	}
	b.finished = append(b.finished, r)
	trip, ok := Breaker(b.finished, b.n, b.total)
	if !ok || workflow.GetVersion(ctx, trialBreakerVersion, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return false
	}
	b.trip = &trip
	return true
}
