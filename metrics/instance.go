package metrics

// InstanceRow is the seed's per-instance row (§7.4), kept for the
// `instances` table (§7.6); the fields are in the seed's column order,
// followed by our extra columns.
type InstanceRow struct {
	InstanceID              string   `json:"instance_id"`
	Repo                    string   `json:"repo"`
	ExitStatus              string   `json:"exit_status"`
	ExitCategory            string   `json:"exit_category"`
	Submitted               bool     `json:"submitted"`
	NTurns                  int      `json:"n_turns"`
	TotalCost               float64  `json:"total_cost"`
	AgentCost               float64  `json:"agent_cost"`
	SummaryCost             float64  `json:"summary_cost"`
	RloopCost               float64  `json:"rloop_cost"`
	AgentAPICalls           int      `json:"agent_api_calls"`
	SummaryAPICalls         int      `json:"summary_api_calls"`
	RloopAPICalls           int      `json:"rloop_api_calls"`
	RawInputTokens          int      `json:"raw_input_tokens"`
	CachedInputTokens       int      `json:"cached_input_tokens"`
	OutputTokens            int      `json:"output_tokens"`
	InternalReasoningTokens int      `json:"internal_reasoning_tokens"`
	CacheHitRate            float64  `json:"cache_hit_rate"`
	SummaryRawInputTokens   int      `json:"summary_raw_input_tokens"`
	SummaryCachedTokens     int      `json:"summary_cached_input_tokens"`
	SummaryOutputTokens     int      `json:"summary_output_tokens"`
	PatchLines              int      `json:"patch_lines"`
	DurationMS              float64  `json:"instance_duration_ms"`
	TokensPerTurn           float64  `json:"tokens_per_turn"`
	ReviewScore             *float64 `json:"review_score"` // always nil: no retry loop
	// Ours, after the seed's columns.
	Resolved  *bool `json:"resolved"`
	Requeries int   `json:"requeries"`
	Summaries int   `json:"summaries"`
}

// SeedColumns are the seed's `instances` table columns, in its order (§7.6).
var SeedColumns = []string{
	"instance_id", "repo", "exit_status", "exit_category", "submitted", "n_turns",
	"total_cost", "agent_cost", "summary_cost", "rloop_cost",
	"agent_api_calls", "summary_api_calls", "rloop_api_calls",
	"raw_input_tokens", "cached_input_tokens", "output_tokens", "internal_reasoning_tokens",
	"cache_hit_rate", "summary_raw_input_tokens", "summary_cached_input_tokens",
	"summary_output_tokens", "patch_lines", "instance_duration_ms", "tokens_per_turn",
	"review_score",
}

// ExtraColumns are ours, appended after SeedColumns: resolved (null when not
// evaluated), requeries and summaries.
var ExtraColumns = []string{"resolved", "requeries", "summaries"}

// Columns are the `instances` table's columns: SeedColumns then ExtraColumns.
func Columns() []string {
	return append(append([]string(nil), SeedColumns...), ExtraColumns...)
}

// NewInstanceRow computes the per-instance row of §7.4. The rloop figures
// are 0 and review_score is null (no retry loop, as in the seed's runs).
func NewInstanceRow(in Instance) InstanceRow {
	id := in.ID
	if id == "" {
		id = "unknown"
	}
	status := in.ExitStatus
	if status == "" {
		status = "unknown"
	}
	r := InstanceRow{
		InstanceID: id, Repo: Repo(id), ExitStatus: status,
		ExitCategory: ExitCategory(in.ExitStatus), Submitted: IsSubmitted(in.ExitStatus),
		NTurns: in.Turns, AgentCost: finite(in.Cost), SummaryCost: finite(in.SummaryCost),
		AgentAPICalls: in.APICalls, SummaryAPICalls: in.SummaryAPICalls,
		RawInputTokens: in.Tokens.RawInput(), CachedInputTokens: in.Tokens.CachedInput,
		OutputTokens: in.Tokens.Output, InternalReasoningTokens: in.Tokens.Reasoning,
		SummaryRawInputTokens: in.SummaryTokens.RawInput(), SummaryCachedTokens: in.SummaryTokens.CachedInput,
		SummaryOutputTokens: in.SummaryTokens.Output, PatchLines: in.PatchLines,
		DurationMS: finite(in.ExecSeconds) * 1000,
		Resolved:   in.Resolved, Requeries: in.Requeries, Summaries: in.Summaries,
	}
	r.TotalCost = r.AgentCost + r.SummaryCost + r.RloopCost
	r.CacheHitRate = ratio(float64(in.Tokens.CachedInput), float64(in.Tokens.Input))
	r.TokensPerTurn = ratio(float64(in.Tokens.Input), float64(in.Turns))
	return r
}

// Values returns the row's cells in Columns() order. Null cells are nil.
func (r InstanceRow) Values() []any {
	var review, resolved any
	if r.ReviewScore != nil {
		review = *r.ReviewScore
	}
	if r.Resolved != nil {
		resolved = *r.Resolved
	}
	return []any{
		r.InstanceID, r.Repo, r.ExitStatus, r.ExitCategory, r.Submitted, r.NTurns,
		r.TotalCost, r.AgentCost, r.SummaryCost, r.RloopCost,
		r.AgentAPICalls, r.SummaryAPICalls, r.RloopAPICalls,
		r.RawInputTokens, r.CachedInputTokens, r.OutputTokens, r.InternalReasoningTokens,
		r.CacheHitRate, r.SummaryRawInputTokens, r.SummaryCachedTokens,
		r.SummaryOutputTokens, r.PatchLines, r.DurationMS, r.TokensPerTurn,
		review, resolved, r.Requeries, r.Summaries,
	}
}

// Table is a W&B table: {"columns": [...], "data": [[...], ...]}.
type Table struct {
	Columns []string `json:"columns"`
	Data    [][]any  `json:"data"`
}

// InstancesTable is the `instances` table: one row per instance, in
// completion order (the order of done).
func InstancesTable(done []Instance) Table {
	t := Table{Columns: Columns(), Data: make([][]any, 0, len(done))}
	for _, in := range done {
		t.Data = append(t.Data, NewInstanceRow(in).Values())
	}
	return t
}
