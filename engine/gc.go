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
	"github.com/ctxresearch/ctxsweep/workerid"
)

// DeadWorkerContainers lists the workers (the ctxsweep.worker label) that
// are provably dead (workerid.Dead, judged with the liveness records of
// dataDir) and still have containers: those containers are left behind by
// a killed worker. Labels of older versions (hostname-pid) are judged only
// on their own host.
func DeadWorkerContainers(ctx context.Context, cli *client.Client, dataDir string) ([]string, error) {
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true,
		Filters: filters.NewArgs(filters.Arg("label", sandbox.LabelSandbox+"=1"), filters.Arg("label", sandbox.LabelWorker))})
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	seen := map[string]bool{}
	var dead []string
	now := time.Now()
	for _, c := range list {
		w := c.Labels[sandbox.LabelWorker]
		if _, ok := workerid.Parse(w); ok {
			if !seen[w] && workerid.Dead(dataDir, w, time.Unix(c.Created, 0), now) {
				dead = append(dead, w)
			}
			seen[w] = true
			continue
		}
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
func GCContainers(ctx context.Context, cli *client.Client, dataDir string, all bool) ([]string, error) {
	if all {
		return sandbox.GC(ctx, cli, nil)
	}
	dead, err := DeadWorkerContainers(ctx, cli, dataDir)
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
func gcAtStart(dataDir string, log *zap.Logger) {
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
	removed, err := GCContainers(ctx, cli, dataDir, false)
	if len(removed) > 0 {
		log.Info("removed containers of dead workers", zap.Strings("containers", removed))
	}
	if err != nil {
		log.Warn("container cleanup", zap.Error(err))
	}
}

// RemoveDeadSandboxes removes the local sandbox directories of workers
// that are provably dead (see workerid.Dead).
func RemoveDeadSandboxes(dataDir string, log *zap.Logger) {
	removeOrphanSandboxes(dataDir, activities.SandboxRootFor(dataDir), log)
}
