package engine

import (
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
