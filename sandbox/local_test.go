package sandbox

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

func testRepo() fstest.MapFS {
	return fstest.MapFS{
		"README.md":       {Data: []byte("hello\n")},
		"src/app.py":      {Data: []byte("print('v1')\n")},
		"scripts/run.sh":  {Data: []byte("#!/bin/sh\necho run\n"), Mode: 0o755},
		".git/HEAD":       {Data: []byte("ref: refs/heads/elsewhere\n")},
		"docs/notes.txt":  {Data: []byte("é\n")},
		"empty/.keep":     {Data: nil},
		"src/__init__.py": {Data: nil},
	}
}

func newLocal(t *testing.T, opts LocalOptions) *Local {
	t.Helper()
	if opts.Root == "" {
		opts.Root = t.TempDir()
	}
	sb, err := NewLocal(context.Background(), testRepo(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close(context.Background()) })
	return sb
}

func mustExec(t *testing.T, sb Sandbox, cmd string, timeout time.Duration) ExecResult {
	t.Helper()
	res, err := sb.Exec(context.Background(), cmd, timeout)
	if err != nil {
		t.Fatalf("Exec(%q): %v", cmd, err)
	}
	return res
}

// gone reports whether pid has exited, waiting up to 5s for it to do so. It
// waits on a pidfd, which becomes readable when the process exits, so it
// reacts to the exit event instead of sleeping; a zombie counts as exited.
func gone(pid int) bool { return goneWithin(pid, 5*time.Second) }

func goneWithin(pid int, d time.Duration) bool {
	fd, _, errno := syscall.Syscall(434 /* pidfd_open */, uintptr(pid), 0, 0)
	if errno == syscall.ESRCH {
		return true
	}
	if errno != 0 {
		return zombieOrAbsent(pid) // no pidfd support: check once
	}
	defer syscall.Close(int(fd))
	var set syscall.FdSet
	set.Bits[fd/64] |= 1 << (fd % 64)
	tv := syscall.NsecToTimeval(d.Nanoseconds())
	n, err := syscall.Select(int(fd)+1, &set, nil, nil, &tv)
	return err == nil && n == 1
}

func zombieOrAbsent(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] == 'Z'
}

func pids(t *testing.T, out string) []int {
	t.Helper()
	var ps []int
	for _, f := range strings.Fields(out) {
		if p, err := strconv.Atoi(f); err == nil {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		t.Fatalf("no pids in output %q", out)
	}
	return ps
}

func TestSetupCopiesAndCommits(t *testing.T) {
	sb := newLocal(t, LocalOptions{})
	if !strings.HasPrefix(sb.ID(), "ctxsweep-") || filepath.Dir(sb.Workdir()) != sb.Dir() {
		t.Fatalf("ID %q, workdir %q", sb.ID(), sb.Workdir())
	}
	res := mustExec(t, sb, "test -x scripts/run.sh && ! test -x src/app.py && git log --format=%s && git status --porcelain && git branch --show-current", 0)
	if res.ExitCode != 0 || res.Output != "base\nmain\n" {
		t.Fatalf("exit %d, output %q", res.ExitCode, res.Output)
	}
	if diff, err := Diff(context.Background(), sb); err != nil || diff != "" {
		t.Fatalf("fresh sandbox diff = %q, %v", diff, err)
	}
}

func TestExecTimeoutKillsProcessGroup(t *testing.T) {
	sb := newLocal(t, LocalOptions{})
	start := time.Now()
	res := mustExec(t, sb, "sleep 30 & echo $!; (sleep 31; echo never) & echo $!; sleep 32", 500*time.Millisecond)
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("Exec took %s", elapsed)
	}
	if !res.TimedOut || res.ExitCode != 137 {
		t.Fatalf("TimedOut=%v exit=%d", res.TimedOut, res.ExitCode)
	}
	for _, p := range pids(t, res.Output) {
		if !gone(p) {
			t.Errorf("background pid %d survived the timeout", p)
		}
	}
}

func TestExecKillsBackgroundJobsOnExit(t *testing.T) {
	sb := newLocal(t, LocalOptions{})
	start := time.Now()
	res := mustExec(t, sb, "sleep 30 & echo $!", 20*time.Second)
	if time.Since(start) > 10*time.Second || res.TimedOut || res.ExitCode != 0 {
		t.Fatalf("res %+v after %s", res, time.Since(start))
	}
	for _, p := range pids(t, res.Output) {
		if !gone(p) {
			t.Errorf("background pid %d outlived its command", p)
		}
	}
}

func TestExecContextCancel(t *testing.T) {
	sb := newLocal(t, LocalOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res, err := sb.Exec(ctx, "echo $$; sleep 30", time.Minute)
	if !errors.Is(err, context.DeadlineExceeded) || res.TimedOut {
		t.Fatalf("err %v, res %+v", err, res)
	}
	for _, p := range pids(t, res.Output) {
		if !gone(p) {
			t.Errorf("pid %d survived cancellation", p)
		}
	}
}

func TestExecExitCodesAndOrder(t *testing.T) {
	sb := newLocal(t, LocalOptions{})
	for cmd, want := range map[string]int{"true": 0, "false": 1, "exit 3": 3, "no-such-command-xyz": 127} {
		if res := mustExec(t, sb, cmd, 0); res.ExitCode != want || res.TimedOut {
			t.Errorf("%q: exit %d, want %d", cmd, res.ExitCode, want)
		}
	}
	res := mustExec(t, sb, "echo a; echo b >&2; echo c; cat docs/notes.txt >&2", 0)
	if res.Output != "a\nb\nc\né\n" || res.Truncated {
		t.Fatalf("output %q", res.Output)
	}
	if res.Duration <= 0 {
		t.Errorf("duration %v", res.Duration)
	}
}

func TestExecOutputCap(t *testing.T) {
	sb := newLocal(t, LocalOptions{MaxOutputBytes: 1000})
	res := mustExec(t, sb, "head -c 5000 /dev/zero | tr '\\0' a", 0)
	if !res.Truncated || !strings.HasPrefix(res.Output, strings.Repeat("a", 1000)+"\n") {
		t.Fatalf("truncated=%v output %q", res.Truncated, res.Output)
	}
	if strings.Contains(res.Output, strings.Repeat("a", 1001)) || !strings.Contains(res.Output, "4000 bytes omitted") {
		t.Fatalf("output %q", res.Output)
	}
	// A cap in the middle of a two-byte character drops the partial byte.
	res = mustExec(t, sb, "printf 'a'; for i in $(seq 600); do printf 'é'; done", 0)
	head, _, _ := strings.Cut(res.Output, "\n<output truncated")
	if len(head) != 999 || !strings.Contains(res.Output, "of 1201 bytes; 202 bytes omitted") {
		t.Fatalf("head %d bytes, output tail %q", len(head), res.Output[len(head):])
	}
	if res := mustExec(t, sb, "head -c 1000 /dev/zero | tr '\\0' b", 0); res.Truncated || len(res.Output) != 1000 {
		t.Fatalf("exactly the cap: truncated=%v len=%d", res.Truncated, len(res.Output))
	}
}

func TestExecEnvIsolated(t *testing.T) {
	t.Setenv("FOO_API_KEY", "sk-test-secret")
	sb := newLocal(t, LocalOptions{Env: map[string]string{"EXTRA": "1"}})
	res := mustExec(t, sb, "env", 0)
	if strings.Contains(res.Output, "FOO_API_KEY") || strings.Contains(res.Output, "sk-test-secret") {
		t.Fatalf("secret leaked into the sandbox env:\n%s", res.Output)
	}
	for _, want := range []string{"LANG=C.UTF-8", "LC_ALL=C.UTF-8", "PAGER=cat", "GIT_PAGER=cat", "EXTRA=1",
		"HOME=" + filepath.Join(sb.Dir(), "home"), "PATH=" + os.Getenv("PATH")} {
		if !strings.Contains(res.Output, want+"\n") {
			t.Errorf("env lacks %s:\n%s", want, res.Output)
		}
	}
	if res := mustExec(t, sb, "pwd", 0); res.Output != sb.Workdir()+"\n" {
		t.Errorf("pwd %q, want %q", res.Output, sb.Workdir())
	}
}

func TestFilesAndDiff(t *testing.T) {
	sb := newLocal(t, LocalOptions{})
	ctx := context.Background()
	if err := sb.WriteFile(ctx, "pkg/new.txt", []byte("brand new\n")); err != nil {
		t.Fatal(err)
	}
	if err := sb.WriteFile(ctx, filepath.Join(sb.Workdir(), "README.md"), []byte("hello\nworld\n")); err != nil {
		t.Fatal(err)
	}
	mustExec(t, sb, "sed -i 's/v1/v2/' src/app.py", 0)
	if got, err := sb.ReadFile(ctx, "src/app.py"); err != nil || string(got) != "print('v2')\n" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	for _, bad := range []string{"../outside", "/etc/passwd", filepath.Join(sb.Workdir(), "..", "home", "x")} {
		if _, err := sb.ReadFile(ctx, bad); err == nil {
			t.Errorf("ReadFile(%q) escaped the workdir", bad)
		}
		if err := sb.WriteFile(ctx, bad, []byte("x")); err == nil {
			t.Errorf("WriteFile(%q) escaped the workdir", bad)
		}
	}
	diff, err := Diff(ctx, sb)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"diff --git a/pkg/new.txt b/pkg/new.txt\nnew file mode 100644\n", "+brand new\n",
		"--- a/src/app.py\n+++ b/src/app.py\n", "-print('v1')\n+print('v2')\n", " hello\n+world\n",
	} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	if strings.Contains(diff, "ctxsweep-model.patch") {
		t.Errorf("diff includes its own patch file:\n%s", diff)
	}
}

func TestCloseRemovesEverything(t *testing.T) {
	root := t.TempDir()
	sb, err := NewLocal(context.Background(), testRepo(), LocalOptions{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, sb, "mkdir -p ro/sub && touch ro/sub/f && chmod 0555 ro/sub ro", 0)
	ctx := context.Background()
	if err := sb.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sb.Dir()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("sandbox dir still there: %v", err)
	}
	if err := sb.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := sb.Exec(ctx, "true", 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("Exec after Close: %v", err)
	}
	if _, err := sb.ReadFile(ctx, "README.md"); !errors.Is(err, ErrClosed) {
		t.Fatalf("ReadFile after Close: %v", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Fatalf("root not empty: %v", entries)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"abc/d.txt": "abc/d.txt", "": "''", "a b": "'a b'", "it's": `'it'\''s'`} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestGoneHelper(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	if goneWithin(pid, 50*time.Millisecond) {
		t.Fatal("a running process was reported gone")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if !gone(pid) {
		t.Fatal("a reaped process was reported alive")
	}
}
