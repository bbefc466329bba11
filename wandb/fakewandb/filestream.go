package fakewandb

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"
)

// fsBody is a file_stream request body.
type fsBody struct {
	Files map[string]struct {
		Offset  int      `json:"offset"`
		Content []string `json:"content"`
	} `json:"files"`
	Uploaded   []string `json:"uploaded"`
	Preempting bool     `json:"preempting"`
	Complete   bool     `json:"complete"`
	ExitCode   *int     `json:"exitcode"`
}

// runKeyFromPath parses /files/{entity}/{project}/{run}/file_stream.
func runKeyFromPath(p string) (key, name string, ok bool) {
	parts := strings.Split(strings.TrimSuffix(strings.TrimPrefix(p, "/files/"), "/file_stream"), "/")
	if len(parts) != 3 {
		return "", "", false
	}
	for i := range parts {
		parts[i], _ = url.PathUnescape(parts[i])
	}
	return strings.Join(parts, "/"), parts[2], true
}

// enterFileStream counts an in-flight request of the run (rule 5: never
// more than one) and returns the function that ends it.
func (s *Server) enterFileStream(path string) func() {
	key, _, ok := runKeyFromPath(path)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.runs[key]
	if !ok || r == nil {
		return func() {}
	}
	if r.inflight++; r.inflight > 1 {
		s.violate("run %s: %d overlapping file_stream requests", r.Name, r.inflight)
	}
	return func() { s.mu.Lock(); r.inflight--; s.mu.Unlock() }
}

// handleFileStream applies a file_stream request: every file's content
// lines are written at offset+i. A line re-sent at an existing offset
// overwrites it (a duplicate when only _runtime/_timestamp differ); in
// strict mode a gap (offset beyond the current end) rejects the whole
// request with 400 and nothing is applied.
func (s *Server) handleFileStream(r *http.Request, body []byte, rec *Request) (int, []byte) {
	key, name, ok := runKeyFromPath(r.URL.Path)
	if !ok {
		return http.StatusNotFound, errJSON("fake: bad file_stream path")
	}
	rec.Run = name
	var fb fsBody
	if err := decodeLenient(body, &fb); err != nil {
		return http.StatusBadRequest, errJSON("fake: bad file_stream body: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.runs[key]
	if rs == nil {
		return http.StatusNotFound, errJSON("fake: no run " + key)
	}
	now := s.opts.Now()
	if len(body) > maxRequestBytes {
		s.violate("run %s: file_stream body of %d bytes", rs.Name, len(body))
	}
	if hb := s.opts.HeartbeatTimeout; hb > 0 && !rs.Complete && !rs.lastFS.IsZero() && now.Sub(rs.lastFS) > hb+hb/2 {
		s.violate("run %s: %v without a file_stream request", rs.Name, now.Sub(rs.lastFS).Round(time.Millisecond))
	}
	if ca := s.opts.CrashAfter; ca > 0 && !rs.Complete {
		last := rs.lastFS
		if last.IsZero() {
			last = rs.created
		}
		if gap := now.Sub(last); gap > ca {
			rs.Crashes++
			s.violate("run %s: crashed: %v without a file_stream request", rs.Name, gap.Round(time.Millisecond))
		}
	}
	if lim := s.opts.RateLimit; lim > 0 {
		n := 0
		for _, t := range rs.FileStreamTimes {
			if now.Sub(t) < time.Second {
				n++
			}
		}
		if n >= lim {
			rs.RateLimited++
			s.violate("run %s: more than %d file_stream requests in a second", rs.Name, lim)
			rec.retryAfter = "1"
			return http.StatusTooManyRequests, errJSON("rate limit exceeded")
		}
	}
	rs.lastFS, rs.FileStreamTimes = now, append(rs.FileStreamTimes, now)
	names := sortedKeys(fb.Files)
	for _, f := range names {
		fl := fb.Files[f]
		if f == summaryFile {
			if fl.Offset != 0 || len(fl.Content) != 1 {
				s.violate("run %s: summary sent at offset %d with %d lines", rs.Name, fl.Offset, len(fl.Content))
			}
			continue
		}
		if end := rs.lineCount(f); fl.Offset > end && !s.opts.Lenient {
			s.violate("run %s: gap in %s: offset %d but %d lines", rs.Name, f, fl.Offset, end)
			return http.StatusBadRequest, errJSON("fake: gap in " + f)
		}
	}
	changed := false
	for _, f := range names {
		fl := fb.Files[f]
		if f == summaryFile && len(fl.Content) > 0 {
			fl.Offset, fl.Content = 0, fl.Content[len(fl.Content)-1:]
		}
		for i, line := range fl.Content {
			changed = s.applyLine(rs, f, fl.Offset+i, line) || changed
		}
	}
	for _, p := range fb.Uploaded {
		if _, ok := rs.Files[p]; !ok {
			s.violate("run %s: %s reported uploaded but never PUT", rs.Name, p)
		}
		if !contains(rs.Uploaded, p) {
			rs.Uploaded, changed = append(rs.Uploaded, p), true
		}
	}
	rs.Preempting = rs.Preempting || fb.Preempting
	if rs.sealed && changed {
		s.violate("run %s: file_stream data after complete (without resuming)", rs.Name)
	}
	if fb.Complete {
		s.complete(rs, fb.ExitCode)
	}
	if rs.Stopped {
		return http.StatusOK, []byte(`{"stopped":true}`)
	}
	return http.StatusOK, []byte(`{}`)
}

// complete applies {"complete": true, "exitcode": N} (rule 7).
func (s *Server) complete(rs *runState, code *int) {
	if code == nil {
		s.violate("run %s: complete without exitcode", rs.Name)
		zero := 0
		code = &zero
	}
	if rs.sealed && rs.ExitCode != nil && *rs.ExitCode != *code {
		s.violate("run %s: completed twice with exit codes %d and %d", rs.Name, *rs.ExitCode, *code)
	}
	s.checkComplete(rs)
	c := *code
	rs.Complete, rs.ExitCode, rs.sealed = true, &c, true
}

// applyLine writes one line; it reports whether stored data changed beyond
// `_runtime`/`_timestamp`.
func (s *Server) applyLine(rs *runState, file string, off int, line string) bool {
	if rs.Lines[file] == nil {
		rs.Lines[file] = map[int]string{}
	}
	if len(line) > maxLineBytes {
		s.violate("run %s: %s line %d is %d bytes", rs.Name, file, off, len(line))
	}
	old, exists := rs.Lines[file][off]
	if exists && old == line {
		rs.Duplicates++
		return false
	}
	rs.Lines[file][off] = line
	if file != historyFile && file != eventsFile && file != summaryFile {
		return true
	}
	m, ok := decodeObject(line)
	if !ok {
		s.violate("run %s: %s line %d is not a JSON object", rs.Name, file, off)
		return true
	}
	if file != eventsFile {
		s.checkTables(rs, m, file)
	}
	if !exists || file == summaryFile {
		if file == historyFile {
			s.checkHistoryLine(rs, off, m)
		}
		return true
	}
	om, _ := decodeObject(old)
	if reflect.DeepEqual(without(om, "_runtime", "_timestamp"), without(m, "_runtime", "_timestamp")) {
		rs.Duplicates++
		return false
	}
	s.violate("run %s: %s line %d rewritten with different content", rs.Name, file, off)
	return true
}

// handleUpload stores a PUT to an upload URL (/upload/{e}/{p}/{run}/{path}).
// Uploads must carry the upload headers and no credentials (rules 10, 17).
func (s *Server) handleUpload(r *http.Request, body []byte, rec *Request) (int, []byte) {
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/upload/"), "/", 4)
	if len(parts) != 4 {
		return http.StatusNotFound, errJSON("fake: bad upload path")
	}
	rec.Run = parts[2]
	s.mu.Lock()
	defer s.mu.Unlock()
	rs := s.runs[parts[0]+"/"+parts[1]+"/"+parts[2]]
	if rs == nil {
		return http.StatusNotFound, errJSON("fake: no run for upload")
	}
	p := parts[3]
	if r.Header.Get("Authorization") != "" {
		s.violate("run %s: upload of %s carries an Authorization header", rs.Name, p)
	}
	if r.Header.Get("X-Fake-Upload") != "1" {
		s.violate("run %s: upload of %s lacks the upload headers", rs.Name, p)
	}
	if !rs.createdURLs[p] {
		s.violate("run %s: upload of %s without CreateRunFiles", rs.Name, p)
	}
	rs.Files[p] = append([]byte(nil), body...)
	rs.UploadHeaders[p] = r.Header.Values("X-Fake-Upload")
	return http.StatusOK, []byte(`{}`)
}
