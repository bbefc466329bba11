package sandbox

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
)

// LabelBuild is set, with the tag as value, on the temporary container of
// BuildImageFromFS and on the image it makes.
const LabelBuild = "ctxsweep.build"

// BuildImageFromFS makes an image shaped like a SWE-bench instance image
// from base, without a registry or `docker build`: the files of repo (a
// top-level .git is skipped) are copied to workdir ("" means DefaultWorkdir),
// which becomes a git repository whose single commit, made with a
// repository-local author, is the base commit; the image is tagged tag and
// has workdir as its working directory. It works through a temporary
// container (create, CopyToContainer, exec, ContainerCommit) that it removes
// again. Meant for tests that need per-instance images.
//
// The image keeps base's environment, entrypoint and command. It carries the
// label LabelSandbox with the value "image" (not "1"), so that GC never
// mistakes containers of this image for sandboxes.
func BuildImageFromFS(ctx context.Context, cli *client.Client, base, tag string, repo fs.FS, workdir string) error {
	if tag == "" {
		return fmt.Errorf("sandbox: BuildImageFromFS: no tag")
	}
	if workdir == "" {
		workdir = DefaultWorkdir
	}
	baseInfo, err := cli.ImageInspect(ctx, base)
	if err != nil {
		return fmt.Errorf("sandbox: BuildImageFromFS: base image %s: %w", base, err)
	}
	platform := baseInfo.Os + "/" + baseInfo.Architecture
	if baseInfo.Variant != "" {
		platform += "/" + baseInfo.Variant
	}
	// No extra environment: the committed image must not inherit the
	// sandbox's variables.
	d, err := newDocker(ctx, cli, DockerOptions{
		Image:    base,
		Platform: platform,
		Workdir:  workdir,
		Name:     "ctxsweep-build-" + randomHex(6),
		Labels:   map[string]string{LabelBuild: tag},
	}, nil)
	if err != nil {
		return fmt.Errorf("sandbox: BuildImageFromFS: %w", err)
	}
	defer d.Close(ctx)

	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeFSTar(pw, repo)) }()
	err = cli.CopyToContainer(ctx, d.id, d.workdir, pr, container.CopyToContainerOptions{})
	pr.CloseWithError(io.ErrClosedPipe) // stop the writer if the copy failed early
	if err != nil {
		return fmt.Errorf("sandbox: BuildImageFromFS: copying the repository to %s: %w", workdir, err)
	}
	const setup = "git -c init.defaultBranch=main init -q" +
		" && git config user.name ctxsweep" +
		" && git config user.email ctxsweep@localhost" +
		" && git config commit.gpgsign false" +
		" && git add -A && git commit -q --allow-empty -m base"
	res, err := d.Exec(ctx, setup, 5*time.Minute)
	if err != nil {
		return fmt.Errorf("sandbox: BuildImageFromFS: git setup: %w", err)
	}
	if res.ExitCode != 0 || res.TimedOut {
		return fmt.Errorf("sandbox: BuildImageFromFS: git setup failed (exit %d): %s",
			res.ExitCode, strings.TrimSpace(res.Output))
	}

	// The commit takes what it is not given from the container, whose
	// entrypoint is the keep-alive: restore base's.
	bc := baseInfo.Config
	cfg := &container.Config{WorkingDir: workdir, Entrypoint: []string{}}
	labels := map[string]string{}
	if bc != nil {
		cfg.User = bc.User
		cfg.Env = bc.Env
		cfg.Cmd = bc.Cmd
		if len(bc.Entrypoint) > 0 {
			cfg.Entrypoint = bc.Entrypoint
		}
		cfg.StopSignal = bc.StopSignal
		maps.Copy(labels, bc.Labels)
	}
	labels[LabelSandbox] = "image"
	labels[LabelBuild] = tag
	cfg.Labels = labels
	if _, err := cli.ContainerCommit(ctx, d.id, container.CommitOptions{
		Reference: tag,
		Comment:   "ctxsweep: repository at " + workdir + " from " + base,
		Config:    cfg,
		Pause:     true,
	}); err != nil {
		return fmt.Errorf("sandbox: BuildImageFromFS: committing %s: %w", tag, err)
	}
	if err := d.Close(ctx); err != nil {
		return fmt.Errorf("sandbox: BuildImageFromFS: %w", err)
	}
	return nil
}

// writeFSTar writes the files of src as a tar stream with root-owned
// entries: directories 0755, files 0644 or 0755 when src reports an
// executable bit, symbolic links when src can read them. A top-level .git is
// skipped; devices, sockets and pipes are too.
func writeFSTar(w io.Writer, src fs.FS) error {
	tw := tar.NewWriter(w)
	now := time.Now()
	err := fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if p == ".git" {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		mtime := now
		info, err := d.Info()
		if err == nil && !info.ModTime().IsZero() && info.ModTime().Unix() > 0 {
			mtime = info.ModTime()
		}
		hdr := &tar.Header{Name: p, ModTime: mtime, Format: tar.FormatPAX}
		switch {
		case d.IsDir():
			hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, p+"/", 0o755
			return tw.WriteHeader(hdr)
		case d.Type()&fs.ModeSymlink != 0:
			rl, ok := src.(fs.ReadLinkFS)
			if !ok {
				break // read through the link below
			}
			target, err := rl.ReadLink(p)
			if err != nil {
				return err
			}
			hdr.Typeflag, hdr.Linkname, hdr.Mode = tar.TypeSymlink, target, 0o777
			return tw.WriteHeader(hdr)
		case !d.Type().IsRegular():
			return nil
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeReg, 0o644, int64(len(data))
		if st, err := fs.Stat(src, p); err == nil && st.Mode().Perm()&0o111 != 0 {
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	return tw.Close()
}
