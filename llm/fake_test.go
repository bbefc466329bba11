package llm

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
)

// A recognisable fake key: every test checks it never shows up in an error.
const testKey = "sk-test-SECRETKEY-0123456789abcdef"

// seen is one request the fake server received.
type seen struct {
	Method, Path string
	Header       http.Header
	Body         map[string]any
	Raw          string
}

// reply is what the fake server answers.
type reply struct {
	Status int
	Header map[string]string
	Body   string
}

// fakeServer is a local HTTP server speaking whatever protocol its answer
// function writes; it records every request.
type fakeServer struct {
	*httptest.Server
	mu    sync.Mutex
	calls []seen
}

func newFake(t *testing.T, answer func(n int, s seen) reply) *fakeServer {
	return startFake(t, false, answer)
}

// newFakeTLS serves HTTPS (Bedrock refuses bearer tokens over HTTP);
// clients must use f.Client().
func newFakeTLS(t *testing.T, answer func(n int, s seen) reply) *fakeServer {
	return startFake(t, true, answer)
}

func startFake(t *testing.T, tls bool, answer func(n int, s seen) reply) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		s := seen{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Raw: string(data)}
		_ = json.Unmarshal(data, &s.Body)
		f.mu.Lock()
		f.calls = append(f.calls, s)
		n := len(f.calls)
		f.mu.Unlock()
		rep := answer(n, s)
		if rep.Status == 0 {
			rep.Status = 200
		}
		if _, ok := rep.Header["Content-Type"]; !ok {
			w.Header().Set("Content-Type", "application/json")
		}
		for k, v := range rep.Header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(rep.Status)
		_, _ = io.WriteString(w, rep.Body)
	}))
	if tls {
		f.StartTLS()
	} else {
		f.Start()
	}
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func (f *fakeServer) last() seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[len(f.calls)-1]
}

// history is a conversation with everything the converters must handle:
// a system prompt, tool calls with an id some providers reject, a tool
// result, a summary (an assistant item without calls) directly followed by
// an assistant turn, a call without id and a result without id.
func history() []agent.Message {
	return []agent.Message{
		{Role: agent.RoleSystem, Content: "You are a helpful assistant."},
		{Role: agent.RoleUser, Content: "Fix the bug."},
		{Role: agent.RoleAssistant, Content: "Look around.", ToolCalls: []agent.ToolCall{{ID: "call:1/a", Name: "bash", Arguments: `{"command":"ls"}`}}},
		{Role: agent.RoleTool, Content: "a.py\nb.py", ToolCallIDs: []string{"call:1/a"}},
		{Role: agent.RoleAssistant, Content: "SUMMARY: listed files", Tags: []string{agent.TagSummary}},
		{Role: agent.RoleAssistant, Content: "", ToolCalls: []agent.ToolCall{{Name: "bash", Arguments: `{"command":"cat a.py"}`}}},
		{Role: agent.RoleTool, Content: ""},
	}
}

func request() Request {
	return Request{Messages: history(), Tools: agent.BaseTools(), Temperature: 0.5, MaxOutput: 1000, Turn: 3}
}

// errorCase is one failure a provider's fake server produces and how it
// must be classified.
type errorCase struct {
	name       string
	rep        reply
	kind       Kind
	retryAfter time.Duration
	contains   string // expected in the error text
}

// checkErrors runs the cases against a model built on a fake server and
// checks kind, retryability, delay, that exactly one request was made (no
// hidden SDK retries) and that the key never appears in the error.
func checkErrors(t *testing.T, cases []errorCase, tls bool, build func(t *testing.T, f *fakeServer) Model, secrets ...string) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := startFake(t, tls, func(int, seen) reply { return tc.rep })
			m := build(t, f)
			_, err := m.Complete(context.Background(), request())
			require.Error(t, err)
			require.Equal(t, tc.kind, KindOf(err), "error: %v", err)
			require.Equal(t, tc.kind == KindRateLimited || tc.kind == KindUnavailable || tc.kind == KindBadResponse, IsRetryable(err))
			d, ok := RetryAfter(err)
			require.Equal(t, tc.retryAfter, d)
			require.Equal(t, tc.retryAfter > 0, ok)
			require.Equal(t, tc.kind == KindContextExceeded, IsContextExceeded(err))
			require.Equal(t, tc.kind == KindAuth, IsAuth(err))
			require.Equal(t, 1, f.count(), "the SDK must not retry on its own")
			if tc.contains != "" {
				require.Contains(t, err.Error(), tc.contains)
			}
			noSecret(t, err, secrets...)
		})
	}
}

func noSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, testKey, "SECRETKEY") {
		for e := err; e != nil; e = errors.Unwrap(e) {
			require.NotContains(t, e.Error(), s)
		}
		require.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(s))
	}
}
