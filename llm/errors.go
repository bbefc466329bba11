package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Kind classifies a provider failure. The values are stable strings meant
// to be used as Temporal application-error types.
type Kind string

// Error kinds. RateLimited, Unavailable and BadResponse are retryable (the
// request may succeed later); the others cannot succeed as sent.
const (
	// KindRateLimited: HTTP 429 or a throttling exception. RetryAfter holds
	// the provider's Retry-After when it sent one.
	KindRateLimited Kind = "RateLimited"
	// KindUnavailable: 5xx (including Anthropic's 529 overloaded), 408/409,
	// timeouts and connection failures.
	KindUnavailable Kind = "ProviderUnavailable"
	// KindBadResponse: the provider answered 2xx with a body that is not the
	// protocol's JSON (a garbled or truncated reply, an HTML error page, no
	// choices).
	KindBadResponse Kind = "BadResponse"
	// KindContextExceeded: the prompt does not fit the model's context
	// window (or the request is too large). Maps to exit_context.
	KindContextExceeded Kind = "ContextWindowExceeded"
	// KindAuth: missing or rejected credentials, no permission for the
	// model, or no quota/credit left on the account.
	KindAuth Kind = "AuthFailed"
	// KindBadRequest: any other request the provider rejects (unknown
	// model, invalid parameters, content policy).
	KindBadRequest Kind = "BadRequest"
	// KindCredentials: credentials that can heal could not be used right
	// now: an expired session token (the source may hand out new ones),
	// the credentials endpoint (container, IMDS, SSO, STS,
	// credential_process) unreachable, failing or throttled. The call is
	// waited on for the sweep's credential wait, then ends with exit_api.
	KindCredentials Kind = "CredentialsUnavailable"
)

// Error is a classified provider failure. Its text never contains a
// credential: provider messages are redacted and truncated, and the SDK
// error (which may hold request headers) is not kept.
type Error struct {
	Kind     Kind
	Provider string
	Model    string
	// Status is the HTTP status, 0 when no response arrived.
	Status int
	// Code is the provider's error code or type, e.g. "rate_limit_exceeded",
	// "overloaded_error", "ThrottlingException".
	Code string
	// Message is the provider's message, redacted.
	Message string
	// RetryAfter is the delay the provider asked for (Retry-After,
	// retry-after-ms), 0 when none was given.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s", e.Provider, e.Model, e.Kind)
	if e.Status > 0 {
		fmt.Fprintf(&b, " (HTTP %d", e.Status)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		b.WriteString(")")
	} else if e.Code != "" {
		b.WriteString(" (" + e.Code + ")")
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, ", retry after %s", e.RetryAfter)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Retryable reports whether the same request may succeed later.
func (e *Error) Retryable() bool {
	switch e.Kind {
	case KindRateLimited, KindUnavailable, KindBadResponse:
		return true
	}
	return false
}

// KindOf returns the kind of a provider error in err's chain, "" when err
// is not one (e.g. a cancelled context).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// IsRetryable reports whether err is a provider error worth retrying
// (rate limit, outage, timeout, garbled reply). Context cancellation and
// non-provider errors are not.
func IsRetryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable()
}

// RetryAfter returns the delay the provider asked for before the next
// attempt, if it gave one.
func RetryAfter(err error) (time.Duration, bool) {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter, true
	}
	return 0, false
}

// IsContextExceeded reports whether the prompt overflowed the model's
// context window (the instance should end with exit_context).
func IsContextExceeded(err error) bool { return KindOf(err) == KindContextExceeded }

// IsAuth reports whether credentials were missing or rejected.
func IsAuth(err error) bool { return KindOf(err) == KindAuth }

// IsCredentialsWait reports whether err is a credentials failure that may
// heal (KindCredentials).
func IsCredentialsWait(err error) bool { return KindOf(err) == KindCredentials }

// contextPatterns are the phrases providers use for context overflow
// (OpenAI, vLLM/SGLang, DeepSeek, OpenRouter, Gemini, Anthropic, Bedrock).
var contextPatterns = regexp.MustCompile(`(?i)context[_ ]length|context window|maximum context|prompt is too long|input is too long|too many (input )?tokens|exceeds? the maximum number of tokens|exceed context limit|input length and .?max_tokens.? exceed|longer than the model|reduce the length|request_too_large|too large for model`)

// httpError classifies an HTTP error response.
func httpError(provider, model string, status int, header http.Header, code, msg string, secrets []string) *Error {
	e := &Error{Provider: provider, Model: model, Status: status, Code: redact(code, secrets), Message: clip(redact(msg, secrets))}
	lc := strings.ToLower(code)
	switch {
	case strings.Contains(lc, "insufficient_quota") || strings.Contains(lc, "billing_error"):
		e.Kind = KindAuth
	case status == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusPaymentRequired:
		e.Kind = KindAuth
	case status == http.StatusRequestTimeout || status == http.StatusConflict || status == http.StatusTooEarly || status >= 500:
		e.Kind = KindUnavailable
	case contextPatterns.MatchString(code + " " + msg):
		e.Kind = KindContextExceeded
	case status == http.StatusRequestEntityTooLarge:
		e.Kind = KindContextExceeded
	default:
		e.Kind = KindBadRequest
	}
	if e.Retryable() {
		e.RetryAfter = retryAfter(header, time.Now())
	}
	if e.RetryAfter == 0 && e.Kind == KindRateLimited && header != nil {
		// OpenAI sends no Retry-After on some 429s, only when its limits
		// refill (sent on every reply, so used on 429s only).
		e.RetryAfter = rateLimitReset(header)
	}
	return e
}

// transportError classifies an error that is not an HTTP error response:
// the caller's context ending (returned unchanged), network failures and
// timeouts (retryable), anything else (an unreadable reply).
func transportError(ctx context.Context, provider, model string, err error, secrets []string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	e := &Error{Provider: provider, Model: model, Message: clip(redact(err.Error(), secrets))}
	var ne net.Error
	switch {
	case errors.As(err, &ne), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, context.DeadlineExceeded):
		e.Kind, e.Code = KindUnavailable, "transport"
	default:
		e.Kind, e.Code = KindBadResponse, "unreadable reply"
	}
	return e
}

// badResponse is a 2xx reply that does not make sense (e.g. no choices).
func badResponse(provider, model, msg string) *Error {
	return &Error{Provider: provider, Model: model, Kind: KindBadResponse, Message: msg}
}

// retryAfter reads retry-after-ms (OpenAI), then Retry-After in seconds or
// as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

// rateLimitReset reads OpenAI's x-ratelimit-reset-requests and
// x-ratelimit-reset-tokens ("1s", "6m0s", "20ms", "1h2m3.5s"): the time
// until the exhausted limit refills, the longer of the two that are
// exhausted (x-ratelimit-remaining-* of 0) or, when none says so, of both.
func rateLimitReset(h http.Header) time.Duration {
	var either, exhausted time.Duration
	for _, kind := range []string{"requests", "tokens"} {
		d := resetDuration(h.Get("X-Ratelimit-Reset-" + kind))
		if d <= 0 {
			continue
		}
		either = max(either, d)
		if strings.TrimSpace(h.Get("X-Ratelimit-Remaining-"+kind)) == "0" {
			exhausted = max(exhausted, d)
		}
	}
	if exhausted > 0 {
		return exhausted
	}
	return either
}

// resetDuration parses a reset value: a Go-style duration ("6m0s",
// "20ms") or plain seconds ("2", "0.5").
func resetDuration(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s > 0 {
		return time.Duration(s * float64(time.Second))
	}
	if d, err := time.ParseDuration(v); err == nil && d > 0 {
		return d
	}
	return 0
}

// keyShapes match credentials that providers sometimes echo back (often
// partly masked): OpenAI/Anthropic/OpenRouter/DeepSeek sk- keys, Google
// AIza keys, AWS access key ids and bearer tokens.
var keyShapes = regexp.MustCompile(`\bsk-[A-Za-z0-9_\-*.]{6,}|AIza[0-9A-Za-z_\-]{10,}|\b(AKIA|ASIA)[0-9A-Z]{12,}\b|(?i:bearer\s+)[A-Za-z0-9._~+/=\-]{8,}|ABSK[A-Za-z0-9+/=]{8,}`)

// redact removes the given secrets and anything shaped like a key.
func redact(s string, secrets []string) string {
	for _, k := range secrets {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, "[redacted]")
		}
	}
	return keyShapes.ReplaceAllString(s, "[redacted]")
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}
