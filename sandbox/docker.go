package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Defaults of DockerOptions.
const (
	DefaultPlatform = "linux/amd64" // the only platform SWE-bench images exist for
	DefaultWorkdir  = "/testbed"    // where SWE-bench images hold the repository
	DefaultNetwork  = "none"
)

// Labels put on the containers that NewDocker creates. LabelSandbox=1 is
// always set; the others are conventions for callers (DockerOptions.Labels)
// so that GC can select, for example, the containers of one worker.
const (
	LabelSandbox  = "ctxsweep"
	LabelSweep    = "ctxsweep.sweep"
	LabelTrial    = "ctxsweep.trial"
	LabelInstance = "ctxsweep.instance"
	LabelWorker   = "ctxsweep.worker"
)

// removeTimeout bounds container removal in Close and cleanups, which run
// with a context of their own so that they work after a cancellation.
const removeTimeout = time.Minute

// DockerOptions configures NewDocker. Image is required.
type DockerOptions struct {
	// Image is the image reference; it must exist on the engine (see
	// EnsureImage).
	Image string
	// Platform is "os/arch[/variant]"; "" means DefaultPlatform.
	Platform string
	// Workdir is the repository path inside the container and the directory
	// commands start in; "" means DefaultWorkdir. The engine creates it when
	// the image lacks it.
	Workdir string
	// Name is the container name; "" means "ctxsweep-" plus a random suffix.
	// A leftover container of the same name that carries LabelSandbox=1 is
	// removed first; any other container of that name is an error.
	Name string
	// Labels are added to the container; LabelSandbox=1 is always set.
	Labels map[string]string
	// Network is the network mode; "" means "none" (only loopback).
	Network string
	// CPUs limits CPU time (1.5 = one and a half cores); 0 means no limit.
	CPUs float64
	// Memory limits memory in bytes; 0 means no limit.
	Memory int64
	// PidsLimit limits the number of processes; 0 means no limit.
	PidsLimit int64
	// Env adds or overrides variables of the command environment, on top of
	// the image's own environment and a few fixed ones (LANG, PAGER, ...).
	// Nothing from the host process's environment is ever passed.
	Env map[string]string
	// MaxOutput caps Exec output in bytes; 0 means DefaultMaxOutput.
	MaxOutput int
	// DefaultTimeout applies when Exec gets a timeout <= 0; 0 means
	// DefaultTimeout.
	DefaultTimeout time.Duration
	// NoInit runs the keep-alive process as PID 1 instead of the engine's
	// init (docker-init), for engines that lack it. Without an init, killed
	// background jobs stay behind as zombies until the container is removed.
	NoInit bool
}

// Docker is a Sandbox backed by a container on a Docker engine. The
// container runs a keep-alive process under the engine's init; every Exec is
// a fresh `bash -c` started with `docker exec` in Workdir, in a session and
// process group of its own, and that whole group is killed when the command
// ends, times out or is cancelled, so no background job outlives its Exec.
// The container has no network unless DockerOptions.Network says otherwise, and
// its environment holds only the image's variables plus an allow-list.
type Docker struct {
	cli       *client.Client
	id, name  string
	workdir   string
	maxOutput int
	timeout   time.Duration

	bashEnv string // the container's BASH_ENV, for the command's bash only

	mu      sync.Mutex
	closed  bool // no new operations
	removed bool // the container is gone
}

var _ Sandbox = (*Docker)(nil)

// NewDocker creates and starts a container from opts.Image. It does not pull
// the image; call EnsureImage first when it may be missing.
func NewDocker(ctx context.Context, cli *client.Client, opts DockerOptions) (*Docker, error) {
	return newDocker(ctx, cli, opts, dockerEnv(opts.Env))
}

// newDocker is NewDocker with the container environment given in full.
func newDocker(ctx context.Context, cli *client.Client, opts DockerOptions, env []string) (*Docker, error) {
	if cli == nil {
		return nil, errors.New("sandbox: NewDocker: nil Docker client")
	}
	if opts.Image == "" {
		return nil, errors.New("sandbox: NewDocker: no image")
	}
	platform, err := parsePlatform(opts.Platform)
	if err != nil {
		return nil, err
	}
	d := &Docker{
		cli:       cli,
		name:      opts.Name,
		workdir:   path.Clean(opts.Workdir),
		maxOutput: opts.MaxOutput,
		timeout:   opts.DefaultTimeout,
	}
	if opts.Workdir == "" {
		d.workdir = DefaultWorkdir
	}
	if !path.IsAbs(d.workdir) {
		return nil, fmt.Errorf("sandbox: NewDocker: workdir %q is not absolute", opts.Workdir)
	}
	if d.name == "" {
		d.name = "ctxsweep-" + randomHex(6)
	}
	if d.maxOutput <= 0 {
		d.maxOutput = DefaultMaxOutput
	}
	if d.timeout <= 0 {
		d.timeout = DefaultTimeout
	}
	network := opts.Network
	if network == "" {
		network = DefaultNetwork
	}
	labels := maps.Clone(opts.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[LabelSandbox] = "1"

	cfg := &container.Config{
		Image: opts.Image,
		// tail is in every image that has a shell (coreutils or busybox),
		// unlike `sleep infinity`.
		Entrypoint: []string{"tail", "-f", "/dev/null"},
		WorkingDir: d.workdir,
		Env:        env,
		Labels:     labels,
	}
	hostCfg := &container.HostConfig{
		NetworkMode: container.NetworkMode(network),
		LogConfig:   container.LogConfig{Type: "none"}, // the keep-alive prints nothing
		Resources: container.Resources{
			NanoCPUs: int64(opts.CPUs * 1e9),
			Memory:   opts.Memory,
		},
	}
	if opts.PidsLimit > 0 {
		hostCfg.PidsLimit = &opts.PidsLimit
	}
	if !opts.NoInit {
		useInit := true
		hostCfg.Init = &useInit
	}

	created, err := cli.ContainerCreate(ctx, cfg, hostCfg, nil, platform, d.name)
	if cerrdefs.IsConflict(err) && removeStale(ctx, cli, d.name) {
		created, err = cli.ContainerCreate(ctx, cfg, hostCfg, nil, platform, d.name)
	}
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil, fmt.Errorf("sandbox: image %s (%s) is not on the Docker engine; "+
				"pull it (EnsureImage, docker pull) or build it first: %w", opts.Image, platformString(platform), err)
		}
		return nil, fmt.Errorf("sandbox: creating container %s from %s: %w", d.name, opts.Image, err)
	}
	d.id = created.ID
	if err := cli.ContainerStart(ctx, d.id, container.StartOptions{}); err != nil {
		d.Close(ctx)
		return nil, fmt.Errorf("sandbox: starting container %s (image %s): %w", d.name, opts.Image, err)
	}
	info, err := cli.ContainerInspect(ctx, d.id)
	if err != nil {
		d.Close(ctx)
		return nil, fmt.Errorf("sandbox: inspecting container %s: %w", d.name, err)
	}
	if info.Config != nil {
		for _, kv := range info.Config.Env {
			if v, ok := strings.CutPrefix(kv, "BASH_ENV="); ok {
				d.bashEnv = v
			}
		}
	}
	return d, nil
}

// removeStale force-removes the container called name if it is one of ours
// (a "ghost" left by a crashed run), and reports whether it did.
func removeStale(ctx context.Context, cli *client.Client, name string) bool {
	info, err := cli.ContainerInspect(ctx, name)
	if err != nil || info.Config == nil || info.Config.Labels[LabelSandbox] != "1" {
		return false
	}
	err = cli.ContainerRemove(ctx, info.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	return err == nil || cerrdefs.IsNotFound(err)
}

// dockerEnv returns the variables a sandbox container adds to the image's
// environment: a fixed allow-list plus extra, never the host's variables.
// PATH and HOME are left to the image (SWE-bench images set up their own).
func dockerEnv(extra map[string]string) []string {
	vars := map[string]string{
		"LANG":                    "C.UTF-8",
		"LC_ALL":                  "C.UTF-8",
		"PAGER":                   "cat",
		"GIT_PAGER":               "cat",
		"TERM":                    "dumb",
		"PYTHONDONTWRITEBYTECODE": "1",
		"PYTHONUNBUFFERED":        "1",
	}
	maps.Copy(vars, extra)
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

func parsePlatform(s string) (*ocispec.Platform, error) {
	if s == "" {
		s = DefaultPlatform
	}
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return nil, fmt.Errorf("sandbox: platform %q is not os/arch[/variant]", s)
	}
	p := &ocispec.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

func platformString(p *ocispec.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// ID returns the container name.
func (d *Docker) ID() string { return d.name }

// ContainerID returns the engine's full container id.
func (d *Docker) ContainerID() string { return d.id }

// Workdir returns the repository path inside the container.
func (d *Docker) Workdir() string { return d.workdir }

func (d *Docker) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// abs turns a path relative to Workdir, or absolute, into a clean absolute
// path inside the container. Unlike Local, absolute paths outside Workdir are
// allowed: the whole container belongs to the sandbox.
func (d *Docker) abs(p string) (string, error) {
	if p == "" {
		return "", errors.New("sandbox: empty path")
	}
	if !path.IsAbs(p) {
		p = path.Join(d.workdir, p)
	}
	p = path.Clean(p)
	if p == "/" {
		return "", errors.New("sandbox: / is not a file")
	}
	return p, nil
}

// opErr maps engine errors: a removed container means the sandbox is closed.
func (d *Docker) opErr(op, p string, err error) error {
	if d.isClosed() {
		return ErrClosed
	}
	if cerrdefs.IsNotFound(err) {
		return &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist}
	}
	return fmt.Errorf("sandbox: %s %s in %s: %w", op, p, d.name, err)
}

// maxSymlinks bounds how many links ReadFile and WriteFile follow.
const maxSymlinks = 16

// ReadFile reads a file of the container, following symbolic links.
func (d *Docker) ReadFile(ctx context.Context, p string) ([]byte, error) {
	abs, err := d.abs(p)
	if err != nil {
		return nil, err
	}
	for range maxSymlinks {
		if d.isClosed() {
			return nil, ErrClosed
		}
		rc, st, err := d.cli.CopyFromContainer(ctx, d.id, abs)
		if err != nil {
			return nil, d.opErr("open", p, err)
		}
		switch {
		case st.Mode&os.ModeSymlink != 0:
			rc.Close()
			abs = st.LinkTarget // the engine resolves it to an absolute path
			continue
		case st.Mode.IsDir():
			rc.Close()
			return nil, &fs.PathError{Op: "read", Path: p, Err: errors.New("is a directory")}
		}
		data, err := readSingleFile(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("sandbox: reading %s from %s: %w", p, d.name, err)
		}
		return data, nil
	}
	return nil, &fs.PathError{Op: "open", Path: p, Err: errors.New("too many levels of symbolic links")}
}

// readSingleFile returns the content of the first entry of a tar stream.
func readSingleFile(r io.Reader) ([]byte, error) {
	tr := tar.NewReader(r)
	hdr, err := tr.Next()
	if err != nil {
		return nil, err
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("%s is not a regular file (tar type %q)", hdr.Name, hdr.Typeflag)
	}
	return io.ReadAll(tr)
}

// WriteFile creates or replaces a file of the container, creating missing
// parent directories (mode 0755). A new file gets mode 0644; an existing file
// keeps its permission bits. A symbolic link is followed. Files are owned by
// root.
func (d *Docker) WriteFile(ctx context.Context, p string, data []byte) error {
	abs, err := d.abs(p)
	if err != nil {
		return err
	}
	if d.isClosed() {
		return ErrClosed
	}
	mode := fs.FileMode(0o644)
	for i := 0; ; i++ {
		st, err := d.cli.ContainerStatPath(ctx, d.id, abs)
		if err != nil {
			if !cerrdefs.IsNotFound(err) {
				return d.opErr("stat", p, err)
			}
			break
		}
		if st.Mode&os.ModeSymlink != 0 && st.LinkTarget != "" && i < maxSymlinks {
			abs = st.LinkTarget
			continue
		}
		if st.Mode.IsDir() {
			return &fs.PathError{Op: "write", Path: p, Err: errors.New("is a directory")}
		}
		mode = st.Mode.Perm()
		break
	}
	// Find the deepest existing ancestor; the tar creates the rest.
	dir := path.Dir(abs)
	var missing []string
	for dir != "/" {
		_, err := d.cli.ContainerStatPath(ctx, d.id, dir)
		if err == nil {
			break
		}
		if !cerrdefs.IsNotFound(err) {
			return d.opErr("stat", dir, err)
		}
		missing = append([]string{path.Base(dir)}, missing...)
		dir = path.Dir(dir)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	rel := ""
	for _, m := range missing {
		rel = path.Join(rel, m)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: rel + "/", Mode: 0o755, ModTime: now}); err != nil {
			return err
		}
	}
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: path.Join(rel, path.Base(abs)),
		Mode: int64(mode), Size: int64(len(data)), ModTime: now}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := d.cli.CopyToContainer(ctx, d.id, dir, &buf, container.CopyToContainerOptions{}); err != nil {
		return d.opErr("write", p, err)
	}
	return nil
}

// Close force-removes the container, which also kills every command still
// running in it. It works after ctx is cancelled, and it is idempotent; after
// a failed removal a later Close tries again.
func (d *Docker) Close(ctx context.Context) error {
	d.mu.Lock()
	d.closed = true
	if d.removed || d.id == "" {
		d.mu.Unlock()
		return nil
	}
	d.mu.Unlock()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), removeTimeout)
	defer cancel()
	err := d.cli.ContainerRemove(rctx, d.id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !cerrdefs.IsNotFound(err) &&
		!(cerrdefs.IsConflict(err) && strings.Contains(err.Error(), "already in progress")) {
		return fmt.Errorf("sandbox: removing container %s: %w", d.name, err)
	}
	d.mu.Lock()
	d.removed = true
	d.mu.Unlock()
	return nil
}

// NewDockerClient connects to the engine named by the environment
// (DOCKER_HOST etc.), negotiates the API version and checks that the engine
// answers within 10 seconds.
func NewDockerClient(ctx context.Context) (*client.Client, error) {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("sandbox: Docker client: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		cli.Close()
		host := os.Getenv("DOCKER_HOST")
		if host == "" {
			host = "unset, so " + client.DefaultDockerHost
		}
		return nil, fmt.Errorf("sandbox: no Docker engine answers at DOCKER_HOST (%s); "+
			"start one with `eval \"$(scripts/dockerd.sh start)\"`: %w", host, err)
	}
	return cli, nil
}
