package agent

import (
	"encoding/json"
	"fmt"
)

// TrajMetrics are one .traj file's figures, as the seed's
// scripts/parse_trajectory.py extracts them (seed-system §8.4).
type TrajMetrics struct {
	InstanceID          string  `json:"instance_id"`
	ExitStatus          string  `json:"exit_status"`
	Submitted           bool    `json:"submitted"` // exit status exactly "submitted"
	Turns               int     `json:"n_turns"`   // trajectory steps, failed re-queries included
	TotalCost           float64 `json:"total_cost"`
	AgentCost           float64 `json:"agent_cost"`
	SummaryCost         float64 `json:"summary_cost"`
	AgentAPICalls       int     `json:"agent_api_calls"`
	SummaryAPICalls     int     `json:"summary_api_calls"`
	RawInputTokens      int     `json:"raw_input_tokens"`
	CachedInputTokens   int     `json:"cached_input_tokens"`
	OutputTokens        int     `json:"output_tokens"`
	SummaryInputTokens  int     `json:"summary_input_tokens"`
	SummaryOutputTokens int     `json:"summary_output_tokens"`
	// Legacy: the file uses the older SWE-agent stats layout (tokens_sent,
	// tokens_received), read here as raw input and output tokens.
	Legacy bool `json:"legacy_token_fields,omitempty"`
}

type trajStatsDoc struct {
	InstanceCost float64 `json:"instance_cost"`
	APICalls     int     `json:"api_calls"`
	Tokens       *struct {
		RawInput    int `json:"raw_input"`
		CachedInput int `json:"cached_input"`
		Output      int `json:"output"`
	} `json:"tokens"`
	TokensSent     *int `json:"tokens_sent"`
	TokensReceived *int `json:"tokens_received"`
}

// tokens returns raw input, cached input and output tokens, and whether
// they came from the legacy fields.
func (s *trajStatsDoc) tokens() (int, int, int, bool) {
	switch {
	case s == nil:
		return 0, 0, 0, false
	case s.Tokens != nil:
		return s.Tokens.RawInput, s.Tokens.CachedInput, s.Tokens.Output, false
	case s.TokensSent != nil || s.TokensReceived != nil:
		var in, out int
		if s.TokensSent != nil {
			in = *s.TokensSent
		}
		if s.TokensReceived != nil {
			out = *s.TokensReceived
		}
		return in, 0, out, true
	}
	return 0, 0, 0, false
}

// ParseTrajMetrics reads one .traj file; id is the instance id (the file's
// stem). The agent's stats are info.agent_model_stats, or info.model_stats
// when absent; the summarizer's are info.summary_model_stats (null or absent
// counts as zero).
func ParseTrajMetrics(id string, data []byte) (TrajMetrics, error) {
	var doc struct {
		Trajectory *[]json.RawMessage `json:"trajectory"`
		Info       *struct {
			ExitStatus *string       `json:"exit_status"`
			Agent      *trajStatsDoc `json:"agent_model_stats"`
			Model      *trajStatsDoc `json:"model_stats"`
			Summary    *trajStatsDoc `json:"summary_model_stats"`
		} `json:"info"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return TrajMetrics{}, fmt.Errorf("%s: not a trajectory: %w", id, err)
	}
	if doc.Trajectory == nil && doc.Info == nil {
		return TrajMetrics{}, fmt.Errorf("%s: not a trajectory: no \"trajectory\" or \"info\"", id)
	}
	m := TrajMetrics{InstanceID: id, ExitStatus: "unknown"}
	if doc.Trajectory != nil {
		m.Turns = len(*doc.Trajectory)
	}
	if doc.Info == nil {
		return m, nil
	}
	if doc.Info.ExitStatus != nil && *doc.Info.ExitStatus != "" {
		m.ExitStatus = *doc.Info.ExitStatus
	}
	m.Submitted = m.ExitStatus == ExitSubmitted
	ag := doc.Info.Agent
	if ag == nil {
		ag = doc.Info.Model
	}
	if ag != nil {
		m.AgentCost, m.AgentAPICalls = ag.InstanceCost, ag.APICalls
		m.RawInputTokens, m.CachedInputTokens, m.OutputTokens, m.Legacy = ag.tokens()
	}
	if sm := doc.Info.Summary; sm != nil {
		m.SummaryCost, m.SummaryAPICalls = sm.InstanceCost, sm.APICalls
		m.SummaryInputTokens, _, m.SummaryOutputTokens, _ = sm.tokens()
	}
	m.TotalCost = m.AgentCost + m.SummaryCost
	return m, nil
}

// TrajSummary aggregates trajectories as parse_trajectory.py does; every
// ratio is 0 when its denominator is.
type TrajSummary struct {
	Instances              int           `json:"n_instances"`
	Submitted              int           `json:"n_submitted"`
	SubmissionRate         float64       `json:"submission_rate"`
	TotalCost              float64       `json:"total_cost"`
	AvgCost                float64       `json:"avg_cost"`
	TotalAgentCost         float64       `json:"total_agent_cost"`
	TotalSummaryCost       float64       `json:"total_summary_cost"`
	SummaryCostFraction    float64       `json:"summary_cost_fraction"`
	TotalTurns             int           `json:"total_turns"`
	AvgTurns               float64       `json:"avg_turns"`
	TotalAPICalls          int           `json:"total_api_calls"`
	AvgAPICalls            float64       `json:"avg_api_calls"`
	TotalSummaryAPICalls   int           `json:"total_summary_api_calls"`
	TotalRawInputTokens    int           `json:"total_raw_input_tokens"`
	TotalCachedInputTokens int           `json:"total_cached_input_tokens"`
	TotalOutputTokens      int           `json:"total_output_tokens"`
	CacheHitRate           float64       `json:"cache_hit_rate"`
	PerInstance            []TrajMetrics `json:"instances,omitempty"`
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// SummarizeTrajs aggregates per-instance metrics (the API-call totals are
// the agent's calls).
func SummarizeTrajs(ms []TrajMetrics) TrajSummary {
	s := TrajSummary{Instances: len(ms), PerInstance: ms}
	for _, m := range ms {
		if m.Submitted {
			s.Submitted++
		}
		s.TotalCost += m.TotalCost
		s.TotalAgentCost += m.AgentCost
		s.TotalSummaryCost += m.SummaryCost
		s.TotalTurns += m.Turns
		s.TotalAPICalls += m.AgentAPICalls
		s.TotalSummaryAPICalls += m.SummaryAPICalls
		s.TotalRawInputTokens += m.RawInputTokens
		s.TotalCachedInputTokens += m.CachedInputTokens
		s.TotalOutputTokens += m.OutputTokens
	}
	n := float64(s.Instances)
	s.SubmissionRate = ratio(float64(s.Submitted), n)
	s.AvgCost = ratio(s.TotalCost, n)
	s.SummaryCostFraction = ratio(s.TotalSummaryCost, s.TotalCost)
	s.AvgTurns = ratio(float64(s.TotalTurns), n)
	s.AvgAPICalls = ratio(float64(s.TotalAPICalls), n)
	s.CacheHitRate = ratio(float64(s.TotalCachedInputTokens), float64(s.TotalRawInputTokens+s.TotalCachedInputTokens))
	return s
}
