package wandb

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy bounds the retries of one kind of request (§1.7 of the protocol
// reference): at most MaxAttempts attempts, waiting MinWait·2^attempt·(1+U[0,¼))
// capped at MaxWait between them, unless the response carries Retry-After,
// which wins. AttemptTimeout (0 = none) bounds each attempt.
type RetryPolicy struct {
	MaxAttempts    int
	MinWait        time.Duration
	MaxWait        time.Duration
	AttemptTimeout time.Duration
}

// The wandb-core defaults: GraphQL 20 retries with 30 s attempts; file_stream
// about a week of retries with 180 s attempts; uploads 20 retries, no timeout.
// Client.MaxElapsed bounds the total time of a call in every case.
var (
	DefaultGraphQLRetry    = RetryPolicy{MaxAttempts: 21, MinWait: 2 * time.Second, MaxWait: 60 * time.Second, AttemptTimeout: 30 * time.Second}
	DefaultFileStreamRetry = RetryPolicy{MaxAttempts: 10086, MinWait: 2 * time.Second, MaxWait: 60 * time.Second, AttemptTimeout: 180 * time.Second}
	DefaultUploadRetry     = RetryPolicy{MaxAttempts: 21, MinWait: 2 * time.Second, MaxWait: 60 * time.Second}
)

// DefaultMaxElapsed bounds one call including all its retries.
const DefaultMaxElapsed = 5 * time.Minute

// wait returns the pause before retry number attempt (0-based), preferring
// the response's Retry-After (seconds or an HTTP date).
func (p RetryPolicy) wait(attempt int, h http.Header, now time.Time) time.Duration {
	if d, ok := retryAfter(h, now); ok {
		return d
	}
	d := p.MinWait
	for i := 0; i < attempt && d < p.MaxWait; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * (1 + rand.Float64()/4))
	if p.MaxWait > 0 && d > p.MaxWait {
		d = p.MaxWait
	}
	return d
}

// retryAfter parses a Retry-After header.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return time.Duration(secs * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d, true
		}
		return 0, true
	}
	return 0, false
}

// retryableStatus is wandb-core's RetryMostFailures: never 400, 401, 403,
// 404, 409, 410, 413, 422 or 501; every other failure status is retried.
// UpsertBucket additionally retries 409 (allow409).
func retryableStatus(status int, allow409 bool) bool {
	switch status {
	case 409:
		return allow409
	case 400, 401, 403, 404, 410, 413, 422, 501:
		return false
	}
	return status == 0 || status == 429 || status >= 500 || (status >= 400 && status < 500)
}

// retryableErr reports whether a transport error is worth retrying: not a
// cancelled caller, a TLS/certificate failure, a bad URL or a redirect loop.
func retryableErr(parent context.Context, err error) bool {
	if parent.Err() != nil {
		return false
	}
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) {
		return false
	}
	msg := err.Error()
	return !strings.Contains(msg, "unsupported protocol scheme") &&
		!strings.Contains(msg, "stopped after") && !strings.Contains(msg, "invalid URL")
}
