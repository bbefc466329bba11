package engine

import (
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/sandbox"
)

// DeadWorkerContainers lists the workers on this host (hostname-pid in the
// ctxsweep.worker label) whose process is gone and that still have
// containers: those containers are left behind by a killed worker.
func DeadWorkerContainers(ctx context.Context, cli *client.Client) ([]string, error) {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", sandbox.LabelSandbox+"=1"), filters.Arg("label", sandbox.LabelWorker))})
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	seen := map[string]bool{}
	var dead []string
	for _, c := range list {
		w := c.Labels[sandbox.LabelWorker]
		pidText, ok := strings.CutPrefix(w, host+"-")
		if !ok || seen[w] {
			continue // another host's worker: not ours to judge
		}
		seen[w] = true
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue
		}
		dead = append(dead, w)
	}
	return dead, nil
}

// GCContainers removes the containers of dead workers on this host (all
// ctxsweep containers with all=true) and returns their names.
func GCContainers(ctx context.Context, cli *client.Client, all bool) ([]string, error) {
	if all {
		return sandbox.GC(ctx, cli, nil)
	}
	dead, err := DeadWorkerContainers(ctx, cli)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, w := range dead {
		r, err := sandbox.GC(ctx, cli, map[string]string{sandbox.LabelWorker: w})
		removed = append(removed, r...)
		if err != nil {
			return removed, err
		}
	}
	return removed, nil
}

// gcAtStart removes containers left by dead workers when a Docker engine
// is configured (DOCKER_HOST set); it never delays the worker long.
func gcAtStart(log *zap.Logger) {
	if os.Getenv("DOCKER_HOST") == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cli, err := sandbox.NewDockerClient(ctx)
	if err != nil {
		return
	}
	defer cli.Close()
	removed, err := GCContainers(ctx, cli, false)
	if len(removed) > 0 {
		log.Info("removed containers of dead workers", zap.Strings("containers", removed))
	}
	if err != nil {
		log.Warn("container cleanup", zap.Error(err))
	}
}

// RemoveDeadSandboxes removes the local sandbox directories of workers
// that died (data/sandboxes/<pid> of a process that is gone).
func RemoveDeadSandboxes(dataDir string, log *zap.Logger) {
	removeOrphanSandboxes(activities.SandboxRootFor(dataDir), log)
}
