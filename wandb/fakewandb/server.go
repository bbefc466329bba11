// Package fakewandb is an in-process fake W&B server for tests: GraphQL
// (Viewer, ServerFeaturesQuery, UpsertBucket, RunResumeStatus,
// CreateRunFiles, MarkRunFilesUploaded, StopRun, RunStoppedStatus,
// UpdateRunState, UpsertSweep, GetSweeps, GetSweep), the file_stream endpoint
// and signed-URL uploads. It records every request and the state of every
// run, applies file_stream lines at their offsets as the real server does,
// checks the protocol rules in strict mode (the default) and injects faults.
//
// Use it with httptest.NewServer(fakewandb.New(opts)) or Start.
package fakewandb

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultAPIKey is the key the fake accepts unless Options.APIKey is set.
const DefaultAPIKey = "fakewandb-0123456789abcdefghijklmnopqrstuvwxyz"

// DefaultEntity is the viewer's entity, used when a request names none.
const DefaultEntity = "test-entity"

// Reporter receives strict-mode violations; *testing.T satisfies it.
type Reporter interface {
	Errorf(format string, args ...any)
}

// Options configures a Server. The zero value is a strict server.
type Options struct {
	APIKey           string        // accepted key; DefaultAPIKey if empty
	Entity           string        // viewer entity; DefaultEntity if empty
	Lenient          bool          // turn off the strict protocol assertions
	Reporter         Reporter      // also told about every violation
	Features         []string      // enabled server features (e.g. EXPAND_DEFINED_METRIC_GLOBS)
	HeartbeatTimeout time.Duration // strict: max gap between file_stream requests of a live run (0 = unchecked)
	// CrashAfter: a live run silent this long is crashed, as the real
	// server's stale-run sweep marks it (about 5 min there): State says
	// "crashed" and, in strict mode, the next request of the run is a
	// violation (0 = never).
	CrashAfter time.Duration
	// RateLimit is the most file_stream requests per run in any second
	// (W&B documents about 2); more get 429 with Retry-After and, in
	// strict mode, a violation (0 = unlimited).
	RateLimit     int
	UploadBaseURL string // host of upload URLs; the request's own host if empty
	Now           func() time.Time
}

// Request is one recorded HTTP request; the Authorization header is reduced
// to its scheme.
type Request struct {
	Time     time.Time
	Method   string
	Path     string
	Op       string // GraphQL operation name
	Run      string // run name, when the request concerns one run
	Auth     string // "Basic", "Bearer", "" (none)
	Header   http.Header
	Body     []byte // decompressed
	Status   int    // 0 when the connection was dropped
	Response []byte

	retryAfter string
}

// Server is the fake. It implements http.Handler.
type Server struct {
	opts Options

	mu         sync.Mutex
	runs       map[string]*runState // entity/project/name
	sweeps     []*SweepState
	requests   []Request
	violations []string
	faults     []*Fault
	down       bool
	latency    time.Duration
	seq        int

	srv *http.Server
}

// New returns a fake server.
func New(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.Entity == "" {
		opts.Entity = DefaultEntity
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Server{opts: opts, runs: map[string]*runState{}}
}

// Start serves on addr (e.g. "127.0.0.1:0") in the background and returns
// the base URL to put in WANDB_BASE_URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// Close stops a server started with Start.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// ServeHTTP routes a request, applying latency, faults and auth first.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	rec := Request{Time: s.opts.Now(), Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	rec.Auth, _, _ = strings.Cut(r.Header.Get("Authorization"), " ")
	if rec.Header.Get("Authorization") != "" {
		rec.Header.Set("Authorization", rec.Auth+" [REDACTED]")
	}
	route, gq := s.classify(r, body, &rec)
	s.mu.Lock()
	lat, down := s.latency, s.down
	s.mu.Unlock()
	if down {
		s.record(rec)
		dropConnection(w)
		return
	}
	exit := func() {}
	if route == FileStream {
		exit = sync.OnceFunc(s.enterFileStream(r.URL.Path))
		defer exit()
	}
	if lat > 0 {
		select {
		case <-time.After(lat):
		case <-r.Context().Done():
			return
		}
	}
	if f := s.takeFault(route, rec.Op); f != nil {
		if f.Close {
			exit() // the client sees the drop at once and may retry at once
		}
		if s.applyFault(w, r, f, &rec) {
			return
		}
	}
	status, resp := 0, []byte(nil)
	switch {
	case err != nil:
		status, resp = http.StatusBadRequest, errJSON("fake: unreadable body: "+err.Error())
	case route == "":
		status, resp = http.StatusNotFound, errJSON("fake: no route "+r.URL.Path)
	case route == Upload:
		status, resp = s.handleUpload(r, body, &rec)
	case !s.authorized(r):
		status, resp = http.StatusUnauthorized, errJSON("unauthorized")
	case route == GraphQL:
		status, resp = s.handleGraphQL(gq, &rec)
	case route == FileStream:
		status, resp = s.handleFileStream(r, body, &rec)
	}
	rec.Status, rec.Response = status, resp
	s.record(rec)
	w.Header().Set("Content-Type", "application/json")
	if rec.retryAfter != "" {
		w.Header().Set("Retry-After", rec.retryAfter)
	}
	w.WriteHeader(status)
	w.Write(resp)
}

// classify finds the route (and for GraphQL the decoded request).
func (s *Server) classify(r *http.Request, body []byte, rec *Request) (Route, *gqlRequest) {
	p := r.URL.Path
	switch {
	case p == "/graphql" && r.Method == http.MethodPost:
		gq := decodeGraphQL(body)
		gq.Host, rec.Op = r.Host, gq.Op
		return GraphQL, gq
	case strings.HasPrefix(p, "/files/") && strings.HasSuffix(p, "/file_stream") && r.Method == http.MethodPost:
		return FileStream, nil
	case strings.HasPrefix(p, "/upload/") && r.Method == http.MethodPut:
		return Upload, nil
	}
	return "", nil
}

// authorized checks Basic auth with user "api" and the configured key.
func (s *Server) authorized(r *http.Request) bool {
	scheme, cred, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || scheme != "Basic" {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(cred)
	return err == nil && string(raw) == "api:"+s.opts.APIKey
}

func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	if rec.Run != "" {
		for _, rs := range s.runs {
			if rs.Name == rec.Run {
				rs.Requests++
			}
		}
	}
}

// violate records a strict-mode violation; the caller holds s.mu.
func (s *Server) violate(format string, args ...any) {
	if s.opts.Lenient {
		return
	}
	msg := fmt.Sprintf(format, args...)
	s.violations = append(s.violations, msg)
	if s.opts.Reporter != nil {
		s.opts.Reporter.Errorf("fakewandb strict: %s", msg)
	}
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Violations returns the strict-mode violations so far.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Ops counts recorded GraphQL requests by operation name.
func (s *Server) Ops() map[string]int {
	out := map[string]int{}
	for _, r := range s.Requests() {
		if r.Op != "" {
			out[r.Op]++
		}
	}
	return out
}

func readBody(r *http.Request) ([]byte, error) {
	var rd io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		gz, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, err
		}
		rd = gz
	}
	return io.ReadAll(rd)
}

func errJSON(msg string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"errors":[{"message":%q}]}`, msg)
	return b.Bytes()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
