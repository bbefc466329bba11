package wandb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Client talks to a W&B server. Its exported fields may be adjusted after
// NewClient and before first use. A Client is safe for concurrent use.
type Client struct {
	HTTP            *http.Client // injectable transport; http.DefaultClient's settings by default
	GraphQLRetry    RetryPolicy
	FileStreamRetry RetryPolicy
	UploadRetry     RetryPolicy
	MaxElapsed      time.Duration    // bound on one call including retries (0 = unbounded)
	Logger          *slog.Logger     // retries and warnings; never headers or the key
	Now             func() time.Time // clock for `_timestamp`/`_runtime`

	settings Settings

	mu       sync.Mutex
	features map[string]bool   // server features, fetched once
	sweepIDs map[string]string // entity/project/name → sweep ID
}

// NewClient returns a client for s. hc may be nil. It fails if s has no key.
func NewClient(s Settings, hc *http.Client) (*Client, error) {
	if !s.Valid() {
		return nil, errors.New("wandb: no API key (set WANDB_API_KEY or a netrc entry for " + s.base() + ")")
	}
	if hc == nil {
		hc = &http.Client{}
	}
	s.BaseURL = s.base()
	return &Client{
		HTTP: hc, GraphQLRetry: DefaultGraphQLRetry, FileStreamRetry: DefaultFileStreamRetry,
		UploadRetry: DefaultUploadRetry, MaxElapsed: DefaultMaxElapsed,
		Logger: slog.New(slog.DiscardHandler), Now: time.Now, settings: s,
	}, nil
}

// Settings returns the client's settings (the key stays redacted in output).
func (c *Client) Settings() Settings { return c.settings }

// String describes the client without its key.
func (c *Client) String() string { return "wandb.Client{" + c.settings.String() + "}" }

// RunURL is the run's page in the W&B UI.
func (c *Client) RunURL(r *Run) string {
	return fmt.Sprintf("%s/%s/%s/runs/%s", c.settings.app(), r.Entity, r.Project, r.ID)
}

// APIError is a failed request after retries. It never contains the API key.
type APIError struct {
	Op       string // e.g. "graphql UpsertBucket", "file_stream", "upload"
	Status   int    // HTTP status; 0 for a network error; 200 for GraphQL errors
	Message  string // server or network message, key redacted
	Attempts int
	err      error
}

func (e *APIError) Error() string {
	s := fmt.Sprintf("wandb: %s failed", e.Op)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap exposes context errors so errors.Is(err, context.Canceled) works.
func (e *APIError) Unwrap() error { return e.err }

// request is one logical HTTP call, retried by do.
type request struct {
	op, method, url string
	body            []byte
	header          http.Header
	auth            bool // send the Basic credential (never for uploads)
	policy          RetryPolicy
	allow409        bool
}

// do runs rq with retries and returns the 2xx response body.
func (c *Client) do(ctx context.Context, rq request) ([]byte, error) {
	start := time.Now() // the retry budget runs on the wall clock, not c.Now
	var last *APIError
	for attempt := 0; ; attempt++ {
		status, hdr, body, err := c.attempt(ctx, rq)
		if err == nil && status/100 == 2 {
			return body, nil
		}
		last = &APIError{Op: rq.op, Status: status, Attempts: attempt + 1}
		retry := false
		if err != nil {
			last.Message = c.settings.redact(err.Error())
			if ctx.Err() != nil {
				last.err = ctx.Err()
				return nil, last
			}
			retry = retryableErr(ctx, err)
		} else {
			last.Message = c.settings.redact(errorMessage(body))
			retry = retryableStatus(status, rq.allow409)
		}
		if !retry || attempt+1 >= rq.policy.MaxAttempts {
			return nil, last
		}
		wait := rq.policy.wait(attempt, hdr, time.Now())
		if c.MaxElapsed > 0 && time.Since(start)+wait > c.MaxElapsed {
			last.Message += " (retry budget exhausted)"
			return nil, last
		}
		c.Logger.Warn("wandb: retrying", "op", rq.op, "status", status, "attempt", attempt+1,
			"wait", wait, "error", last.Message)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			last.err = ctx.Err()
			return nil, last
		case <-t.C:
		}
	}
}

// attempt performs one HTTP exchange.
func (c *Client) attempt(ctx context.Context, rq request) (int, http.Header, []byte, error) {
	if rq.policy.AttemptTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rq.policy.AttemptTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, rq.url, bytes.NewReader(rq.body))
	if err != nil {
		return 0, nil, nil, err
	}
	for k, vs := range rq.header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", "ctxsweep-wandb-go/"+ClientVersion)
	if rq.auth {
		req.Header.Set("Authorization", c.settings.authHeader())
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return 0, resp.Header, nil, err
	}
	return resp.StatusCode, resp.Header, body, nil
}

// errorMessage extracts a short message from an error response body.
func errorMessage(body []byte) string {
	if msg := graphQLErrorText(body); msg != "" {
		return msg
	}
	s := string(bytes.TrimSpace(body))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
