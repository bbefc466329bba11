package workflows

import (
	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// Resolve turns a trial's flags into strategy parameters and limits, with
// the paper's defaults for every hyper-parameter not given.
func Resolve(c sweep.RunConfig) (strategy.Params, agent.Limits, error) {
	p := strategy.Defaults(c.Strategy)
	if c.HpObsN != nil {
		p.ObsN = *c.HpObsN
	}
	if c.HpSumN != nil {
		p.SumN = *c.HpSumN
	}
	if c.HpSumKeepM != nil {
		p.SumKeepM = *c.HpSumKeepM
	}
	if c.HpSumStaticCheckpoint != nil {
		p.StaticCheckpoint = *c.HpSumStaticCheckpoint
	}
	if c.HpSumExtractActions != nil {
		p.ExtractActions = *c.HpSumExtractActions
	}
	if c.HpSumMaxActionLength != nil {
		p.MaxActionLength = *c.HpSumMaxActionLength
	}
	if c.HpSumMaxReasoningLength != nil {
		p.MaxReasoningLength = *c.HpSumMaxReasoningLength
	}
	if c.HpSumOmitTurns != nil {
		p.OmitTurns = *c.HpSumOmitTurns
	}
	if err := p.Validate(); err != nil {
		return p, agent.Limits{}, err
	}
	lim := agent.DefaultLimits()
	lim.CallLimit = c.CallLimit
	lim.CostLimit = c.CostLimit
	return p, lim, nil
}
