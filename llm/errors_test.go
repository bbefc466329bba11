package llm

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		h    map[string]string
		want time.Duration
	}{
		{map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond},
		{map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{map[string]string{"Retry-After-Ms": "250", "Retry-After": "9"}, 250 * time.Millisecond},
		{map[string]string{"Retry-After": "soon"}, 0},
		{map[string]string{"Retry-After": "-3"}, 0},
		{nil, 0},
	} {
		h := http.Header{}
		for k, v := range tc.h {
			h.Set(k, v)
		}
		require.Equal(t, tc.want, retryAfter(h, now), "%v", tc.h)
	}
}

func TestClassificationSurvivesWrapping(t *testing.T) {
	err := httpError("openai", "gpt-4o", 429, http.Header{"Retry-After": {"3"}}, "rate_limit_exceeded", "slow down", nil)
	wrapped := fmt.Errorf("model gpt-4o, turn 3: %w", err)
	require.True(t, IsRetryable(wrapped))
	d, ok := RetryAfter(wrapped)
	require.True(t, ok)
	require.Equal(t, 3*time.Second, d)
	require.Equal(t, KindRateLimited, KindOf(wrapped))
	require.False(t, IsRetryable(errors.New("plain")))
	require.Equal(t, Kind(""), KindOf(nil))
	// A non-retryable error carries no delay even if the header had one.
	bad := httpError("openai", "gpt-4o", 400, http.Header{"Retry-After": {"3"}}, "", "maximum context length exceeded", nil)
	require.True(t, IsContextExceeded(bad))
	_, ok = RetryAfter(bad)
	require.False(t, ok)
}

func TestRedact(t *testing.T) {
	secret := "my-very-own-secret-value"
	for _, s := range []string{
		"key " + secret + " rejected",
		"Incorrect API key provided: sk-proj-abc123***************xyz9",
		"AIzaSyA1234567890abcdefghij is not valid",
		"The AWS Access Key Id AKIAIOSFODNN7EXAMPLE does not exist",
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig",
		"token ABSKQmVkcm9ja0FQSUtleQ== expired",
	} {
		out := redact(s, []string{secret})
		require.Contains(t, out, "[redacted]", s)
		for _, part := range []string{secret, "sk-proj-abc123", "AIzaSyA1234567890", "AKIAIOSFODNN7EXAMPLE", "eyJhbGciOiJIUzI1NiJ9", "ABSKQmVk"} {
			require.NotContains(t, out, part)
		}
	}
	require.Equal(t, "nothing to hide", redact("nothing to hide", []string{""}))
	require.Equal(t, "disk-usage-report failed", redact("disk-usage-report failed", nil), "only key shapes go")
}

func TestErrorBodyShapes(t *testing.T) {
	for _, tc := range []struct{ body, code, msg string }{
		{`{"error":{"message":"m1","type":"invalid_request_error","code":"context_length_exceeded"}}`, "context_length_exceeded invalid_request_error", "m1"},
		{`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`, "overloaded_error", "Overloaded"},
		{`{"error":"plain text"}`, "", "plain text"},
		{`{"message":"Input is too long","__type":"ValidationException"}`, "ValidationException", "Input is too long"},
		{`{"object":"error","message":"m2","code":400}`, "400", "m2"},
		{`<html>502</html>`, "", "<html>502</html>"},
	} {
		code, msg := errorBody([]byte(tc.body))
		require.Equal(t, tc.code, code, tc.body)
		require.Equal(t, tc.msg, msg, tc.body)
	}
}

func TestEnvFilesAndPrecedence(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.env"), filepath.Join(dir, "b.env")
	require.NoError(t, os.WriteFile(a, []byte("# keys\nexport CTXSWEEP_T_A=\"quoted value\"\nCTXSWEEP_T_B=from-a # comment\nCTXSWEEP_T_PROC=file\n"), 0o600))
	require.NoError(t, os.WriteFile(b, []byte("CTXSWEEP_T_B=from-b\nCTXSWEEP_T_C='single'\n"), 0o600))
	t.Setenv("CTXSWEEP_T_PROC", "process")
	env, err := LoadEnv(a, b, filepath.Join(dir, "missing.env"))
	require.NoError(t, err)
	require.Equal(t, "quoted value", env.Get("CTXSWEEP_T_A"))
	require.Equal(t, "from-a", env.Get("CTXSWEEP_T_B"), "earlier files win")
	require.Equal(t, "single", env.Get("CTXSWEEP_T_C"))
	require.Equal(t, "process", env.Get("CTXSWEEP_T_PROC"), "the process environment wins")
	require.Equal(t, "single", env.First("CTXSWEEP_T_NONE", "CTXSWEEP_T_C"))

	bad := filepath.Join(dir, "bad.env")
	require.NoError(t, os.WriteFile(bad, []byte("OK=1\nsk-SECRET-NOT-A-LINE\n"), 0o600))
	_, err = LoadEnv(bad)
	require.ErrorContains(t, err, "bad.env:2")
	require.NotContains(t, err.Error(), "SECRET", "a malformed line may be a secret: never echo it")
}

// A 429 without Retry-After uses OpenAI's x-ratelimit-reset-* (the
// exhausted limit's); other statuses ignore them (they come on every reply).
func TestRateLimitResetHeaders(t *testing.T) {
	h := http.Header{}
	h.Set("X-Ratelimit-Reset-Requests", "120ms")
	h.Set("X-Ratelimit-Reset-Tokens", "6m0s")
	h.Set("X-Ratelimit-Remaining-Requests", "0")
	h.Set("X-Ratelimit-Remaining-Tokens", "5000")
	e := httpError("openai", "gpt-4o", 429, h, "rate_limit_exceeded", "slow down", nil)
	require.Equal(t, 120*time.Millisecond, e.RetryAfter, "the exhausted limit is the requests one")
	h.Set("X-Ratelimit-Remaining-Requests", "3")
	e = httpError("openai", "gpt-4o", 429, h, "rate_limit_exceeded", "slow down", nil)
	require.Equal(t, 6*time.Minute, e.RetryAfter, "none says exhausted: the longer")
	h.Set("Retry-After", "2")
	e = httpError("openai", "gpt-4o", 429, h, "rate_limit_exceeded", "slow down", nil)
	require.Equal(t, 2*time.Second, e.RetryAfter, "Retry-After wins")
	h.Del("Retry-After")
	e = httpError("openai", "gpt-4o", 503, h, "", "down", nil)
	require.Zero(t, e.RetryAfter)
	require.Equal(t, 1500*time.Millisecond, resetDuration("1.5"))
	require.Equal(t, time.Hour+2*time.Minute+3500*time.Millisecond, resetDuration("1h2m3.5s"))
}
