package activities

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/llm"
)

func TestModelErrorClassification(t *testing.T) {
	cases := []struct {
		err       error
		typ       string
		retryable bool
		delay     time.Duration
	}{
		{&llm.Error{Kind: llm.KindRateLimited, Status: 429, RetryAfter: 7 * time.Second}, "RateLimited", true, 7 * time.Second},
		{&llm.Error{Kind: llm.KindContextExceeded, Status: 400}, ErrContextExceeded, false, 0},
		{&llm.Error{Kind: llm.KindAuth, Status: 401}, "AuthFailed", false, 0},
		{&llm.Error{Kind: llm.KindUnavailable, Status: 503}, "ProviderUnavailable", true, 0},
		{&llm.Error{Kind: llm.KindBadResponse}, "BadResponse", true, 0},
		{&llm.Error{Kind: llm.KindCredentials, Code: "ExpiredTokenException"}, "CredentialsUnavailable", false, 0},
		{context.Canceled, "", true, 0},
	}
	for _, c := range cases {
		err := modelError("m", 3, c.err)
		var app *temporal.ApplicationError
		if c.typ == "" {
			if errors.As(err, &app) {
				t.Errorf("%v: want a plain retryable error, got application error %v", c.err, app.Type())
			}
			continue
		}
		if !errors.As(err, &app) {
			t.Fatalf("%v: not an application error: %v", c.err, err)
		}
		if app.Type() != c.typ || app.NonRetryable() == c.retryable || app.NextRetryDelay() != c.delay {
			t.Errorf("%v: type %q nonretryable %v delay %v; want %q retryable %v delay %v",
				c.err, app.Type(), app.NonRetryable(), app.NextRetryDelay(), c.typ, c.retryable, c.delay)
		}
	}
}
