package engine

import (
	"context"
	"os"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/ctxresearch/ctxsweep/wandb"
)

// wandbClient connects to W&B when a key is configured (WANDB_API_KEY or
// netrc, WANDB_BASE_URL); without one, trials with --wandb keep their runs
// in offline logs for `starter wandb sync`.
func wandbClient(log *zap.Logger) *wandb.Client {
	s, err := wandb.SettingsFromEnv()
	if err != nil {
		log.Warn("W&B settings are unreadable; W&B runs stay offline", zap.Error(err))
		return nil
	}
	if !s.Valid() || s.Offline() {
		return nil
	}
	c, err := wandb.NewClient(s, nil)
	if err != nil {
		log.Warn("W&B client", zap.Error(err))
		return nil
	}
	return c
}

// viewerEntity caches the default entity of the W&B key (the Viewer query),
// which runs without an entity resolve to on the server.
var viewerEntity struct {
	sync.Mutex
	byBase map[string]string
}

// defaultWandbEntity is the entity the trials' runs land in when neither
// the sweep nor WANDB_ENTITY names one (the settings file's entity, else
// the key's default entity), so that Weave traces go to the same place;
// "" when W&B is not configured or cannot be reached.
func defaultWandbEntity() string {
	s, err := wandb.SettingsFromEnv()
	if err != nil || !s.Valid() || s.Offline() {
		return ""
	}
	if s.Entity != "" {
		return s.Entity
	}
	viewerEntity.Lock()
	defer viewerEntity.Unlock()
	if e, ok := viewerEntity.byBase[s.BaseURL]; ok {
		return e
	}
	c, err := wandb.NewClient(s, nil)
	if err != nil {
		return ""
	}
	c.MaxElapsed = 20 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e, err := c.Viewer(ctx)
	if err != nil {
		return "" // not cached: asked again for the next trial
	}
	if viewerEntity.byBase == nil {
		viewerEntity.byBase = map[string]string{}
	}
	viewerEntity.byBase[s.BaseURL] = e
	return e
}

// wandbStream paces the W&B run owners: wandb-core's intervals, or for
// tests CTXSWEEP_WANDB_HEARTBEAT (a Go duration) as the heartbeat, with
// data sent at most every half of it.
func wandbStream() wandb.StreamOptions {
	d, err := time.ParseDuration(os.Getenv("CTXSWEEP_WANDB_HEARTBEAT"))
	if err != nil || d <= 0 {
		return wandb.StreamOptions{}
	}
	return wandb.StreamOptions{Heartbeat: d, Transmit: d / 2, Poll: min(time.Second, d/10), StopPoll: d / 2}
}
