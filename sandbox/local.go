package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// LocalOptions configures NewLocal. The zero value is usable.
type LocalOptions struct {
	// Root is the parent directory of the sandbox; "" means os.TempDir().
	Root string
	// MaxOutputBytes caps Exec output; 0 means DefaultMaxOutput.
	MaxOutputBytes int
	// DefaultTimeout applies when Exec gets a timeout <= 0; 0 means
	// DefaultTimeout.
	DefaultTimeout time.Duration
	// Env adds or overrides variables of the command environment. Nothing
	// from the parent process is inherited except PATH.
	Env map[string]string
}

// Local is a Sandbox backed by a temporary directory on the host:
//
//	<Root>/ctxsweep-XXXX/repo   the repository copy (Workdir, a git repo)
//	<Root>/ctxsweep-XXXX/home   HOME of every command
//	<Root>/ctxsweep-XXXX/tmp    TMPDIR of every command
//
// It isolates files and environment variables, not privileges: commands run
// as the current user. Every Exec is a fresh `bash -c` in its own process
// group, and the whole group is killed when the command ends, times out or is
// cancelled, so no background job outlives its Exec.
type Local struct {
	base, workdir string
	env           []string
	maxOutput     int
	timeout       time.Duration

	mu     sync.Mutex
	closed bool
	groups map[int]struct{} // process groups of running commands
}

var _ Sandbox = (*Local)(nil)

// NewLocal copies the files of repo into a fresh sandbox directory and makes
// them the base commit of a new git repository, so that Diff later shows
// exactly the changes made inside the sandbox. A top-level .git directory in
// repo is not copied.
func NewLocal(ctx context.Context, repo fs.FS, opts LocalOptions) (*Local, error) {
	root := opts.Root
	if root == "" {
		root = os.TempDir()
	}
	base, err := os.MkdirTemp(root, "ctxsweep-")
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	l := &Local{
		base:      base,
		workdir:   filepath.Join(base, "repo"),
		maxOutput: opts.MaxOutputBytes,
		timeout:   opts.DefaultTimeout,
		groups:    map[int]struct{}{},
	}
	if l.maxOutput <= 0 {
		l.maxOutput = DefaultMaxOutput
	}
	if l.timeout <= 0 {
		l.timeout = DefaultTimeout
	}
	l.env = buildEnv(base, opts.Env)
	if err := l.init(ctx, repo); err != nil {
		l.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return l, nil
}

func (l *Local) init(ctx context.Context, repo fs.FS) error {
	for _, d := range []string{"repo", "home", "tmp"} {
		if err := os.Mkdir(filepath.Join(l.base, d), 0o755); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	if err := copyFS(repo, l.workdir); err != nil {
		return fmt.Errorf("sandbox: copying repository: %w", err)
	}
	const setup = "git -c init.defaultBranch=main init -q" +
		" && git config user.name ctxsweep" +
		" && git config user.email ctxsweep@localhost" +
		" && git config commit.gpgsign false" +
		" && git add -A && git commit -q --allow-empty -m base"
	res, err := l.Exec(ctx, setup, 2*time.Minute)
	if err != nil {
		return fmt.Errorf("sandbox: git setup: %w", err)
	}
	if res.ExitCode != 0 || res.TimedOut {
		return fmt.Errorf("sandbox: git setup failed (exit %d): %s",
			res.ExitCode, strings.TrimSpace(res.Output))
	}
	return nil
}

// buildEnv returns the command environment: a fixed allow-list, never the
// parent's variables (which may hold API keys), except PATH.
func buildEnv(base string, extra map[string]string) []string {
	vars := map[string]string{
		"PATH":                    os.Getenv("PATH"),
		"HOME":                    filepath.Join(base, "home"),
		"TMPDIR":                  filepath.Join(base, "tmp"),
		"LANG":                    "C.UTF-8",
		"LC_ALL":                  "C.UTF-8",
		"PAGER":                   "cat",
		"GIT_PAGER":               "cat",
		"TERM":                    "dumb",
		"GIT_CONFIG_NOSYSTEM":     "1",
		"PYTHONDONTWRITEBYTECODE": "1",
		"PYTHONUNBUFFERED":        "1", // interleave like a terminal would
	}
	if vars["PATH"] == "" {
		vars["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	for k, v := range extra {
		vars[k] = v
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

// copyFS writes the files of src under dst. Executable bits survive when src
// reports them; symbolic links are recreated when src can read them.
func copyFS(src fs.FS, dst string) error {
	return fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == ".git" {
			return fs.SkipDir
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			if rl, ok := src.(fs.ReadLinkFS); ok {
				link, err := rl.ReadLink(p)
				if err != nil {
					return err
				}
				return os.Symlink(link, target)
			}
		case !d.Type().IsRegular():
			return nil // devices, sockets, pipes: not repository content
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if info, err := fs.Stat(src, p); err == nil && info.Mode().Perm()&0o111 != 0 {
			mode = 0o755
		}
		return os.WriteFile(target, data, mode)
	})
}

// ID returns the sandbox directory name, e.g. "ctxsweep-123456".
func (l *Local) ID() string { return filepath.Base(l.base) }

// Workdir returns the path of the repository copy.
func (l *Local) Workdir() string { return l.workdir }

// Dir returns the sandbox's top directory (parent of Workdir).
func (l *Local) Dir() string { return l.base }

// rel turns a path given relative to Workdir, or absolute inside it, into a
// name for os.Root, which also refuses escapes through "..".
func (l *Local) rel(p string) (string, error) {
	if filepath.IsAbs(p) {
		r, err := filepath.Rel(l.workdir, filepath.Clean(p))
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("sandbox: %s is outside the workdir %s", p, l.workdir)
		}
		return r, nil
	}
	return filepath.Clean(p), nil
}

func (l *Local) openRoot() (*os.Root, error) {
	l.mu.Lock()
	closed := l.closed
	l.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	return os.OpenRoot(l.workdir)
}

// ReadFile reads a file of the repository copy.
func (l *Local) ReadFile(ctx context.Context, path string) ([]byte, error) {
	name, err := l.rel(path)
	if err != nil {
		return nil, err
	}
	r, err := l.openRoot()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.ReadFile(name)
}

// WriteFile writes a file of the repository copy, creating parent
// directories. An existing file keeps its permission bits.
func (l *Local) WriteFile(ctx context.Context, path string, data []byte) error {
	name, err := l.rel(path)
	if err != nil {
		return err
	}
	r, err := l.openRoot()
	if err != nil {
		return err
	}
	defer r.Close()
	if dir := filepath.Dir(name); dir != "." {
		if err := r.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return r.WriteFile(name, data, 0o644)
}

// Close kills the commands still running and removes the sandbox directory.
func (l *Local) Close(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	for pgid := range l.groups {
		killGroup(pgid)
	}
	l.mu.Unlock()
	err := os.RemoveAll(l.base)
	if err != nil {
		// Commands may have left read-only directories behind.
		filepath.WalkDir(l.base, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		err = os.RemoveAll(l.base)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sandbox: removing %s: %w", l.base, err)
	}
	return nil
}

func killGroup(pgid int) {
	if pgid > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
}
