package swebench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// CacheMeta is meta.json, written next to a dataset split's cached parquet
// files once all of them are downloaded. Its presence marks a complete
// download; Fetch then uses the files without touching the network.
type CacheMeta struct {
	Dataset      string       `json:"dataset"`
	Config       string       `json:"config"`
	Split        string       `json:"split"`
	ListURL      string       `json:"list_url"`
	Revision     string       `json:"revision,omitempty"` // X-Repo-Commit, when the Hub sent it
	DownloadedAt time.Time    `json:"downloaded_at"`
	Files        []CachedFile `json:"files"`
}

// CachedFile is one downloaded parquet shard.
type CachedFile struct {
	Name   string `json:"name"` // "<n>.parquet", n = position in the listing
	URL    string `json:"url"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

const metaName = "meta.json"

// DatasetDir is where ds is cached:
// <cache dir>/<id with "/" replaced by "__">/<config>/<split>.
func (l *Loader) DatasetDir(ds Dataset) string {
	return filepath.Join(l.cacheDir(), strings.ReplaceAll(ds.ID, "/", "__"), ds.Config, ds.Split)
}

// Cached returns the cache record of ds if a complete, intact download is
// present (every file exists with its recorded size and sha256).
func (l *Loader) Cached(ds Dataset) (CacheMeta, bool) {
	dir := l.DatasetDir(ds)
	var m CacheMeta
	b, err := os.ReadFile(filepath.Join(dir, metaName))
	if err != nil || json.Unmarshal(b, &m) != nil || len(m.Files) == 0 {
		return m, false
	}
	for _, f := range m.Files {
		sum, size, err := hashFile(filepath.Join(dir, f.Name))
		if err != nil || size != f.Size || sum != f.SHA256 {
			return m, false
		}
	}
	return m, true
}

// Fetch returns the local parquet files of ds, downloading them first unless
// an intact copy is cached. It lists the files with
// GET {HFBase}/api/datasets/<id>/parquet/<config>/<split> (a JSON list of
// URLs), downloads each (following redirects) and records sizes, sha256 and
// the download time in meta.json.
func (l *Loader) Fetch(ctx context.Context, ds Dataset) ([]string, error) {
	if err := ds.validate(); err != nil {
		return nil, err
	}
	dir := l.DatasetDir(ds)
	if m, ok := l.Cached(ds); ok {
		l.progress("using cached %s from %s (downloaded %s)", ds, dir, m.DownloadedAt.Format(time.RFC3339))
		return cachedPaths(dir, m), nil
	}
	if l.Offline {
		return nil, fmt.Errorf("swebench: dataset %s is not cached in %s and network access is off: download it once with network access, or use --instances-file", ds, dir)
	}
	listURL := l.base() + "/api/datasets/" + ds.ID + "/parquet/" + url.PathEscape(ds.Config) + "/" + url.PathEscape(ds.Split)
	l.progress("listing parquet files of %s: %s", ds, listURL)
	var urls []string
	if _, err := l.get(ctx, ds, listURL, func(r io.Reader) error {
		return json.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&urls)
	}); err != nil {
		return nil, err
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("swebench: dataset %s: %s lists no parquet files: check the subset and split", ds, listURL)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("swebench: dataset %s: cache: %w (set a writable cache directory)", ds, err)
	}
	lu, _ := url.Parse(listURL)
	m := CacheMeta{Dataset: ds.ID, Config: ds.Config, Split: ds.Split, ListURL: listURL}
	for i, raw := range urls {
		ref, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("swebench: dataset %s: %s listed a bad URL %q: %v", ds, listURL, raw, err)
		}
		u := lu.ResolveReference(ref).String()
		name := fmt.Sprintf("%d.parquet", i)
		l.progress("downloading %s file %d/%d: %s", ds.ID, i+1, len(urls), u)
		f, rev, err := l.download(ctx, ds, u, filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		f.Name = name
		m.Files = append(m.Files, f)
		if m.Revision == "" {
			m.Revision = rev
		}
		l.progress("downloaded %s (%d bytes, sha256 %s)", name, f.Size, f.SHA256)
	}
	m.DownloadedAt = time.Now().UTC()
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := writeAtomic(filepath.Join(dir, metaName), b); err != nil {
		return nil, fmt.Errorf("swebench: dataset %s: cache: %w", ds, err)
	}
	return cachedPaths(dir, m), nil
}

// download saves u to dst (through a temporary file) and returns its record
// and the dataset revision the Hub reported, if any.
func (l *Loader) download(ctx context.Context, ds Dataset, u, dst string) (CachedFile, string, error) {
	rec := CachedFile{URL: u}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".download-*")
	if err != nil {
		return rec, "", fmt.Errorf("swebench: dataset %s: cache: %w", ds, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	rev, err := l.get(ctx, ds, u, func(r io.Reader) error {
		n, err := io.Copy(io.MultiWriter(tmp, h), r)
		rec.Size = n
		return err
	})
	if err != nil {
		return rec, "", err
	}
	if err := tmp.Close(); err != nil {
		return rec, "", fmt.Errorf("swebench: dataset %s: cache: %w", ds, err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return rec, "", fmt.Errorf("swebench: dataset %s: cache: %w", ds, err)
	}
	rec.SHA256 = hex.EncodeToString(h.Sum(nil))
	return rec, rev, nil
}

// get fetches u and hands the body to read. It sends the token only to the
// Hub's own host, follows redirects, and returns the X-Repo-Commit header
// seen on any response of the chain. Errors say what to do.
func (l *Loader) get(ctx context.Context, ds Dataset, u string, read func(io.Reader) error) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", fmt.Errorf("swebench: dataset %s: bad URL %s: %v (check CTXSWEEP_HF_BASE)", ds, u, err)
	}
	if tok := l.token(); tok != "" && sameHost(u, l.base()) {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	var rev string
	c := *l.client()
	inner := c.CheckRedirect
	c.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if r.Response != nil && rev == "" {
			rev = r.Response.Header.Get("X-Repo-Commit")
		}
		if inner != nil {
			return inner(r, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("swebench: dataset %s: GET %s: %w", ds, u, ctx.Err())
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is named once below
		}
		return "", fmt.Errorf("swebench: dataset %s: GET %s: %v; no network? Download it once on a machine with access "+
			"(it is cached under %s: copy that directory here or set CTXSWEEP_HF_CACHE), set CTXSWEEP_HF_BASE to a mirror, "+
			"or use --instances-file with a local .json, .jsonl or .parquet file", ds, u, err, l.cacheDir())
	}
	defer resp.Body.Close()
	if rev == "" {
		rev = resp.Header.Get("X-Repo-Commit")
	}
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		hint := "retry later, or use --instances-file"
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			hint = "the dataset may be gated or the token invalid: accept its terms on the Hub and set HF_TOKEN"
		case http.StatusNotFound:
			hint = "no such dataset, config or split: check --instances-subset and the split"
		case http.StatusTooManyRequests:
			hint = "rate limited: wait, or set HF_TOKEN"
		}
		return "", fmt.Errorf("swebench: dataset %s: GET %s: HTTP %d %s: %s", ds, u, resp.StatusCode,
			strings.TrimSpace(string(snippet)), hint)
	}
	if err := read(resp.Body); err != nil {
		return "", fmt.Errorf("swebench: dataset %s: GET %s: reading the response: %v (retry, or use --instances-file)", ds, u, err)
	}
	return rev, nil
}

// sameHost reports whether u is on the host of base.
func sameHost(u, base string) bool {
	a, err1 := url.Parse(u)
	b, err2 := url.Parse(base)
	return err1 == nil && err2 == nil && strings.EqualFold(a.Host, b.Host)
}

// cachedPaths lists the files of a cache record.
func cachedPaths(dir string, m CacheMeta) []string {
	out := make([]string, len(m.Files))
	for i, f := range m.Files {
		out[i] = filepath.Join(dir, f.Name)
	}
	return out
}

// hashFile returns the sha256 (hex) and size of a file.
func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// writeAtomic writes b to path through a temporary file and a rename.
func writeAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".meta-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
