package sandbox

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// The Docker tests need an engine (DOCKER_HOST) with the image built by
// scripts/testimage.sh. Without them they skip, unless
// CTXSWEEP_DOCKER_TESTS=required (as in .ci/run), where they fail instead.
const dockerTestImage = "ctxsweep/testbase:bookworm"

// labelTest marks the containers of these tests.
const labelTest = "ctxsweep.test"

var (
	dockerOnce sync.Once
	dockerCli  *client.Client
	dockerErr  error
)

func dockerUnavailable(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CTXSWEEP_DOCKER_TESTS") == "required" {
		t.Fatalf("Docker tests are required (CTXSWEEP_DOCKER_TESTS=required) but cannot run: %s", msg)
	}
	t.Skipf("skipping Docker test: %s (set CTXSWEEP_DOCKER_TESTS=required to make this a failure)", msg)
}

// testDockerClient returns a client for the engine of DOCKER_HOST that has
// the test image, or skips (fails when required).
func testDockerClient(t *testing.T) *client.Client {
	t.Helper()
	if os.Getenv("DOCKER_HOST") == "" {
		dockerUnavailable(t, "DOCKER_HOST is unset; start an engine with `eval \"$(scripts/dockerd.sh start)\"` "+
			"and build the image with scripts/testimage.sh")
	}
	dockerOnce.Do(func() { dockerCli, dockerErr = NewDockerClient(context.Background()) })
	if dockerErr != nil {
		dockerUnavailable(t, "%v", dockerErr)
	}
	if _, err := dockerCli.ImageInspect(context.Background(), dockerTestImage); err != nil {
		dockerUnavailable(t, "image %s is missing, build it with scripts/testimage.sh: %v", dockerTestImage, err)
	}
	return dockerCli
}

// newTestDocker starts a sandbox from the test image (unless opts names
// another) and closes it at the end of the test.
func newTestDocker(t *testing.T, cli *client.Client, opts DockerOptions) *Docker {
	t.Helper()
	if opts.Image == "" {
		opts.Image = dockerTestImage
	}
	if opts.Labels == nil {
		opts.Labels = map[string]string{}
	}
	opts.Labels[labelTest] = t.Name()
	d, err := NewDocker(context.Background(), cli, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return d
}

// newTestRepoDocker is newTestDocker plus the files of testRepo at /testbed,
// committed as the base commit.
func newTestRepoDocker(t *testing.T, cli *client.Client, opts DockerOptions) *Docker {
	t.Helper()
	opts.Workdir = "/testbed"
	d := newTestDocker(t, cli, opts)
	ctx := context.Background()
	err := fs.WalkDir(testRepo(), ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasPrefix(p, ".git/") {
			return err
		}
		data, _ := fs.ReadFile(testRepo(), p)
		return d.WriteFile(ctx, p, data)
	})
	if err != nil {
		t.Fatal(err)
	}
	res := mustExec(t, d, "chmod +x scripts/run.sh && git -c init.defaultBranch=main init -q"+
		" && git config user.name t && git config user.email t@localhost"+
		" && git add -A && git commit -q -m base && git status --porcelain", time.Minute)
	if res.ExitCode != 0 || res.Output != "" {
		t.Fatalf("git setup: exit %d: %s", res.ExitCode, res.Output)
	}
	return d
}

// countProcs returns how many processes called comm run in the container,
// waiting up to 5 s for the count to drop to zero (the init reaps killed
// processes asynchronously).
func countProcs(t *testing.T, d *Docker, comm string) int {
	t.Helper()
	cmd := `n=0; for f in /proc/[0-9]*/stat; do read -r s < "$f" 2>/dev/null || continue; ` +
		`case "$s" in *"(` + comm + `) "[!Z]*) n=$((n+1));; esac; done; echo $n`
	var n int
	for deadline := time.Now().Add(5 * time.Second); ; {
		res := mustExec(t, d, cmd, 30*time.Second)
		var err error
		n, err = strconv.Atoi(strings.TrimSpace(res.Output))
		if err != nil {
			t.Fatalf("counting processes: %q", res.Output)
		}
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestDockerExecExitCodesAndOrder(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestRepoDocker(t, cli, DockerOptions{})
	cases := []struct {
		cmd  string
		out  string
		code int
	}{
		{"echo out; echo err >&2; echo out2; exit 3", "out\nerr\nout2\n", 3},
		{"pwd", "/testbed\n", 0},
		{"cat src/app.py", "print('v1')\n", 0},
		{"kill -TERM $$", "", 128 + 15},
		{"git log --format=%s", "base\n", 0},
		{"printf 'no newline'", "no newline", 0},
		{"true", "", 0},
	}
	for _, c := range cases {
		res := mustExec(t, d, c.cmd, 30*time.Second)
		if res.Output != c.out || res.ExitCode != c.code || res.TimedOut || res.Truncated {
			t.Errorf("%q: got %+v, want output %q exit %d", c.cmd, res, c.out, c.code)
		}
	}
	res := mustExec(t, d, "no-such-command-xyz", 30*time.Second)
	if res.ExitCode != 127 || !strings.Contains(res.Output, "not found") {
		t.Errorf("missing command: %+v", res)
	}
	// Many interleaved writes to both streams keep their order.
	res = mustExec(t, d, `for i in $(seq 1 300); do echo o$i; echo e$i >&2; done`, 30*time.Second)
	var want strings.Builder
	for i := 1; i <= 300; i++ {
		fmt.Fprintf(&want, "o%d\ne%d\n", i, i)
	}
	if res.Output != want.String() {
		t.Errorf("interleaved output out of order:\n%.300s", res.Output)
	}
	// No pgid files are left behind (the one listed is this command's own).
	if res := mustExec(t, d, "ls -a /tmp | grep -c ctxsweep-exec", 30*time.Second); res.Output != "1\n" {
		t.Errorf("pgid files left in /tmp: %q", res.Output)
	}
}

func TestDockerExecTimeoutKillsProcessGroup(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestDocker(t, cli, DockerOptions{})
	start := time.Now()
	res := mustExec(t, d, "sleep 300 & (sleep 301 &); echo started; sleep 302", 2*time.Second)
	if !res.TimedOut || res.ExitCode != 128+9 || res.Output != "started\n" {
		t.Errorf("got %+v, want TimedOut, exit 137, output started", res)
	}
	if el := time.Since(start); el > 10*time.Second || res.Duration < 2*time.Second {
		t.Errorf("Exec took %s (Duration %s), want about 2s", el, res.Duration)
	}
	if n := countProcs(t, d, "sleep"); n != 0 {
		t.Errorf("%d sleep processes survived the timeout", n)
	}
	// The sandbox still works, and the default timeout applies to 0.
	if res := mustExec(t, d, "echo ok", 0); res.Output != "ok\n" || res.ExitCode != 0 {
		t.Errorf("after timeout: %+v", res)
	}
}

func TestDockerExecKillsBackgroundJobsOnExit(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestDocker(t, cli, DockerOptions{})
	start := time.Now()
	res := mustExec(t, d, "sleep 300 & nohup sleep 301 >/dev/null 2>&1 & echo bg", time.Minute)
	if res.ExitCode != 0 || res.TimedOut || res.Output != "bg\n" {
		t.Errorf("got %+v", res)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("a background job kept Exec waiting for %s", el)
	}
	if n := countProcs(t, d, "sleep"); n != 0 {
		t.Errorf("%d background sleep processes survived their Exec", n)
	}
}

func TestDockerExecContextCancel(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestDocker(t, cli, DockerOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	res, err := d.Exec(ctx, "echo before; sleep 300", time.Minute)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if res.Output != "before\n" || res.ExitCode != 128+9 {
		t.Errorf("got %+v", res)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("cancel took %s", el)
	}
	if n := countProcs(t, d, "sleep"); n != 0 {
		t.Errorf("%d sleep processes survived the cancel", n)
	}
	if _, err := d.Exec(ctx, "true", time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("Exec with a cancelled ctx: %v", err)
	}
}

func TestDockerExecConcurrent(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestDocker(t, cli, DockerOptions{})
	var wg sync.WaitGroup
	results := make([]ExecResult, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			timeout := time.Minute
			cmd := fmt.Sprintf("sleep 1; echo job%d", i)
			if i%2 == 0 {
				timeout, cmd = time.Second, fmt.Sprintf("echo job%d; sleep 300", i)
			}
			res, err := d.Exec(context.Background(), cmd, timeout)
			if err != nil {
				t.Errorf("job %d: %v", i, err)
			}
			results[i] = res
		}()
	}
	wg.Wait()
	for i, res := range results {
		want := fmt.Sprintf("job%d\n", i)
		if res.Output != want || res.TimedOut != (i%2 == 0) {
			t.Errorf("job %d: %+v", i, res)
		}
	}
}

func TestDockerExecOutputCap(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestDocker(t, cli, DockerOptions{MaxOutput: 1000})
	res := mustExec(t, d, `head -c 5000 /dev/zero | tr '\0' a; echo; echo end >&2`, 30*time.Second)
	want := &capBuffer{max: 1000}
	want.Write([]byte(strings.Repeat("a", 5000) + "\nend\n"))
	wantOut, _ := want.result()
	if !res.Truncated || res.Output != wantOut || res.ExitCode != 0 {
		t.Errorf("got truncated=%v exit=%d output tail %q, want %q", res.Truncated, res.ExitCode,
			res.Output[max(0, len(res.Output)-120):], wantOut[len(wantOut)-120:])
	}
	if !strings.Contains(res.Output, "<output truncated: showing the first 1000 of 5005 bytes; 4005 bytes omitted>") {
		t.Errorf("truncation note missing: %q", res.Output[1000:])
	}
	if res := mustExec(t, d, "head -c 1000 /dev/zero | tr '\\0' b", 30*time.Second); res.Truncated || len(res.Output) != 1000 {
		t.Errorf("output of exactly the cap: truncated=%v len=%d", res.Truncated, len(res.Output))
	}
}

func TestDockerEnvIsolated(t *testing.T) {
	cli := testDockerClient(t)
	t.Setenv("OPENAI_API_KEY", "sk-fake-host-secret-7d41")
	t.Setenv("CTXSWEEP_HOST_ONLY", "host-value-91c2")
	d := newTestDocker(t, cli, DockerOptions{Env: map[string]string{"FOO": "bar baz", "PAGER": "less"}})
	res := mustExec(t, d, "env", 30*time.Second)
	for _, leak := range []string{"sk-fake-host-secret", "OPENAI_API_KEY", "host-value-91c2", "DOCKER_HOST"} {
		if strings.Contains(res.Output, leak) {
			t.Errorf("host variable %s visible in the container:\n%s", leak, res.Output)
		}
	}
	for _, v := range []string{"FOO=bar baz\n", "PAGER=less\n", "LANG=C.UTF-8\n", "PATH=/usr/local/sbin:"} {
		if !strings.Contains(res.Output, v) {
			t.Errorf("env lacks %q:\n%s", v, res.Output)
		}
	}
	info, err := cli.ContainerInspect(context.Background(), d.ContainerID())
	if err != nil {
		t.Fatal(err)
	}
	if env := strings.Join(info.Config.Env, "\n"); strings.Contains(env, "sk-fake") {
		t.Errorf("container config holds a host secret: %s", env)
	}
}

// A BASH_ENV startup file (how SWE-bench agents activate conda) is read
// once per command, by the command's shell, not by the wrapper around it.
func TestDockerBashEnv(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestDocker(t, cli, DockerOptions{Env: map[string]string{"BASH_ENV": "/root/.ctxsweep-test-rc"}})
	ctx := context.Background()
	if err := d.WriteFile(ctx, "/root/.ctxsweep-test-rc", []byte("echo sourced >&2\nexport FROM_RC=yes\n")); err != nil {
		t.Fatal(err)
	}
	res := mustExec(t, d, "echo $FROM_RC $BASH_ENV", 30*time.Second)
	if res.Output != "sourced\nyes /root/.ctxsweep-test-rc\n" || res.ExitCode != 0 {
		t.Errorf("got %+v", res)
	}
	plain := newTestDocker(t, cli, DockerOptions{})
	if res := mustExec(t, plain, "echo ${BASH_ENV-unset}", 30*time.Second); res.Output != "unset\n" {
		t.Errorf("without BASH_ENV: %q", res.Output)
	}
}

func TestDockerFiles(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestRepoDocker(t, cli, DockerOptions{})
	ctx := context.Background()
	binary := make([]byte, 256*3)
	for i := range binary {
		binary[i] = byte(i)
	}
	big := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB
	files := map[string][]byte{
		"new/dir/a.txt":   []byte("relative\n"),
		"/testbed/b.txt":  []byte("absolute é\n"),
		"/tmp/x/y/z.bin":  binary,
		"big/file.dat":    big,
		"src/app.py":      []byte("print('v2')\n"),
		"empty-file.txt":  nil,
		"deep/a/b/c/d.py": []byte("x = 1\n"),
	}
	for p, data := range files {
		if err := d.WriteFile(ctx, p, data); err != nil {
			t.Fatalf("WriteFile(%s): %v", p, err)
		}
	}
	for p, data := range files {
		got, err := d.ReadFile(ctx, p)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("ReadFile(%s) = %d bytes, %v; want %d bytes", p, len(got), err, len(data))
		}
	}
	res := mustExec(t, d, "cat new/dir/a.txt /testbed/b.txt && stat -c '%a %U' new new/dir new/dir/a.txt /tmp /tmp/x src/app.py", 30*time.Second)
	want := "relative\nabsolute é\n755 root\n755 root\n644 root\n1777 root\n755 root\n644 root\n"
	if res.Output != want {
		t.Errorf("in the container:\n%s\nwant:\n%s", res.Output, want)
	}
	// An existing file keeps its mode; a symlink is followed both ways.
	if err := d.WriteFile(ctx, "scripts/run.sh", []byte("#!/bin/sh\necho new\n")); err != nil {
		t.Fatal(err)
	}
	mustExec(t, d, "ln -s src/app.py link.py", 30*time.Second)
	if got, err := d.ReadFile(ctx, "link.py"); err != nil || string(got) != "print('v2')\n" {
		t.Errorf("ReadFile through a symlink: %q, %v", got, err)
	}
	if err := d.WriteFile(ctx, "link.py", []byte("print('v3')\n")); err != nil {
		t.Fatal(err)
	}
	res = mustExec(t, d, "stat -c %a scripts/run.sh && ./scripts/run.sh && cat src/app.py && test -L link.py && echo link", 30*time.Second)
	if res.Output != "755\nnew\nprint('v3')\nlink\n" {
		t.Errorf("got %q", res.Output)
	}
	// Errors.
	if _, err := d.ReadFile(ctx, "missing.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want ErrNotExist", err)
	}
	if _, err := d.ReadFile(ctx, "src"); err == nil {
		t.Error("ReadFile(directory) succeeded")
	}
	if err := d.WriteFile(ctx, "src", []byte("x")); err == nil {
		t.Error("WriteFile(directory) succeeded")
	}
	if err := d.WriteFile(ctx, "README.md/sub", []byte("x")); err == nil {
		t.Error("WriteFile below a regular file succeeded")
	}
}

func TestDockerDiff(t *testing.T) {
	cli := testDockerClient(t)
	// A small output cap must not truncate the patch.
	d := newTestRepoDocker(t, cli, DockerOptions{MaxOutput: 100})
	ctx := context.Background()
	if patch, err := Diff(ctx, d); err != nil || patch != "" {
		t.Fatalf("Diff of a clean checkout = %q, %v", patch, err)
	}
	if err := d.WriteFile(ctx, "src/app.py", []byte("print('v2')\n")); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("line of a new file\n", 50)
	if err := d.WriteFile(ctx, "pkg/new.py", []byte(long)); err != nil {
		t.Fatal(err)
	}
	mustExec(t, d, "rm README.md", 30*time.Second)
	patch, err := Diff(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"diff --git a/src/app.py b/src/app.py", "-print('v1')\n+print('v2')\n",
		"diff --git a/pkg/new.py b/pkg/new.py\nnew file mode 100644", "+line of a new file\n",
		"diff --git a/README.md b/README.md\ndeleted file mode 100644",
	} {
		if !strings.Contains(patch, want) {
			t.Errorf("patch lacks %q:\n%s", want, patch)
		}
	}
	if strings.Contains(patch, "ctxsweep-model.patch") || len(patch) < len(long) {
		t.Errorf("patch is wrong or truncated (%d bytes)", len(patch))
	}
	// The patch applies to a fresh copy of the base commit.
	mustExec(t, d, "git stash -q", 30*time.Second)
	if err := d.WriteFile(ctx, "/tmp/patch.diff", []byte(patch)); err != nil {
		t.Fatal(err)
	}
	if res := mustExec(t, d, "git apply /tmp/patch.diff && cat src/app.py", 30*time.Second); res.ExitCode != 0 ||
		!strings.HasSuffix(res.Output, "print('v2')\n") {
		t.Errorf("git apply: %+v", res)
	}
}

func TestDockerNetworkLabelsLimits(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestDocker(t, cli, DockerOptions{
		Labels:    map[string]string{LabelTrial: "trial-7", LabelWorker: "w-1"},
		CPUs:      1.5,
		Memory:    512 << 20,
		PidsLimit: 256,
	})
	res := mustExec(t, d, "ls /sys/class/net", 30*time.Second)
	if res.Output != "lo\n" {
		t.Errorf("network interfaces: %q, want only lo", res.Output)
	}
	info, err := cli.ContainerInspect(context.Background(), d.ContainerID())
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{LabelSandbox: "1", LabelTrial: "trial-7", LabelWorker: "w-1", labelTest: t.Name()} {
		if info.Config.Labels[k] != v {
			t.Errorf("label %s = %q, want %q (labels %v)", k, info.Config.Labels[k], v, info.Config.Labels)
		}
	}
	hc := info.HostConfig
	if hc.NetworkMode != "none" || hc.NanoCPUs != 1.5e9 || hc.Memory != 512<<20 ||
		hc.PidsLimit == nil || *hc.PidsLimit != 256 || hc.Init == nil || !*hc.Init {
		t.Errorf("host config: network %s cpus %d memory %d pids %v init %v",
			hc.NetworkMode, hc.NanoCPUs, hc.Memory, hc.PidsLimit, hc.Init)
	}
	if info.Config.WorkingDir != DefaultWorkdir || info.Name != "/"+d.ID() || !strings.HasPrefix(d.ID(), "ctxsweep-") {
		t.Errorf("workdir %q name %q id %q", info.Config.WorkingDir, info.Name, d.ID())
	}
	// The limits reach the container's cgroups (v1 or v2 layout).
	res = mustExec(t, d, "cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; "+
		"cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max", 30*time.Second)
	if res.Output != "256\n536870912\n" {
		t.Errorf("cgroup limits in the container: %q", res.Output)
	}
}

func TestDockerClose(t *testing.T) {
	cli := testDockerClient(t)
	d := newTestDocker(t, cli, DockerOptions{})
	ctx := context.Background()
	// Close while a command runs ends the command.
	done := make(chan error, 1)
	go func() {
		_, err := d.Exec(ctx, "sleep 300", time.Minute)
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("running Exec after Close: %v, want ErrClosed", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Exec still running 20s after Close")
	}
	if _, err := cli.ContainerInspect(ctx, d.ContainerID()); !cerrdefs.IsNotFound(err) {
		t.Errorf("container still there after Close: %v", err)
	}
	if err := d.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := d.Exec(ctx, "true", 0); !errors.Is(err, ErrClosed) {
		t.Errorf("Exec after Close: %v", err)
	}
	if _, err := d.ReadFile(ctx, "x"); !errors.Is(err, ErrClosed) {
		t.Errorf("ReadFile after Close: %v", err)
	}
	if err := d.WriteFile(ctx, "x", nil); !errors.Is(err, ErrClosed) {
		t.Errorf("WriteFile after Close: %v", err)
	}
	// Close works with a cancelled context.
	d2 := newTestDocker(t, cli, DockerOptions{})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := d2.Close(cctx); err != nil {
		t.Errorf("Close with a cancelled ctx: %v", err)
	}
	if _, err := cli.ContainerInspect(ctx, d2.ContainerID()); !cerrdefs.IsNotFound(err) {
		t.Errorf("container still there after Close: %v", err)
	}
}

func TestDockerGC(t *testing.T) {
	cli := testDockerClient(t)
	ctx := context.Background()
	worker := "gc-" + randomHex(4)
	other := "gc-" + randomHex(4)
	t.Cleanup(func() { GC(context.Background(), cli, map[string]string{labelTest: t.Name()}) })
	// Handles dropped without Close, as by a crashed worker; one of them
	// stopped.
	var leaked []string
	for range 2 {
		d, err := NewDocker(ctx, cli, DockerOptions{Image: dockerTestImage,
			Labels: map[string]string{LabelWorker: worker, labelTest: t.Name()}})
		if err != nil {
			t.Fatal(err)
		}
		leaked = append(leaked, d.ID())
	}
	if err := cli.ContainerKill(ctx, leaked[1], "KILL"); err != nil {
		t.Fatal(err)
	}
	keep := newTestDocker(t, cli, DockerOptions{Labels: map[string]string{LabelWorker: other}})

	removed, err := GC(ctx, cli, map[string]string{LabelWorker: worker})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string(nil), leaked...)
	if want[0] > want[1] {
		want[0], want[1] = want[1], want[0]
	}
	if strings.Join(removed, ",") != strings.Join(want, ",") {
		t.Errorf("GC removed %v, want %v", removed, want)
	}
	for _, name := range leaked {
		if _, err := cli.ContainerInspect(ctx, name); !cerrdefs.IsNotFound(err) {
			t.Errorf("%s still there after GC: %v", name, err)
		}
	}
	if _, err := cli.ContainerInspect(ctx, keep.ContainerID()); err != nil {
		t.Errorf("GC removed another worker's container: %v", err)
	}
	if removed, err := GC(ctx, cli, map[string]string{LabelWorker: worker}); err != nil || len(removed) != 0 {
		t.Errorf("second GC: %v, %v", removed, err)
	}
}

func TestDockerStaleName(t *testing.T) {
	cli := testDockerClient(t)
	ctx := context.Background()
	name := "ctxsweep-test-stale-" + randomHex(4)
	t.Cleanup(func() { GC(context.Background(), cli, map[string]string{labelTest: t.Name()}) })
	ghost, err := NewDocker(ctx, cli, DockerOptions{Image: dockerTestImage, Name: name,
		Labels: map[string]string{labelTest: t.Name()}})
	if err != nil {
		t.Fatal(err)
	}
	d := newTestDocker(t, cli, DockerOptions{Name: name})
	if d.ID() != name || d.ContainerID() == ghost.ContainerID() {
		t.Errorf("name %s id %s, ghost id %s", d.ID(), d.ContainerID(), ghost.ContainerID())
	}
	if _, err := cli.ContainerInspect(ctx, ghost.ContainerID()); !cerrdefs.IsNotFound(err) {
		t.Errorf("ghost container still there: %v", err)
	}
}

func TestDockerMissingImage(t *testing.T) {
	cli := testDockerClient(t)
	ref := "ctxsweep/no-such-image-" + randomHex(4) + ":latest"
	_, err := NewDocker(context.Background(), cli, DockerOptions{Image: ref})
	if err == nil || !strings.Contains(err.Error(), ref) || !strings.Contains(err.Error(), "EnsureImage") {
		t.Errorf("NewDocker with a missing image: %v", err)
	}
}

func TestEnsureImage(t *testing.T) {
	cli := testDockerClient(t)
	var msgs []string
	progress := func(s string) { msgs = append(msgs, s) }
	if err := EnsureImage(context.Background(), cli, dockerTestImage, "", progress); err != nil || len(msgs) != 0 {
		t.Errorf("EnsureImage(present) = %v, messages %v", err, msgs)
	}
	for _, ref := range []string{
		"ctxsweep-test/no-such-image-" + randomHex(4) + ":latest", // Docker Hub: unreachable or missing
		"registry.invalid/ctxsweep/none:1",                        // a host that never resolves
	} {
		msgs = nil
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		start := time.Now()
		err := EnsureImage(ctx, cli, ref, DefaultPlatform, progress)
		cancel()
		if err == nil {
			t.Fatalf("EnsureImage(%s) succeeded", ref)
		}
		t.Logf("EnsureImage(%s) failed after %s: %v", ref, time.Since(start).Round(time.Millisecond), err)
		if !strings.Contains(err.Error(), ref) || !strings.Contains(err.Error(), "docker save") {
			t.Errorf("error does not name the image or say what to do: %v", err)
		}
		if len(msgs) == 0 || !strings.Contains(msgs[0], ref) {
			t.Errorf("progress messages %v", msgs)
		}
	}
	if err := EnsureImage(context.Background(), cli, dockerTestImage, "linux", nil); err == nil {
		t.Error("a malformed platform was accepted")
	}
}

// A registry that accepts connections and never answers must not hang
// EnsureImage: the stall timeout ends it.
func TestEnsureImageStalledRegistry(t *testing.T) {
	cli := testDockerClient(t)
	if !strings.HasPrefix(os.Getenv("DOCKER_HOST"), "unix://") {
		t.Skip("needs an engine on this machine to reach a registry on 127.0.0.1")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // hold it open, say nothing
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	old := PullStallTimeout
	PullStallTimeout = 2 * time.Second
	t.Cleanup(func() { PullStallTimeout = old })

	ref := ln.Addr().String() + "/ctxsweep/hang:1"
	start := time.Now()
	err = EnsureImage(context.Background(), cli, ref, "", nil)
	el := time.Since(start)
	t.Logf("after %s: %v", el.Round(time.Millisecond), err)
	if err == nil || !strings.Contains(err.Error(), ref) {
		t.Errorf("EnsureImage(%s) = %v, want an error naming the image", ref, err)
	}
	if el > 20*time.Second {
		t.Errorf("EnsureImage took %s with a 2s stall timeout", el)
	}
}

// fakeRegistry serves one single-layer image, name:tag, over plain HTTP (the
// engine allows that for registries on 127.0.0.1).
func fakeRegistry(t *testing.T, name, tag string) *httptest.Server {
	t.Helper()
	var layerTar bytes.Buffer
	tw := tar.NewWriter(&layerTar)
	payload := make([]byte, 2<<20)
	rand.Read(payload) // incompressible, so there is something to download
	tw.WriteHeader(&tar.Header{Name: "payload.bin", Mode: 0o644, Size: int64(len(payload)), Typeflag: tar.TypeReg})
	tw.Write(payload)
	tw.Close()
	var layer bytes.Buffer
	zw := gzip.NewWriter(&layer)
	zw.Write(layerTar.Bytes())
	zw.Close()
	digest := func(b []byte) string { return fmt.Sprintf("sha256:%x", sha256.Sum256(b)) }
	config, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux",
		"config": map[string]any{"Cmd": []string{"/payload.bin"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{digest(layerTar.Bytes())}},
	})
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.docker.distribution.manifest.v2+json",
		"config": map[string]any{"mediaType": "application/vnd.docker.container.image.v1+json",
			"size": len(config), "digest": digest(config)},
		"layers": []any{map[string]any{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
			"size": layer.Len(), "digest": digest(layer.Bytes())}},
	})
	blobs := map[string][]byte{digest(config): config, digest(layer.Bytes()): layer.Bytes()}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/v2/":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte("{}"))
		case p == "/v2/"+name+"/manifests/"+tag || p == "/v2/"+name+"/manifests/"+digest(manifest):
			w.Header().Set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
			w.Header().Set("Docker-Content-Digest", digest(manifest))
			w.Header().Set("Content-Length", strconv.Itoa(len(manifest)))
			if r.Method != http.MethodHead {
				w.Write(manifest)
			}
		case strings.HasPrefix(p, "/v2/"+name+"/blobs/"):
			b, ok := blobs[strings.TrimPrefix(p, "/v2/"+name+"/blobs/")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.Header().Set("Content-Type", "application/octet-stream")
			if r.Method == http.MethodHead {
				return
			}
			for len(b) > 0 { // slowly, so that the engine reports progress
				n := min(len(b), 256<<10)
				w.Write(b[:n])
				w.(http.Flusher).Flush()
				b = b[n:]
				time.Sleep(50 * time.Millisecond)
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestEnsureImagePullsWithProgress(t *testing.T) {
	cli := testDockerClient(t)
	if !strings.HasPrefix(os.Getenv("DOCKER_HOST"), "unix://") {
		t.Skip("needs an engine on this machine to reach a registry on 127.0.0.1")
	}
	srv := fakeRegistry(t, "ctxsweep/tiny", "1")
	ref := strings.TrimPrefix(srv.URL, "http://") + "/ctxsweep/tiny:1"
	t.Cleanup(func() { cli.ImageRemove(context.Background(), ref, image.RemoveOptions{Force: true}) })
	old := PullProgressInterval
	PullProgressInterval = 0
	t.Cleanup(func() { PullProgressInterval = old })
	var msgs []string
	if err := EnsureImage(context.Background(), cli, ref, "", func(s string) { msgs = append(msgs, s) }); err != nil {
		t.Fatal(err)
	}
	t.Logf("progress:\n%s", strings.Join(msgs, "\n"))
	if _, err := cli.ImageInspect(context.Background(), ref); err != nil {
		t.Fatalf("pulled image missing: %v", err)
	}
	joined := strings.Join(msgs, "\n")
	if len(msgs) < 3 || !strings.HasPrefix(msgs[0], "pulling "+ref) ||
		!strings.Contains(joined, "0/1 layers done, ") || !strings.HasPrefix(msgs[len(msgs)-1], "pulled "+ref) ||
		!strings.HasSuffix(msgs[len(msgs)-1], "1/1 layers done, 2.1 MB of 2.1 MB downloaded") {
		t.Errorf("unexpected progress messages:\n%s", joined)
	}
	// Present now: nothing to do.
	msgs = nil
	if err := EnsureImage(context.Background(), cli, ref, "", func(s string) { msgs = append(msgs, s) }); err != nil || len(msgs) != 0 {
		t.Errorf("second EnsureImage: %v, %v", err, msgs)
	}
}

func TestPullProgressSummary(t *testing.T) {
	st := pullState{layers: map[string]*layerState{}}
	for _, m := range []pullMessage{
		{ID: "latest", Status: "Pulling from library/x"},
		{ID: "aaa", Status: "Pulling fs layer"},
		{ID: "bbb", Status: "Already exists"},
		{ID: "aaa", Status: "Downloading", Progress: &struct {
			Current int64 `json:"current"`
			Total   int64 `json:"total"`
		}{Current: 1_500_000, Total: 3_000_000}},
		{Status: "Digest: sha256:0"},
	} {
		st.update(&m)
	}
	if got := st.summary(); got != "1/2 layers done, 1.5 MB of 3.0 MB downloaded" {
		t.Errorf("summary = %q", got)
	}
}

func TestBuildImageFromFS(t *testing.T) {
	cli := testDockerClient(t)
	ctx := context.Background()
	tag := "ctxsweep/test-build:" + randomHex(4)
	if err := BuildImageFromFS(ctx, cli, dockerTestImage, tag, testRepo(), "/testbed"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true, PruneChildren: true})
	})
	info, err := cli.ImageInspect(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	c := info.Config
	if c.WorkingDir != "/testbed" || len(c.Entrypoint) != 0 || strings.Join(c.Cmd, " ") != "/bin/bash" ||
		c.Labels[LabelSandbox] != "image" || c.Labels[LabelBuild] != tag {
		t.Errorf("image config: workdir %q entrypoint %q cmd %q labels %v", c.WorkingDir, c.Entrypoint, c.Cmd, c.Labels)
	}
	if env := strings.Join(c.Env, " "); strings.Contains(env, "PAGER") || strings.Contains(env, "LANG") {
		t.Errorf("sandbox variables leaked into the image: %s", env)
	}
	// No build container is left.
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range list {
		if ct.Labels[LabelBuild] == tag {
			t.Errorf("build container %v left behind", ct.Names)
		}
	}

	d := newTestDocker(t, cli, DockerOptions{Image: tag})
	res := mustExec(t, d, "git log --format=%s && git status --porcelain && cat .git/HEAD && test -x scripts/run.sh && "+
		"cat docs/notes.txt && ls -A empty && git config user.name", 30*time.Second)
	if res.ExitCode != 0 || res.Output != "base\nref: refs/heads/main\né\n.keep\nctxsweep\n" {
		t.Errorf("in the built image: %+v", res)
	}
	if patch, err := Diff(ctx, d); err != nil || patch != "" {
		t.Errorf("Diff of the fresh image = %q, %v", patch, err)
	}
	if err := d.WriteFile(ctx, "added.txt", []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	if patch, err := Diff(ctx, d); err != nil || !strings.Contains(patch, "+++ b/added.txt") {
		t.Errorf("Diff = %q, %v", patch, err)
	}
	if err := BuildImageFromFS(ctx, cli, "ctxsweep/no-such-base:1", tag+"x", testRepo(), ""); err == nil {
		t.Error("BuildImageFromFS from a missing base succeeded")
	}
}
