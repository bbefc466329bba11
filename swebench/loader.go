package swebench

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// DefaultHFBase is the Hugging Face Hub address.
const DefaultHFBase = "https://huggingface.co"

// Loader loads instances from a local file or a Hugging Face dataset.
// The zero value works: it uses the defaults documented on each field.
type Loader struct {
	// HFBase is the Hub address; empty means $CTXSWEEP_HF_BASE, else
	// DefaultHFBase. Tests point it at a local server.
	HFBase string
	// CacheDir holds downloaded parquet files; empty means DefaultCacheDir().
	CacheDir string
	// Token is sent as "Authorization: Bearer" to the Hub (never to other
	// hosts, never logged); empty means $HF_TOKEN.
	Token string
	// Client makes the HTTP requests; nil means a client with no overall
	// timeout (the context bounds each load).
	Client *http.Client
	// Offline forbids network access: only cached downloads are used.
	Offline bool
	// Progress, when set, receives one line per download step.
	Progress func(msg string)
}

// DefaultCacheDir is $CTXSWEEP_HF_CACHE if set, else
// <user cache dir>/ctxsweep/hf (e.g. ~/.cache/ctxsweep/hf).
func DefaultCacheDir() string {
	if d := os.Getenv("CTXSWEEP_HF_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "ctxsweep", "hf")
}

// Load reads the rows sel names (sel.File if set, else the Hugging Face
// dataset of sel.Subset and sel.Split, downloaded once and cached), checks
// that instance ids are unique, and returns Select(rows, sel).
func (l *Loader) Load(ctx context.Context, sel Selection) ([]Instance, error) {
	rows, err := l.LoadAll(ctx, sel)
	if err != nil {
		return nil, err
	}
	return Select(rows, sel)
}

// LoadAll is Load without the selection: every row, in dataset order.
func (l *Loader) LoadAll(ctx context.Context, sel Selection) ([]Instance, error) {
	var rows []Instance
	source := sel.File
	if sel.File != "" {
		r, err := ReadFile(sel.File)
		if err != nil {
			return nil, err
		}
		rows = r
	} else {
		ds, err := ResolveDataset(sel.Subset, sel.Split)
		if err != nil {
			return nil, err
		}
		source = ds.String()
		paths, err := l.Fetch(ctx, ds)
		if err != nil {
			return nil, err
		}
		for _, p := range paths {
			r, err := ReadParquet(p)
			if err != nil {
				return nil, fmt.Errorf("%w (dataset %s; delete %s to download it again)", err, ds, filepath.Dir(p))
			}
			rows = append(rows, r...)
		}
	}
	seen := make(map[string]int, len(rows))
	for i, in := range rows {
		if j, dup := seen[in.InstanceID]; dup {
			return nil, fmt.Errorf("swebench: %s: instance_id %q appears in rows %d and %d; ids must be unique", source, in.InstanceID, j, i)
		}
		seen[in.InstanceID] = i
	}
	return rows, nil
}

// base returns the Hub address without a trailing slash.
func (l *Loader) base() string {
	b := l.HFBase
	if b == "" {
		b = os.Getenv("CTXSWEEP_HF_BASE")
	}
	if b == "" {
		b = DefaultHFBase
	}
	return strings.TrimRight(b, "/")
}

// cacheDir returns the configured or default cache directory.
func (l *Loader) cacheDir() string {
	if l.CacheDir != "" {
		return l.CacheDir
	}
	return DefaultCacheDir()
}

// token returns the Hub token, if any.
func (l *Loader) token() string {
	if l.Token != "" {
		return l.Token
	}
	return os.Getenv("HF_TOKEN")
}

// client returns the HTTP client to use.
func (l *Loader) client() *http.Client {
	if l.Client != nil {
		return l.Client
	}
	return http.DefaultClient
}

// progress reports one step if a hook is set.
func (l *Loader) progress(format string, args ...any) {
	if l.Progress != nil {
		l.Progress(fmt.Sprintf(format, args...))
	}
}
