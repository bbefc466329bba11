package agent

import "fmt"

// ConfigLimits are the limits an agent configuration may set (seed-system
// §3.6). Unset limits are nil: the trial's (the paper's defaults) apply.
type ConfigLimits struct {
	// CallLimit and CostLimit are per instance. The sweep's call-limit and
	// cost-limit parameters decide them, as run_sweep.py's command line
	// overrides the YAML (§6.3); a value here is only reported.
	CallLimit *int     `yaml:"call_limit" json:"call_limit,omitempty"`
	CostLimit *float64 `yaml:"cost_limit" json:"cost_limit,omitempty"`
	// TotalCostLimit is the seed's process-wide cap; sweeps use
	// --budget-usd instead, so a value here is only reported.
	TotalCostLimit *float64 `yaml:"total_cost_limit" json:"total_cost_limit,omitempty"`
	// ContextWindow is the seed model's max_input_tokens. It is carried but
	// not enforced before a call (no rolling truncation, §5.3): a prompt
	// too long for the model ends the instance with exit_context when the
	// provider refuses it.
	ContextWindow *int `yaml:"context_window" json:"context_window,omitempty"`
	// MaxRequeries is the number of consecutive counted failures (format
	// errors, refusals, content-policy refusals) that end a turn with
	// exit_format.
	MaxRequeries             *int `yaml:"max_requeries" json:"max_requeries,omitempty"`
	ExecutionTimeoutSec      *int `yaml:"execution_timeout" json:"execution_timeout,omitempty"`
	MaxConsecutiveTimeouts   *int `yaml:"max_consecutive_execution_timeouts" json:"max_consecutive_execution_timeouts,omitempty"`
	TotalExecutionTimeoutSec *int `yaml:"total_execution_timeout" json:"total_execution_timeout,omitempty"`
	// MaxObservationLength is where observations are cut (characters).
	MaxObservationLength *int `yaml:"max_observation_length" json:"max_observation_length,omitempty"`
}

// Apply returns l with the configuration's loop limits: re-queries,
// command timeout, consecutive timeouts and total execution time. The call
// and cost limits stay l's (see CallLimit).
func (c ConfigLimits) Apply(l Limits) Limits {
	set := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	set(&l.MaxRequeries, c.MaxRequeries)
	set(&l.ExecutionTimeoutSec, c.ExecutionTimeoutSec)
	set(&l.MaxConsecutiveTimeouts, c.MaxConsecutiveTimeouts)
	set(&l.TotalExecutionTimeoutSec, c.TotalExecutionTimeoutSec)
	return l
}

// validate checks the values and returns notes on the limits that have no
// effect here.
func (c ConfigLimits) validate() ([]string, error) {
	ints := map[string]*int{"context_window": c.ContextWindow, "max_requeries": c.MaxRequeries, "execution_timeout": c.ExecutionTimeoutSec,
		"max_consecutive_execution_timeouts": c.MaxConsecutiveTimeouts, "total_execution_timeout": c.TotalExecutionTimeoutSec,
		"max_observation_length": c.MaxObservationLength, "call_limit": c.CallLimit}
	for _, name := range []string{"call_limit", "context_window", "max_requeries", "execution_timeout",
		"max_consecutive_execution_timeouts", "total_execution_timeout", "max_observation_length"} {
		if v := ints[name]; v != nil && *v < 0 {
			return nil, fmt.Errorf("limits.%s must not be negative (got %d)", name, *v)
		}
	}
	if c.MaxRequeries != nil && *c.MaxRequeries == 0 {
		return nil, fmt.Errorf("limits.max_requeries must be at least 1")
	}
	var notes []string
	if c.CallLimit != nil {
		notes = append(notes, fmt.Sprintf("call limit %d is not used: the sweep's call-limit parameter (default 250) sets it, as run_sweep.py does", *c.CallLimit))
	}
	for name, v := range map[string]*float64{"cost limit": c.CostLimit, "total cost limit": c.TotalCostLimit} {
		if v != nil && *v < 0 {
			return nil, fmt.Errorf("%s must not be negative (got %v)", name, *v)
		}
	}
	if c.CostLimit != nil {
		notes = append(notes, fmt.Sprintf("cost limit %v is not used: the sweep's cost-limit parameter sets it, as run_sweep.py does", *c.CostLimit))
	}
	if c.TotalCostLimit != nil && *c.TotalCostLimit > 0 {
		notes = append(notes, fmt.Sprintf("total cost limit %v is not used: give the sweep a budget (--budget-usd)", *c.TotalCostLimit))
	}
	if c.ContextWindow != nil && *c.ContextWindow > 0 {
		notes = append(notes, fmt.Sprintf("context window %d is not enforced before a call (no rolling truncation); the provider's refusal ends an instance with exit_context", *c.ContextWindow))
	}
	return notes, nil
}
