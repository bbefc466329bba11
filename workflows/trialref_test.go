package workflows_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/sweep"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// With configurations per strategy (--seed-configs) each trial carries
// its strategy's one, and not the others.
func TestTrialRefForPicksTheStrategysConfig(t *testing.T) {
	raw, obs := &agent.ConfigRef{Hash: "r", HPRewrite: true}, &agent.ConfigRef{Hash: "o", HPRewrite: true}
	tuning := wf.Tuning{AgentByStrategy: map[string]*agent.ConfigRef{"raw": raw, "observation_masking": obs}}
	c := sweep.DefaultRunConfig()
	c.Model, c.Strategy = "replay", "observation_masking"
	ref, err := wf.TrialRefFor("s", c, tuning)
	require.NoError(t, err)
	require.Same(t, obs, ref.Tuning.Agent)
	require.Nil(t, ref.Tuning.AgentByStrategy)
	require.Len(t, tuning.AgentByStrategy, 2, "the sweep's tuning is left as it is")

	c.Strategy = "hybrid"
	_, err = wf.TrialRefFor("s", c, tuning)
	require.ErrorContains(t, err, "no agent configuration for strategy hybrid")
}
