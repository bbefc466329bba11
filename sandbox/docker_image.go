package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// PullStallTimeout aborts a pull when the engine reports nothing for this
// long (an unreachable or hanging registry). A slow but moving pull is never
// cut off; bound the whole pull with ctx.
var PullStallTimeout = 2 * time.Minute

// PullProgressInterval is the least time between two progress messages of
// EnsureImage (besides the first and the last).
var PullProgressInterval = 5 * time.Second

// EnsureImage makes sure ref is on the engine for platform ("" means
// DefaultPlatform), pulling it when it is missing or built for another
// platform. progress, if not nil, gets short human-readable messages: the
// start, layer counts and bytes at most every PullProgressInterval, the end.
func EnsureImage(ctx context.Context, cli *client.Client, ref, platform string, progress func(string)) error {
	if progress == nil {
		progress = func(string) {}
	}
	want, err := parsePlatform(platform)
	if err != nil {
		return err
	}
	platform = platformString(want)
	info, err := cli.ImageInspect(ctx, ref)
	switch {
	case err == nil && (info.Os == "" || info.Os == want.OS) &&
		(info.Architecture == "" || info.Architecture == want.Architecture):
		return nil
	case err == nil:
		progress(fmt.Sprintf("%s is here for %s/%s, not %s: pulling", ref, info.Os, info.Architecture, platform))
	case cerrdefs.IsNotFound(err):
		progress(fmt.Sprintf("pulling %s (%s)", ref, platform))
	default:
		return fmt.Errorf("sandbox: inspecting image %s: %w", ref, err)
	}

	start := time.Now()
	pctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stalled := errors.New("no progress")
	watchdog := time.AfterFunc(PullStallTimeout, func() { cancel(stalled) })
	defer watchdog.Stop()

	rc, err := cli.ImagePull(pctx, ref, image.PullOptions{Platform: platform})
	if err != nil {
		return pullError(pctx, ref, platform, stalled, err)
	}
	defer rc.Close()
	// Closing the body is what interrupts a blocked read.
	stop := context.AfterFunc(pctx, func() { rc.Close() })
	defer stop()

	st := pullState{layers: map[string]*layerState{}}
	dec := json.NewDecoder(rc)
	last, lastMsg := time.Now(), ""
	for {
		var msg pullMessage
		if err := dec.Decode(&msg); err != nil {
			if err == io.EOF {
				break
			}
			return pullError(pctx, ref, platform, stalled, err)
		}
		watchdog.Reset(PullStallTimeout)
		if msg.Error != nil {
			return pullError(pctx, ref, platform, stalled, errors.New(msg.Error.Message))
		}
		if msg.ErrorText != "" {
			return pullError(pctx, ref, platform, stalled, errors.New(msg.ErrorText))
		}
		st.update(&msg)
		if len(st.layers) > 0 && time.Since(last) >= PullProgressInterval {
			if m := fmt.Sprintf("pulling %s: %s", ref, st.summary()); m != lastMsg {
				last, lastMsg = time.Now(), m
				progress(m)
			}
		}
	}
	if _, err := cli.ImageInspect(ctx, ref); err != nil {
		return fmt.Errorf("sandbox: image %s: the pull ended but the image is not there: %w", ref, err)
	}
	progress(fmt.Sprintf("pulled %s in %s: %s", ref, time.Since(start).Round(100*time.Millisecond), st.summary()))
	return nil
}

// pullError explains a failed pull: which image, why, and what to do.
func pullError(pctx context.Context, ref, platform string, stalled, err error) error {
	if cause := context.Cause(pctx); cause == stalled {
		err = fmt.Errorf("the engine reported no progress for %s", PullStallTimeout)
	} else if cause != nil {
		err = cause // ctx ended: keep errors.Is(err, context.DeadlineExceeded) working
	}
	return fmt.Errorf("sandbox: image %s (%s) is not on the Docker engine and pulling it failed: %w. "+
		"If the registry is unreachable from here, get the image onto this engine another way "+
		"(`docker pull %s` where the registry is reachable, then `docker save` / `docker load`), "+
		"or use a locally built image", ref, platform, err, ref)
}

// pullMessage is one JSON message of the engine's pull progress stream.
type pullMessage struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Progress *struct {
		Current int64 `json:"current"`
		Total   int64 `json:"total"`
	} `json:"progressDetail"`
	Error *struct {
		Message string `json:"message"`
	} `json:"errorDetail"`
	ErrorText string `json:"error"`
}

type layerState struct {
	current, total int64
	done           bool
}

type pullState struct {
	layers map[string]*layerState
}

func (s *pullState) update(m *pullMessage) {
	if m.ID == "" || !isLayerStatus(m.Status) {
		return // "Pulling from library/x" (with the tag as ID), "Digest: ..."
	}
	l := s.layers[m.ID]
	if l == nil {
		l = &layerState{}
		s.layers[m.ID] = l
	}
	switch m.Status {
	case "Downloading":
		if m.Progress != nil {
			l.current, l.total = m.Progress.Current, m.Progress.Total
		}
	case "Download complete", "Verifying Checksum", "Extracting":
		if l.total > 0 {
			l.current = l.total
		}
	case "Pull complete", "Already exists":
		l.done = true
		if l.total > 0 {
			l.current = l.total
		}
	}
}

func isLayerStatus(s string) bool {
	switch s {
	case "Pulling fs layer", "Waiting", "Downloading", "Verifying Checksum",
		"Download complete", "Extracting", "Pull complete", "Already exists":
		return true
	}
	return false
}

func (s *pullState) summary() string {
	var done int
	var cur, total int64
	for _, l := range s.layers {
		if l.done {
			done++
		}
		cur += l.current
		total += l.total
	}
	msg := fmt.Sprintf("%d/%d layers done", done, len(s.layers))
	if total > 0 {
		msg += fmt.Sprintf(", %s of %s downloaded", humanBytes(cur), humanBytes(total))
	}
	return msg
}

func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// GC force-removes every container, in any state, that carries
// LabelSandbox=1 and all the labels in match (an empty value matches any
// value of that label), and returns the names (or ids) of those it removed.
// Use it at worker start to clear containers a crashed process left behind,
// e.g. GC(ctx, cli, map[string]string{LabelWorker: id}).
func GC(ctx context.Context, cli *client.Client, match map[string]string) ([]string, error) {
	args := filters.NewArgs(filters.Arg("label", LabelSandbox+"=1"))
	for k, v := range match {
		if k == LabelSandbox {
			continue
		}
		if v == "" {
			args.Add("label", k)
		} else {
			args.Add("label", k+"="+v)
		}
	}
	list, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: args})
	if err != nil {
		return nil, fmt.Errorf("sandbox: listing containers: %w", err)
	}
	var (
		mu      sync.Mutex
		removed []string
		errs    []error
		wg      sync.WaitGroup
		sem     = make(chan struct{}, 4)
	)
	for _, c := range list {
		name := c.ID
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				removed = append(removed, name)
			case cerrdefs.IsNotFound(err),
				cerrdefs.IsConflict(err) && strings.Contains(err.Error(), "already in progress"):
				// Someone else removed it meanwhile.
			default:
				errs = append(errs, fmt.Errorf("removing container %s: %w", name, err))
			}
		}()
	}
	wg.Wait()
	sort.Strings(removed)
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("sandbox: GC: %w", err)
	}
	return removed, nil
}
