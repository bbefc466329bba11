package engine

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// The factory builds network providers with keys from its Env (never from
// the run config), shares one client per preset, and names a missing key's
// variable without any value.
func TestModelFactoryBuildsNetworkProviders(t *testing.T) {
	var auth atomic.Value
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		calls.Add(1)
		auth.Store(r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x","object":"chat.completion","created":1,"model":"m",
		 "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":"",
		 "tool_calls":[{"id":"c1","type":"function","function":{"name":"submit","arguments":"{}"}}]}}],
		 "usage":{"prompt_tokens":10,"completion_tokens":2,"total_tokens":12}}`)
	}))
	defer srv.Close()
	p := llm.Preset{Name: "local", Provider: llm.ProviderOpenAI, ModelID: "m", APIBase: srv.URL, APIKeyEnv: "CTXSWEEP_TEST_KEY"}
	env := llm.MapEnv(map[string]string{"CTXSWEEP_TEST_KEY": "sk-engine-test-key-123456"})
	factory := ModelsWith(nil, ModelOptions{Env: &env})
	for i := 0; i < 2; i++ {
		m, err := factory(p, sweep.RunConfig{Model: "local"}, "demo__1")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := m.Complete(context.Background(), llm.Request{Messages: []agent.Message{{Role: agent.RoleUser, Content: "hi"}}, Tools: agent.BaseTools(), Turn: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.ToolCalls) != 1 || resp.ToolCalls[0].Name != "submit" || resp.Usage.Input != 10 || !resp.ProviderUsage {
			t.Fatalf("unexpected response %+v", resp)
		}
	}
	if got := auth.Load(); got != "Bearer sk-engine-test-key-123456" {
		t.Fatalf("Authorization = %v", got)
	}
	if calls.Load() != 2 {
		t.Fatalf("calls = %d", calls.Load())
	}

	empty := llm.MapEnv(nil)
	_, err := ModelsWith(nil, ModelOptions{Env: &empty})(p, sweep.RunConfig{}, "demo__1")
	if err == nil || !strings.Contains(err.Error(), "CTXSWEEP_TEST_KEY") {
		t.Fatalf("missing key: %v", err)
	}
}
