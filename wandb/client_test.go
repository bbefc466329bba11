package wandb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
)

func TestRetriesOn500And429(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	r, err := e.c.UpsertRun(ctx, RunSpec{ID: "retry", Project: "p"})
	must(t, err)
	e.fake.Inject(fakewandb.Fault{Route: fakewandb.FileStream, Status: 500, Count: 2})
	e.fake.Inject(fakewandb.Fault{Route: fakewandb.FileStream, Close: true})
	must(t, e.c.WriteHistory(ctx, r, 0, []map[string]any{{"x": 1}}))
	fs := 0
	for _, rq := range e.fake.Requests() {
		if strings.HasSuffix(rq.Path, "/file_stream") {
			fs++
		}
	}
	if fs != 4 || len(e.fake.History("retry")) != 1 {
		t.Fatalf("%d file_stream attempts, history %v", fs, e.fake.History("retry"))
	}

	// 429 with Retry-After: the wait follows the header, not the backoff.
	e.fake.Inject(fakewandb.Fault{Route: fakewandb.GraphQL, Op: "CreateRunFiles", Status: 429, RetryAfter: "1"})
	start := time.Now()
	must(t, e.c.UploadTable(ctx, r, "t", []string{"a"}, [][]any{{1}}))
	if d := time.Since(start); d < time.Second {
		t.Fatalf("Retry-After ignored: retried after %v", d)
	}
	if !strings.Contains(e.logs.String(), "status=429") {
		t.Errorf("retry not logged: %s", e.logs)
	}
}

func TestNoRetryOnClientErrorsAndBoundedTime(t *testing.T) {
	e := newEnv(t, fakewandb.Options{})
	r, _ := e.c.UpsertRun(ctx, RunSpec{ID: "nr", Project: "p"})
	e.fake.Inject(fakewandb.Fault{Route: fakewandb.FileStream, Status: 404})
	var ae *APIError
	if err := e.c.Heartbeat(ctx, r); !errors.As(err, &ae) || ae.Status != 404 || ae.Attempts != 1 {
		t.Fatalf("404: %v", err)
	}
	// UpsertBucket retries 409, other operations do not.
	e.fake.Inject(fakewandb.Fault{Route: fakewandb.GraphQL, Op: "UpsertBucket", Status: 409})
	if _, err := e.c.UpsertRun(ctx, RunSpec{ID: "nr", Project: "p"}); err != nil {
		t.Fatalf("409 on UpsertBucket not retried: %v", err)
	}
	// A server that stays down fails within MaxElapsed.
	e.fake.SetDown(true)
	e.c.FileStreamRetry = RetryPolicy{MaxAttempts: 1000, MinWait: 20 * time.Millisecond, MaxWait: 20 * time.Millisecond}
	e.c.MaxElapsed = 300 * time.Millisecond
	start := time.Now()
	err := e.c.Heartbeat(ctx, r)
	if !errors.As(err, &ae) || ae.Status != 0 || ae.Attempts < 3 || time.Since(start) > 2*time.Second {
		t.Fatalf("down: %v after %v", err, time.Since(start))
	}
	// Cancellation stops the retries at once.
	e.c.MaxElapsed = time.Hour
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := e.c.Heartbeat(cctx, r); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancel: %v", err)
	}
	e.fake.SetDown(false)
	// GraphQL errors with HTTP 200 are returned, not retried.
	e.fake.Inject(fakewandb.Fault{Route: fakewandb.GraphQL, GraphQLError: "permission denied"})
	if _, err := e.c.Viewer(ctx); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("graphql error: %v", err)
	}
}

func TestAPIKeyNeverLeaks(t *testing.T) {
	const key = "local-0123456789abcdef0123456789abcdef01234567"
	e := newEnv(t, fakewandb.Options{APIKey: key})
	c := newTestClient(t, e.ts.URL, key, e.logs)
	var texts []string
	r, err := c.UpsertRun(ctx, RunSpec{ID: "k", Project: "p"})
	must(t, err)
	e.fake.Inject(fakewandb.Fault{Route: fakewandb.FileStream, Status: 500, Count: 100})
	c.MaxElapsed = 100 * time.Millisecond
	texts = append(texts, fmt.Sprint(c.Heartbeat(ctx, r)))
	// A wrong key: 401.
	wrong := newTestClient(t, e.ts.URL, key+"x", e.logs)
	_, err = wrong.Viewer(ctx)
	texts = append(texts, fmt.Sprint(err))
	// A server that echoes the request headers back in its error.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprintf(w, "bad request from %s", r.Header.Get("Authorization"))
	}))
	defer echo.Close()
	_, err = newTestClient(t, echo.URL, key, e.logs).Viewer(ctx)
	texts = append(texts, fmt.Sprint(err))
	// Unreachable server.
	_, err = newTestClient(t, "http://127.0.0.1:1", key, e.logs).Viewer(ctx)
	texts = append(texts, fmt.Sprint(err))
	s := c.Settings()
	texts = append(texts, fmt.Sprintf("%v %+v %#v %s %q %x", s, s, s, s, s, s), fmt.Sprintf("%v %+v %#v", c, c, c),
		fmt.Sprintf("%+v %#v", struct{ S Settings }{s}, struct{ s Settings }{s}), e.logs.String())
	for _, rq := range e.fake.Requests() {
		texts = append(texts, fmt.Sprint(rq.Header))
	}
	secret := strings.TrimPrefix(s.authHeader(), "Basic ")
	for _, txt := range texts {
		if strings.Contains(txt, key) || strings.Contains(txt, secret) || strings.Contains(txt, "0123456789abcdef0123") {
			t.Fatalf("key leaked: %s", txt)
		}
	}
	if !strings.Contains(texts[2], "[REDACTED]") {
		t.Errorf("echoed key not redacted: %s", texts[2])
	}
}
