package agent

// Exit statuses (seed-system §3.7).
const (
	ExitSubmitted          = "submitted"
	ExitCost               = "exit_cost"
	ExitContext            = "exit_context"
	ExitFormat             = "exit_format"
	ExitForfeit            = "exit_forfeit"
	ExitTotalExecutionTime = "exit_total_execution_time"
	ExitCommandTimeout     = "exit_command_timeout"
	ExitAPI                = "exit_api"
	ExitEnvironmentError   = "exit_environment_error"
	ExitError              = "exit_error"
	ExitCommand            = "exit_command"
)

// Autosubmitted is the status of an instance that stopped for reason but
// left a non-empty diff, e.g. "submitted (exit_cost)".
func Autosubmitted(reason string) string { return ExitSubmitted + " (" + reason + ")" }

// Limits bound one agent run (seed-system §3.6).
type Limits struct {
	CallLimit                int     `json:"call_limit"`
	CostLimit                float64 `json:"cost_limit"`
	MaxRequeries             int     `json:"max_requeries"`
	ExecutionTimeoutSec      int     `json:"execution_timeout"`
	MaxConsecutiveTimeouts   int     `json:"max_consecutive_execution_timeouts"`
	TotalExecutionTimeoutSec int     `json:"total_execution_timeout"`
}

// DefaultLimits are the paper's values.
func DefaultLimits() Limits {
	return Limits{CallLimit: 250, MaxRequeries: 3, ExecutionTimeoutSec: 30, MaxConsecutiveTimeouts: 3, TotalExecutionTimeoutSec: 1800}
}
