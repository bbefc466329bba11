// Package fakebedrock is a local AWS Bedrock Converse server for tests and
// soak runs, with a container-credentials endpoint that rotates keys. The
// Converse server checks SigV4 signatures (recomputed with the secret of
// the access key used) and answers with Bedrock's documented errors:
// ExpiredTokenException for a key past its expiry, UnrecognizedClient or
// InvalidSignature for anything else wrong, and any injected fault
// (ThrottlingException, ServiceUnavailableException ...), never with a
// Retry-After. CountTokens answers 3 for any signed request. Replies follow a script: bash commands, then submit on
// Config.Turns; a request without tools (a summary) gets text.
package fakebedrock

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Config says how the server behaves.
type Config struct {
	// Turns is the turn on which the model submits (default 3).
	Turns int
	// Rotate, when set, makes the credentials endpoint hand out a new key
	// every Rotate; a key is accepted until 2×Rotate after it was issued.
	// Zero: one key that never expires.
	Rotate time.Duration
	// Fault, when set, is asked for every Converse request (n counts from
	// 1): a non-zero HTTP status and an exception name make it fail.
	Fault func(n int) (status int, exception string)
	// Region the signatures must name (default us-east-1).
	Region string
	// Latency is how long each answered Converse call takes.
	Latency time.Duration
}

// Stats are the server's counters.
type Stats struct {
	Calls       int            // Converse requests answered with a reply
	Rejected    map[string]int // Converse requests refused, by exception
	CredFetches int            // credentials served
	CredDown    int            // credential requests refused (outage)
	Keys        int            // distinct access keys that signed an answered call
}

// Server is a running fake Bedrock with its credentials endpoint.
type Server struct {
	cfg   Config
	start time.Time
	ln    net.Listener
	srv   *http.Server
	mu    sync.Mutex
	st    Stats
	used  map[string]bool
	down  time.Time // the credentials endpoint answers 500 until then
	// keys issued: access key → secret, token, expiry.
	keys map[string]key
	n    int
}

type key struct {
	secret, token string
	expires       time.Time
}

// Start listens on 127.0.0.1 at a free port.
func Start(cfg Config) (*Server, error) {
	if cfg.Turns <= 0 {
		cfg.Turns = 3
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, start: time.Now(), ln: ln, keys: map[string]key{}, used: map[string]bool{},
		st: Stats{Rejected: map[string]int{}}}
	mux := http.NewServeMux()
	mux.HandleFunc("/creds", s.creds)
	mux.HandleFunc("/", s.converse)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the api_base of a preset using this server.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// CredentialsURL is the value for AWS_CONTAINER_CREDENTIALS_FULL_URI.
func (s *Server) CredentialsURL() string { return s.URL() + "/creds" }

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// CredentialsDown makes the credentials endpoint answer HTTP 500 for d
// from now.
func (s *Server) CredentialsDown(d time.Duration) {
	s.mu.Lock()
	s.down = time.Now().Add(d)
	s.mu.Unlock()
}

// AddKey accepts a static key (no expiry), e.g. one put in the environment.
func (s *Server) AddKey(id, secret, token string) {
	s.mu.Lock()
	s.keys[id] = key{secret: secret, token: token}
	s.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.st
	out.Rejected = map[string]int{}
	for k, v := range s.st.Rejected {
		out.Rejected[k] = v
	}
	out.Keys = len(s.used)
	return out
}

// creds serves container credentials (the ECS/EKS endpoint's JSON).
func (s *Server) creds(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if now.Before(s.down) {
		s.st.CredDown++
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"code":"InternalError","message":"credentials endpoint unavailable"}`)
		return
	}
	gen, expires := 0, now.Add(6*time.Hour)
	if r := s.cfg.Rotate; r > 0 {
		gen = int(now.Sub(s.start) / r)
		expires = s.start.Add(time.Duration(gen+2) * r)
	}
	id := fmt.Sprintf("ASIAFAKE%012d", gen)
	k, ok := s.keys[id]
	if !ok {
		k = key{secret: fmt.Sprintf("fake-secret-%d", gen), token: fmt.Sprintf("fake-token-%d", gen), expires: expires}
		s.keys[id] = k
	}
	s.st.CredFetches++
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"AccessKeyId": id, "SecretAccessKey": k.secret, "Token": k.token,
		"Expiration": k.expires.UTC().Format(time.RFC3339Nano)})
}

func (s *Server) fail(w http.ResponseWriter, status int, exception, msg string) {
	s.mu.Lock()
	s.st.Rejected[exception]++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", exception)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// check verifies the SigV4 signature of a request and returns the
// exception to answer ("" when it is good).
func (s *Server) check(r *http.Request, body []byte) (status int, exception, msg string) {
	auth := r.Header.Get("Authorization")
	fields := map[string]string{}
	rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256 ")
	if !ok {
		return 403, "MissingAuthenticationTokenException", "Missing Authentication Token"
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || scope[2] != s.cfg.Region || scope[3] != "bedrock" {
		return 403, "InvalidSignatureException", "bad credential scope " + fields["Credential"]
	}
	s.mu.Lock()
	k, known := s.keys[scope[0]]
	s.mu.Unlock()
	if !known {
		return 403, "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	if !k.expires.IsZero() && time.Now().After(k.expires) {
		return 403, "ExpiredTokenException", "The security token included in the request is expired"
	}
	if r.Header.Get("X-Amz-Security-Token") != k.token {
		return 403, "UnrecognizedClientException", "The security token included in the request is invalid."
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || time.Since(when).Abs() > 5*time.Minute {
		return 403, "InvalidSignatureException", "Signature expired"
	}
	// Recompute the signature over the signed headers.
	req, _ := http.NewRequestWithContext(context.Background(), r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	req.Host = r.Host
	for _, h := range strings.Split(fields["SignedHeaders"], ";") {
		if h == "host" {
			continue
		}
		req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: scope[0], SecretAccessKey: k.secret, SessionToken: k.token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "bedrock", s.cfg.Region, when); err != nil {
		return 403, "InvalidSignatureException", err.Error()
	}
	_, want, _ := strings.Cut(req.Header.Get("Authorization"), "Signature=")
	if want == "" || want != fields["Signature"] {
		return 403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided."
	}
	return 0, "", ""
}

func (s *Server) converse(w http.ResponseWriter, r *http.Request) {
	count := strings.HasSuffix(r.URL.Path, "/count-tokens")
	if r.Method != http.MethodPost || !(count || strings.HasSuffix(r.URL.Path, "/converse")) {
		s.fail(w, 404, "UnknownOperationException", "unknown operation "+r.URL.Path)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if status, exc, msg := s.check(r, body); status != 0 {
		s.fail(w, status, exc, msg)
		return
	}
	if count {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"inputTokens":3}`)
		return
	}
	if s.cfg.Fault != nil {
		s.mu.Lock()
		s.n++
		n := s.n
		s.mu.Unlock()
		if status, exc := s.cfg.Fault(n); status != 0 {
			s.fail(w, status, exc, "injected "+exc)
			return
		}
	}
	var req struct {
		Messages []struct {
			Role string `json:"role"`
		} `json:"messages"`
		ToolConfig *json.RawMessage `json:"toolConfig"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		s.fail(w, 400, "ValidationException", "malformed request body")
		return
	}
	turn := 1
	for _, m := range req.Messages {
		if m.Role == "assistant" {
			turn++
		}
	}
	var content []any
	stop := "tool_use"
	switch {
	case req.ToolConfig == nil:
		content, stop = []any{map[string]any{"text": fmt.Sprintf("Summary of %d turns.", turn-1)}}, "end_turn"
	case turn >= s.cfg.Turns:
		content = []any{map[string]any{"text": "Submitting."},
			map[string]any{"toolUse": map[string]any{"toolUseId": fmt.Sprintf("tooluse_%d", turn), "name": "submit", "input": map[string]any{}}}}
	default:
		content = []any{map[string]any{"text": fmt.Sprintf("Turn %d.", turn)},
			map[string]any{"toolUse": map[string]any{"toolUseId": fmt.Sprintf("tooluse_%d", turn), "name": "bash",
				"input": map[string]any{"command": fmt.Sprintf("echo turn %d", turn)}}}}
	}
	if d := s.cfg.Latency; d > 0 {
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	s.mu.Lock()
	s.st.Calls++
	id, _, _ := strings.Cut(strings.TrimPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential="), "/")
	s.used[id] = true
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"output":     map[string]any{"message": map[string]any{"role": "assistant", "content": content}},
		"stopReason": stop,
		"usage":      map[string]any{"inputTokens": 1000, "outputTokens": 50, "totalTokens": 1050},
		"metrics":    map[string]any{"latencyMs": 5},
	})
}
