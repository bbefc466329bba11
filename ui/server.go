// Package ui serves `starter ui`: a read-only local web app over a data
// directory (sweeps, trials, instances, what the model saw at each turn)
// and over directories of seed / SWE-agent .traj files. Pages are rendered
// with html/template, so everything taken from trajectories is escaped;
// the few scripts are embedded and write text with textContent only.
package ui

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/ctxresearch/ctxsweep/workflows"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Live reads live figures from a Temporal server. Implementations answer
// quickly or fail: the UI then falls back to the files.
type Live interface {
	// Sweeps maps the name of every sweep the server knows to its workflow
	// status ("Running", "Completed", ...).
	Sweeps(ctx context.Context) (map[string]string, error)
	// Status is a running sweep's status with its running trials' figures.
	Status(ctx context.Context, name string) (workflows.SweepStatus, error)
}

// Config configures a Server.
type Config struct {
	DataDir string
	// Imports are directories searched recursively for .traj files; each
	// becomes a browsable sweep whose trials are the directories holding
	// them.
	Imports []string
	Live    Live // nil: files only
	// Token, when set, is required on every request (query parameter
	// "token" once, then a cookie; or an Authorization: Bearer header).
	Token string
	// LoopbackHosts rejects requests whose Host header is not a loopback
	// name (a page elsewhere cannot reach the UI through DNS rebinding).
	LoopbackHosts bool
	// TemporalUI is the Temporal Web UI's base URL ("" hides the links);
	// Namespace its namespace.
	TemporalUI string
	Namespace  string
	Now        func() time.Time
}

// Server is the UI's http.Handler.
type Server struct {
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
	cache *trajCache
}

// New parses the embedded templates and returns the server.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	s := &Server{cfg: cfg, pages: map[string]*template.Template{}, mux: http.NewServeMux(), cache: newTrajCache(4)}
	for _, page := range []string{"sweeps.html", "sweep.html", "trial.html", "instance.html", "compare.html"} {
		t, err := template.New(page).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+page)
		if err != nil {
			return nil, fmt.Errorf("ui templates: %w", err)
		}
		s.pages[page] = t
	}
	static, _ := fs.Sub(assetFS, "assets")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.handleSweeps)
	s.mux.HandleFunc("GET /api/sweeps", s.handleSweepsJSON)
	s.mux.HandleFunc("GET /sweep", s.handleSweep)
	s.mux.HandleFunc("GET /trial", s.handleTrial)
	s.mux.HandleFunc("GET /instance", s.handleInstance)
	s.mux.HandleFunc("GET /compare", s.handleCompare)
	s.mux.HandleFunc("GET /api/view", s.handleView)
	s.mux.HandleFunc("GET /api/text", s.handleText)
	s.mux.HandleFunc("GET /api/live", s.handleLive)
	return s, nil
}

// ServeHTTP checks the host and token rules, then serves the request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.LoopbackHosts && !loopbackHost(r.Host) {
		http.Error(w, "this UI answers only on a loopback address (localhost, 127.0.0.1, [::1])", http.StatusForbidden)
		return
	}
	if s.cfg.Token != "" && !s.authorize(w, r) {
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	s.mux.ServeHTTP(w, r)
}
