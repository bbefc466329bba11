package activities

import (
	"context"
	"errors"
	"os"
	"path"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/llm"
)

// TroubleFile is the file in an instance directory that describes a model
// endpoint failing right now (retries so far, last error, next attempt),
// so `starter sweep` and `starter status` can show it while it lasts. It is
// removed by the first call that succeeds after it.
const TroubleFile = "api_trouble.json"

// APITrouble is the content of TroubleFile.
type APITrouble struct {
	Model       string    `json:"model"`
	Turn        int       `json:"turn"`
	Retries     int       `json:"retries"`
	Error       string    `json:"error"`
	Since       time.Time `json:"since"`
	At          time.Time `json:"at"`
	NextAttempt time.Time `json:"next_attempt"`
}

// noteTrouble records a failed model call that will be retried (a
// non-retryable failure ends the instance and shows in its record).
func (a *Activities) noteTrouble(ctx context.Context, dir, model string, turn int, err error) {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.NonRetryable() {
		return
	}
	now := time.Now()
	retries := attemptsBefore(ctx) + 1
	t := APITrouble{Model: model, Turn: turn, Retries: retries, Error: err.Error(), Since: now, At: now,
		NextAttempt: now.Add(retryDelay(retries, err))}
	var prev APITrouble
	if ok, _ := a.Store.ReadJSON(path.Join(dir, TroubleFile), &prev); ok && prev.Turn == turn && !prev.Since.IsZero() {
		t.Since = prev.Since
	}
	_ = a.Store.WriteJSON(path.Join(dir, TroubleFile), t)
}

// clearTrouble removes the trouble note once a call has gone through.
func (a *Activities) clearTrouble(ctx context.Context, dir string) {
	if attemptsBefore(ctx) > 0 {
		_ = os.Remove(a.Store.Path(dir, TroubleFile))
	}
}

// retryDelay is when the instance workflow's retry policy (1 s doubling
// up to 2 min) or the provider's Retry-After tries again.
func retryDelay(retries int, err error) time.Duration {
	if d, ok := llm.RetryAfter(err); ok {
		return d
	}
	d := time.Second
	for i := 1; i < retries && d < 2*time.Minute; i++ {
		d *= 2
	}
	return min(d, 2*time.Minute)
}
