package fakewandb

import (
	"net/http"
	"time"
)

// Route names a group of endpoints for fault injection.
type Route string

// Routes of the fake.
const (
	AnyRoute   Route = ""
	GraphQL    Route = "graphql"
	FileStream Route = "file_stream"
	Upload     Route = "upload"
)

// Fault makes the next Count matching requests fail (protocol §12.4).
// Exactly one effect applies, checked in this order: Close drops the
// connection; Status replies with that status (and Retry-After if set);
// GraphQLError replies 200 with a GraphQL error; otherwise Delay only slows
// the request down before it is handled normally.
type Fault struct {
	Route        Route  // AnyRoute matches every route
	Op           string // GraphQL operation name; "" = any
	Count        int    // how many requests; 0 means 1
	Status       int
	RetryAfter   string // Retry-After header value, e.g. "1"
	Delay        time.Duration
	Close        bool
	GraphQLError string
}

// Inject queues a fault. Faults are consumed in the order injected.
func (s *Server) Inject(f Fault) {
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// SetDown makes every request fail by dropping the connection, as if the
// server were unreachable, until SetDown(false).
func (s *Server) SetDown(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

// SetLatency delays every request by d.
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// takeFault consumes one matching fault, if any.
func (s *Server) takeFault(route Route, op string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Route == AnyRoute || f.Route == route) && (f.Op == "" || f.Op == op) {
			if f.Count--; f.Count <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			c := *f
			return &c
		}
	}
	return nil
}

// applyFault performs f; it reports whether the request was answered.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, rec *Request) bool {
	if f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return true
		}
	}
	switch {
	case f.Close:
		s.record(*rec)
		dropConnection(w)
	case f.Status != 0:
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		rec.Status, rec.Response = f.Status, errJSON("fake: injected fault")
		s.record(*rec)
		w.WriteHeader(f.Status)
		w.Write(rec.Response)
	case f.GraphQLError != "":
		rec.Status, rec.Response = http.StatusOK, errJSON(f.GraphQLError)
		s.record(*rec)
		w.Write(rec.Response)
	default:
		return false
	}
	return true
}

// dropConnection closes the client's connection without a response.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
