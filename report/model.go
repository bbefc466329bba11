// Package report turns trial outputs into the paper's tables and figure:
// solve rate and mean cost per experiment with percentile bootstrap CIs,
// paired differences against the raw strategy, and a cost-vs-solve-rate PNG
// (seed-system.md §11). It reads our trial directories and imports results
// produced elsewhere (SWE-bench report JSON, SWE-agent trajectory
// directories, the paper's per-instance cost CSVs). It only reads files.
package report

import (
	"slices"
	"strings"
)

// Canonical strategy names, as in sweep files and trial.json.
const (
	Raw                = "raw"
	ObservationMasking = "observation_masking"
	LLMSummary         = "llm_summary"
	Hybrid             = "hybrid"
)

// strategyOrder places strategies side by side in tables and panels.
var strategyOrder = []string{Raw, ObservationMasking, LLMSummary, Hybrid}

func strategyRank(s string) int {
	if i := slices.Index(strategyOrder, s); i >= 0 {
		return i
	}
	return len(strategyOrder)
}

// StrategyLabel is the paper's label (the CSV `strategy` column and the
// paired CSV); hybrid, which the paper files under LLM-Summary, is "Hybrid".
func StrategyLabel(s string) string {
	switch s {
	case Raw:
		return "Raw Agent"
	case ObservationMasking:
		return "Observation Masking"
	case LLMSummary:
		return "LLM-Summary"
	case Hybrid:
		return "Hybrid"
	case "":
		return "Unknown"
	}
	return s
}

func shortLabel(s string) string {
	switch s {
	case ObservationMasking:
		return "masking"
	case LLMSummary:
		return "summary"
	case "":
		return "unknown"
	}
	return s
}

// strategyFromLabel maps a CSV `strategy` value or a canonical name.
func strategyFromLabel(label string) string {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "raw agent", "raw":
		return Raw
	case "observation masking", "observation_masking", "masking":
		return ObservationMasking
	case "llm-summary", "llm_summary", "llm summary", "summary":
		return LLMSummary
	case "hybrid":
		return Hybrid
	}
	return ""
}

// strategyFromName infers the strategy from a run or experiment name: our
// run names (`<model>__<raw|obs|sum|hyb>…__<dataset>`, seed §6.4) and the
// paper's experiment names (`…baseline_raw…`, `…baseline_N_1_M_10…`,
// `…turn-summaries…`, `…_combined` for hybrid; §11.2).
func strategyFromName(name string) string {
	if parts := strings.Split(name, "__"); len(parts) >= 3 {
		group, _, _ := strings.Cut(parts[1], "_")
		switch group {
		case "raw":
			return Raw
		case "obs":
			return ObservationMasking
		case "sum":
			return LLMSummary
		case "hyb":
			return Hybrid
		}
	}
	l := strings.ToLower(name)
	switch {
	case strings.Contains(l, "raw"):
		return Raw
	case strings.Contains(l, "combined") || strings.Contains(l, "hybrid"):
		return Hybrid
	case strings.Contains(l, "summar"):
		return LLMSummary
	case strings.Contains(l, "baseline") || strings.Contains(l, "masking"):
		return ObservationMasking
	}
	return ""
}

// modelFromName infers the model: the first part of our run names, or the
// paper's experiment name up to its agent/strategy part.
func modelFromName(name string) string {
	if parts := strings.Split(name, "__"); len(parts) >= 3 {
		return parts[0]
	}
	cut := len(name)
	for _, sep := range []string{"-agent-", "-baseline", "-t_", "-turn-summaries"} {
		if i := strings.Index(name, sep); i > 0 && i < cut {
			cut = i
		}
	}
	return name[:cut]
}

// Instance is one instance of one experiment.
type Instance struct {
	ID       string
	Resolved bool
	// outcome ranks where Resolved came from: 0 nowhere, 1 an instance
	// record or CSV row, 2 a SWE-bench report (which wins).
	outcome int

	HasCost     bool
	Cost        float64 // agent cost, USD
	SummaryCost float64 // summarizer cost, USD

	HasTurns   bool
	Turns      int
	ExitStatus string
	Submitted  bool

	InputTokens  int // prompt tokens, cached included (agent + summary)
	CachedTokens int
}

// Experiment is one run of one strategy on one model: a trial of ours, an
// imported SWE-agent batch, or an experiment of the paper's CSV.
type Experiment struct {
	Name     string
	Model    string
	Strategy string
	Sources  []string // files and directories it was read from
	// Harness names the SWE-bench grading rules its outcomes came from
	// ("v4.1", "v5"; "" when the source does not say).
	Harness string
	aliases []string // other names a report file may use

	byID  map[string]*Instance
	order []string
}

func newExperiment(name string) *Experiment {
	return &Experiment{Name: name, byID: map[string]*Instance{}}
}

// Instances returns the instances in the order they were first seen.
func (e *Experiment) Instances() []*Instance {
	out := make([]*Instance, len(e.order))
	for i, id := range e.order {
		out[i] = e.byID[id]
	}
	return out
}

// instance returns the instance with the id, adding it if new.
func (e *Experiment) instance(id string) *Instance {
	if in, ok := e.byID[id]; ok {
		return in
	}
	in := &Instance{ID: id}
	e.byID[id] = in
	e.order = append(e.order, id)
	return in
}

func (e *Experiment) addSource(s string) {
	if !slices.Contains(e.Sources, s) {
		e.Sources = append(e.Sources, s)
	}
}

func (e *Experiment) setOutcome(id string, resolved bool, rank int) {
	in := e.instance(id)
	if rank >= in.outcome {
		in.Resolved, in.outcome = resolved, rank
	}
}

// fillIdentity infers the model and strategy from the name when no source
// said them.
func (e *Experiment) fillIdentity() {
	if e.Strategy == "" {
		e.Strategy = strategyFromName(e.Name)
	}
	if e.Model == "" {
		e.Model = modelFromName(e.Name)
	}
}

// ExitCategory maps an exit status to the seed's category (§7.7).
func ExitCategory(status string) string {
	l := strings.ToLower(strings.TrimSpace(status))
	if l == "" {
		return "unknown"
	}
	if rest, ok := strings.CutPrefix(l, "submitted"); ok {
		if i := strings.Index(rest, "("); i >= 0 {
			if j := strings.Index(rest[i:], ")"); j > 0 {
				return ExitCategory(rest[i+1 : i+j])
			}
		}
		return "submitted"
	}
	for _, c := range []struct{ sub, cat string }{
		{"cost", "exit_cost"}, {"context", "exit_context"}, {"timeout", "exit_timeout"},
		{"execution_time", "exit_timeout"}, {"format", "exit_format"}, {"forfeit", "exit_forfeit"},
		{"api", "exit_api"}, {"environment", "exit_environment"}, {"command", "exit_command"},
		{"error", "exit_error"},
	} {
		if strings.Contains(l, c.sub) {
			return c.cat
		}
	}
	return "other"
}
