// Package fakemodel is an OpenAI-compatible chat-completions server for
// benchmarks and tests: it answers after a configurable latency with
// configurable token counts and a scripted action per turn (bash commands,
// then submit). It listens on 127.0.0.1 only.
//
// The reply depends only on the request: the turn is one more than the
// number of assistant messages the request carries, so a retried or
// re-sent call gets the same answer and the server keeps no per-instance
// state.
package fakemodel

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Config says how the fake model behaves.
type Config struct {
	// Latency is how long each call takes before the reply is sent.
	Latency time.Duration
	// Jitter, when set, adds a uniformly random offset in [-Jitter,
	// +Jitter] to each call's latency (so concurrent conversations do not
	// stay in lockstep).
	Jitter time.Duration
	// Turns is the turn on which the model submits; turns before it run
	// Command. 0 means 10.
	Turns int
	// Command is the bash command of a turn (default "echo turn N").
	Command func(turn int) string
	// Token counts reported in usage (defaults 1000 / 50 / 0).
	PromptTokens, CompletionTokens, CachedTokens int
	// Fault, when set, is asked for every request (n counts requests from
	// 1) and may make it fail: it returns the HTTP status to answer (0 =
	// answer normally) and a Retry-After value ("" = none).
	Fault func(n int) (status int, retryAfter string)
	// Record keeps the arrival and reply time of every request
	// (Server.Requests).
	Record bool
}

// Request is one recorded request: its turn, when it arrived and when
// its reply was sent.
type Request struct {
	Turn       int
	Start, End time.Time
}

// RateLimitAndErrors is a Fault that answers 429 (Retry-After: retryAfter)
// to rate429 out of every 10 requests and 500 to rate500 of them, in a
// fixed pattern, so a retried request eventually succeeds.
func RateLimitAndErrors(rate429, rate500 int, retryAfter string) func(int) (int, string) {
	return func(n int) (int, string) {
		switch k := n % 10; {
		case k < rate429:
			return http.StatusTooManyRequests, retryAfter
		case k < rate429+rate500:
			return http.StatusInternalServerError, ""
		}
		return 0, ""
	}
}

// Server is a running fake model.
type Server struct {
	cfg      Config
	srv      *http.Server
	ln       net.Listener
	mu       sync.Mutex
	calls    int
	requests int
	faults   map[int]int // status → count
	first    time.Time
	busy     time.Duration // Σ handler time
	perTurn  map[int]int
	prev     map[string]seenAt // by conversation (its first user message)
	gapSum   time.Duration
	gapN     int
	lastCall time.Time
	log      []Request
}

// Requests returns the recorded requests (Config.Record), in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Start listens on 127.0.0.1 (port 0 = any free port).
func Start(cfg Config, port int) (*Server, error) {
	if cfg.Turns <= 0 {
		cfg.Turns = 10
	}
	if cfg.Command == nil {
		cfg.Command = func(turn int) string { return fmt.Sprintf("echo turn %d", turn) }
	}
	if cfg.PromptTokens == 0 {
		cfg.PromptTokens = 1000
	}
	if cfg.CompletionTokens == 0 {
		cfg.CompletionTokens = 50
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, ln: ln, perTurn: map[int]int{}, prev: map[string]seenAt{}, faults: map[int]int{}}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.handle), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the API base to put in a preset (…/v1).
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + "/v1" }

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// Stats are the server's counters.
type Stats struct {
	Calls int
	First time.Time     // when the first request arrived (zero if none)
	Last  time.Time     // when the last reply was sent
	Busy  time.Duration // Σ time spent answering (latency included)
	// PerTurn counts requests by turn number (across all instances).
	PerTurn map[int]int
	// GapSum / Gaps: Σ time between the request of turn t and that of
	// turn t+1 of the same conversation, and how many such pairs: the
	// turn latency an instance sees (model, command and orchestration).
	GapSum time.Duration
	Gaps   int
	// Faults counts injected failures by HTTP status.
	Faults map[int]int
}

type seenAt struct {
	turn int
	at   time.Time
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	pt := make(map[int]int, len(s.perTurn))
	for k, v := range s.perTurn {
		pt[k] = v
	}
	fa := make(map[int]int, len(s.faults))
	for k, v := range s.faults {
		fa[k] = v
	}
	return Stats{Calls: s.calls, First: s.first, Last: s.lastCall, Busy: s.busy, PerTurn: pt, GapSum: s.gapSum, Gaps: s.gapN, Faults: fa}
}

type message struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type request struct {
	Model    string    `json:"model"`
	Messages []message `json:"messages"`
	Tools    []any     `json:"tools"`
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if !strings.HasSuffix(r.URL.Path, "/chat/completions") || r.Method != http.MethodPost {
		http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
		return
	}
	body, err := io.ReadAll(r.Body)
	var req request
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		http.Error(w, `{"error":{"message":"bad json","type":"invalid_request_error"}}`, http.StatusBadRequest)
		return
	}
	if s.cfg.Fault != nil {
		s.mu.Lock()
		s.requests++
		n := s.requests
		s.mu.Unlock()
		if status, after := s.cfg.Fault(n); status != 0 {
			s.mu.Lock()
			s.faults[status]++
			s.mu.Unlock()
			if after != "" {
				w.Header().Set("Retry-After", after)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = fmt.Fprintf(w, `{"error":{"message":"injected fault %d","type":"fake_fault"}}`, status)
			return
		}
	}
	turn, key := 1, ""
	for _, m := range req.Messages {
		if m.Role == "assistant" {
			turn++
		}
		if m.Role == "user" && key == "" {
			key = string(m.Content)
		}
	}
	s.mu.Lock()
	if p, ok := s.prev[key]; ok && p.turn+1 == turn {
		s.gapSum += start.Sub(p.at)
		s.gapN++
	}
	s.prev[key] = seenAt{turn, start}
	s.calls++
	if s.first.IsZero() {
		s.first = start
	}
	s.perTurn[turn]++
	s.mu.Unlock()

	if d := s.latency(); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	out := s.reply(req, turn)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out)
	end := time.Now()
	s.mu.Lock()
	s.busy += end.Sub(start)
	s.lastCall = end
	if s.cfg.Record {
		s.log = append(s.log, Request{Turn: turn, Start: start, End: end})
	}
	s.mu.Unlock()
}

// latency is the wait of one call: Latency, moved by up to ±Jitter.
func (s *Server) latency() time.Duration {
	d := s.cfg.Latency
	if j := s.cfg.Jitter; j > 0 {
		d += time.Duration(rand.Int64N(int64(2*j)+1)) - j
	}
	return d
}

// reply builds the chat.completion for a turn: a summary request (no
// tools) gets text, otherwise a bash call or, on the last turn, submit.
func (s *Server) reply(req request, turn int) []byte {
	msg := map[string]any{"role": "assistant"}
	finish := "tool_calls"
	switch {
	case len(req.Tools) == 0:
		msg["content"], finish = fmt.Sprintf("Summary of the first %d turns.", turn-1), "stop"
	case turn >= s.cfg.Turns:
		msg["content"] = "Submitting."
		msg["tool_calls"] = []any{call(turn, "submit", "{}")}
	default:
		args, _ := json.Marshal(map[string]string{"command": s.cfg.Command(turn)})
		msg["content"] = fmt.Sprintf("Turn %d.", turn)
		msg["tool_calls"] = []any{call(turn, "bash", string(args))}
	}
	out, _ := json.Marshal(map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", turn), "object": "chat.completion", "created": time.Now().Unix(), "model": req.Model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": finish, "message": msg}},
		"usage": map[string]any{"prompt_tokens": s.cfg.PromptTokens, "completion_tokens": s.cfg.CompletionTokens,
			"total_tokens":          s.cfg.PromptTokens + s.cfg.CompletionTokens,
			"prompt_tokens_details": map[string]any{"cached_tokens": s.cfg.CachedTokens}},
	})
	return out
}

func call(turn int, name, args string) map[string]any {
	return map[string]any{"id": fmt.Sprintf("call_%d", turn), "type": "function",
		"function": map[string]any{"name": name, "arguments": args}}
}

// Preset is the name of the model preset ModelsFile writes.
const Preset = "fakebench"

// ModelsFile writes a models YAML with one preset named Preset pointing at
// this server and returns its path.
func (s *Server) ModelsFile(dir string) (string, error) {
	y := fmt.Sprintf("models:\n  %s:\n    provider: openai\n    model_id: fake\n    api_base: %q\n    context_window: 1000000\n"+
		"    temperature: 0\n    price: {input: 1, cached_input: 0.1, output: 5, source: \"bench fake model\"}\n", Preset, s.URL())
	path := filepath.Join(dir, "fakemodel.yaml")
	return path, os.WriteFile(path, []byte(y), 0o644)
}
