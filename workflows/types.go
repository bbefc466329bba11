// Package workflows holds the deterministic Temporal workflows: a sweep runs
// trials, a trial runs instances, an instance runs the agent loop. It never
// imports an adapter: activities are called by name with the request and
// result types declared here.
package workflows

import (
	"encoding/json"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/sweep"
)

// TaskQueue is the queue every worker polls; instance sessions are pinned
// from it to one worker.
const TaskQueue = "ctxsweep"

// Activity names.
const (
	ActSelectInstances = "SelectInstances"
	ActLoadRecords     = "LoadRecords"
	ActSetup           = "Setup"
	ActRestore         = "Restore"
	ActModelCall       = "ModelCall"
	ActExecute         = "Execute"
	ActSummarize       = "Summarize"
	ActAutosubmit      = "Autosubmit"
	ActTeardown        = "Teardown"
	ActEvaluate        = "Evaluate"
	ActWandbLog        = "WandbLogInstance"
	ActWandbFinish     = "WandbFinish"
	ActWandbRun        = "WandbRun"
	ActWandbSweep      = "WandbSweep"
	ActFinalize        = "Finalize"
	ActWriteTrial      = "WriteTrial"
	ActLoadProgress    = "LoadProgress"
)

// Tuning holds timeouts that tests shorten; zero values take defaults.
type Tuning struct {
	HeartbeatTimeout time.Duration `json:"heartbeat_timeout,omitempty"`
	// ContinueAsNewEvery bounds one instance workflow run to this many turns.
	ContinueAsNewEvery int `json:"continue_as_new_every,omitempty"`
	// APIGiveUp is how long one model or summary call may keep failing on
	// provider errors (rate limits, outages) before the instance ends with
	// exit_api; 0 means DefaultAPIGiveUp.
	APIGiveUp time.Duration `json:"api_give_up,omitempty"`
	// CredentialWait is how long model and summary calls wait for
	// credentials that may heal (an expired session token, a credentials
	// endpoint that is down; see llm.KindCredentials) before the instance
	// ends with exit_api; 0 means DefaultCredentialWait.
	CredentialWait time.Duration `json:"credential_wait,omitempty"`
	// RemoteModelCalls runs model calls as regular activities on the main
	// queue instead of local activities (one more workflow task and
	// activity dispatch per turn; for comparisons). Model calls on a
	// rate-limited provider's queue are always regular activities.
	RemoteModelCalls bool `json:"remote_model_calls,omitempty"`
	// Agent is the --agent-config configuration (see config.StoreAgentFile),
	// nil for the workers' built-in one. It sits in Tuning, the part of
	// SweepInput that TrialRefFor copies into every TrialRef.
	Agent *agent.ConfigRef `json:"agent_config,omitempty"`
	// AgentByStrategy are the configurations chosen per strategy, as the
	// seed's run_sweep.py picks its config file (--seed-configs). TrialRefFor
	// puts the trial's strategy's one in Agent and leaves this out of the
	// TrialRef.
	AgentByStrategy map[string]*agent.ConfigRef `json:"agent_configs,omitempty"`
	// Harness is the SWE-bench grading rules evaluation follows ("v4.1" or
	// "v5"; "" = v4.1), from --harness or the sweep file's harness key.
	Harness string `json:"harness,omitempty"`
	// Models refers to the model presets the sweep was started with
	// (built-in plus --models-file), stored in the data directory, so
	// that workers started without the same --models-file use them (see
	// activities.StoreModels); nil: the workers' own presets.
	Models *ModelsRef `json:"models,omitempty"`
	// SearchAttributes: the namespace has the custom search attributes
	// (see search.go), so trials and instances set them.
	SearchAttributes bool `json:"search_attributes,omitempty"`
	// StopAfterConfigErrors is --stop-after-config-errors: a trial whose
	// last this many finished instances (the first ones, or a key revoked
	// mid-run) all failed with one configuration or authentication error
	// stops, and so does its sweep (see breaker.go); 0 turns it off.
	StopAfterConfigErrors int `json:"stop_after_config_errors,omitempty"`
}

// ModelsRef names a stored preset set: models/<Hash>.json in the data
// directory; Files are the --models-file files it was read from.
type ModelsRef struct {
	Hash  string   `json:"hash"`
	Files []string `json:"files,omitempty"`
}

// DefaultAPIGiveUp is the default Tuning.APIGiveUp: a provider outage of
// up to six hours is waited out.
const DefaultAPIGiveUp = 6 * time.Hour

// DefaultCredentialWait is the default Tuning.CredentialWait.
const DefaultCredentialWait = 3 * time.Hour

func (t Tuning) credentialWait() time.Duration {
	if t.CredentialWait > 0 {
		return t.CredentialWait
	}
	return DefaultCredentialWait
}

func (t Tuning) apiGiveUp() time.Duration {
	if t.APIGiveUp > 0 {
		return t.APIGiveUp
	}
	return DefaultAPIGiveUp
}

func (t Tuning) heartbeat() time.Duration {
	if t.HeartbeatTimeout > 0 {
		return t.HeartbeatTimeout
	}
	return 20 * time.Second
}

func (t Tuning) canEvery() int {
	if t.ContinueAsNewEvery > 0 {
		return t.ContinueAsNewEvery
	}
	return 100
}

// TrialRef identifies a trial and carries what its instances need.
type TrialRef struct {
	Sweep    string          `json:"sweep"`
	TrialID  string          `json:"trial_id"` // workflow ID
	Dir      string          `json:"dir"`      // relative to the data directory
	RunName  string          `json:"run_name"`
	Config   sweep.RunConfig `json:"config"`
	Strategy strategy.Params `json:"strategy"`
	Limits   agent.Limits    `json:"limits"`
	Tuning   Tuning          `json:"tuning"`
	// ModelQueue and SummaryQueue are the task queues of the model's and
	// the summarizer's calls when their presets are rate limited (set by
	// the trial from SelectInstances; "" = the main queue).
	ModelQueue   string `json:"model_queue,omitempty"`
	SummaryQueue string `json:"summary_queue,omitempty"`
	// ModelSlots and SummarySlots are those queues' max_concurrent, held
	// across all workers by the queue's limiter (0 = no bound).
	ModelSlots   int `json:"model_slots,omitempty"`
	SummarySlots int `json:"summary_slots,omitempty"`
	// QuietProgress: the sweep needs no report per finished instance (no
	// budget, no early termination), so the trial sends none. The sweep's
	// history then grows with its trials, not with their instances;
	// clients read a running trial's live figures with its "status"
	// query (see LiveStatus).
	QuietProgress bool `json:"quiet_progress,omitempty"`
	// Params are the sweep controller's parameters of the trial, by their
	// names in the sweep file (set for W&B runs, whose config carries them
	// so that the W&B sweep page has its axes).
	Params map[string]any `json:"params,omitempty"`
}

// AgentLimits are Limits with the agent configuration's loop limits.
func (t TrialRef) AgentLimits() agent.Limits { return t.Tuning.Agent.Apply(t.Limits) }

// InstanceRef names one instance of a trial.
type InstanceRef struct {
	Trial      TrialRef `json:"trial"`
	InstanceID string   `json:"instance_id"`
}

// Dir is the instance's directory in the store.
func (r InstanceRef) Dir() string { return r.Trial.Dir + "/" + r.InstanceID }

// InstanceRecord is the result of one instance: small, no observations.
type InstanceRecord struct {
	InstanceID   string      `json:"instance_id"`
	ExitStatus   string      `json:"exit_status"`
	Submitted    bool        `json:"submitted"`
	PatchFile    string      `json:"patch_file,omitempty"`
	PatchBytes   int         `json:"patch_bytes"`
	Resolved     *bool       `json:"resolved,omitempty"`
	Turns        int         `json:"turns"`
	APICalls     int         `json:"api_calls"`
	Requeries    int         `json:"requeries"`
	Summaries    int         `json:"summaries"`
	Usage        agent.Usage `json:"tokens"`
	Cost         float64     `json:"cost"`
	SummaryUsage agent.Usage `json:"summary_tokens"`
	SummaryCost  float64     `json:"summary_cost"`
	ExecSeconds  float64     `json:"execution_seconds"`
	Recoveries   int         `json:"recoveries"`
	// APIRetries counts model calls that failed and were tried again
	// (rate limits, provider errors): retries, not failures.
	APIRetries int `json:"api_retries"`
	// Eval summarises the SWE-bench evaluation (its time is not in
	// ExecSeconds); record.json on disk also carries the per-test results.
	Eval        *EvalSummary     `json:"evaluation,omitempty"`
	TestsStatus *json.RawMessage `json:"tests_status,omitempty"`
	Error       string           `json:"error,omitempty"`
	TrajFile    string           `json:"traj_file,omitempty"`
	// Retryable marks an instance ended by a transient infrastructure
	// failure (disk full, Docker daemon restart, ...) rather than by the
	// agent: `starter retry` runs it again.
	Retryable bool `json:"retryable,omitempty"`
}

// TotalCost is agent plus summarizer cost.
func (r InstanceRecord) TotalCost() float64 { return r.Cost + r.SummaryCost }

// ModelCallInput asks for the reply of one turn's attempt.
type ModelCallInput struct {
	Ref     InstanceRef `json:"ref"`
	Turn    int         `json:"turn"`
	Attempt int         `json:"attempt"`
}

// ModelCallResult is the small part of a reply; the reply itself is stored.
type ModelCallResult struct {
	Valid       bool        `json:"valid"`
	FormatError string      `json:"format_error,omitempty"`
	Usage       agent.Usage `json:"usage"`
	Cost        float64     `json:"cost"`
	Cached      bool        `json:"cached"` // served from the store, not paid again
	Retries     int         `json:"retries,omitempty"`
}

// ExecuteInput runs a turn's accepted action in the instance's sandbox.
type ExecuteInput struct {
	Ref       InstanceRef `json:"ref"`
	SandboxID string      `json:"sandbox_id"`
	Turn      int         `json:"turn"`
	Attempt   int         `json:"attempt"`
}

// ExecuteResult is the small part of an observation.
type ExecuteResult struct {
	Submitted   bool    `json:"submitted"`
	ExitCommand bool    `json:"exit_command"`
	TimedOut    bool    `json:"timed_out"`
	ExecSeconds float64 `json:"exec_seconds"`
	ObsBytes    int     `json:"obs_bytes"`
	PatchBytes  int     `json:"patch_bytes"`
	// RetryWithOutput: re-query the same turn with the output (§3.4).
	RetryWithOutput bool `json:"retry_with_output,omitempty"`
}

// SetupInput creates an instance's sandbox.
type SetupInput struct {
	Ref InstanceRef `json:"ref"`
}

// SetupResult names the sandbox.
type SetupResult struct {
	SandboxID string `json:"sandbox_id"`
}

// RestoreInput replays the commands of turns 1..Turns in a new sandbox.
type RestoreInput struct {
	Ref       InstanceRef `json:"ref"`
	SandboxID string      `json:"sandbox_id"`
	Turns     int         `json:"turns"`
}

// SummarizeInput makes the summary due after Turn completed turns, if any.
type SummarizeInput struct {
	Ref  InstanceRef `json:"ref"`
	Turn int         `json:"turn"`
	// Done is the number of summaries already made.
	Done int `json:"done"`
	// SkipCall makes the placeholder summary instead of calling the model
	// (the call limit is reached).
	SkipCall bool `json:"skip_call"`
	// AskSlot: when a summary needs a model call, return NeedsSlot instead
	// of calling (the workflow takes a limiter slot, then asks again).
	AskSlot bool `json:"ask_slot,omitempty"`
}

// SummarizeResult reports a summary made (or not).
type SummarizeResult struct {
	Made   bool `json:"made"`
	Called bool `json:"called"`
	// NeedsSlot: AskSlot was set and the summary needs a model call.
	NeedsSlot bool        `json:"needs_slot,omitempty"`
	Usage     agent.Usage `json:"usage"`
	Cost      float64     `json:"cost"`
}

// AutosubmitInput collects the diff after an exit.
type AutosubmitInput struct {
	Ref       InstanceRef `json:"ref"`
	SandboxID string      `json:"sandbox_id"`
}

// AutosubmitResult reports the patch size.
type AutosubmitResult struct {
	PatchBytes int `json:"patch_bytes"`
}

// TeardownInput removes a sandbox.
type TeardownInput struct {
	SandboxID string `json:"sandbox_id"`
}

// EvaluateInput evaluates the stored patch.
type EvaluateInput struct {
	Ref InstanceRef `json:"ref"`
}

// EvaluateResult says whether the patch resolves the instance.
type EvaluateResult struct {
	Evaluated bool   `json:"evaluated"`
	Resolved  bool   `json:"resolved"`
	Note      string `json:"note,omitempty"`
	// Eval is the evaluation's summary for the record (nil when not
	// evaluated).
	Eval *EvalSummary `json:"eval,omitempty"`
}

// EvalSummary is the small part of a SWE-bench evaluation; the per-test
// results are in the report file (and in record.json on disk).
type EvalSummary struct {
	// Outcome is the run report's class: completed, empty_patch or error.
	Outcome string `json:"outcome"`
	// Resolution is RESOLVED_FULL, RESOLVED_PARTIAL or RESOLVED_NO.
	Resolution   string `json:"resolution,omitempty"`
	PatchApplied bool   `json:"patch_applied"`
	// FailToPass and PassToPass are passing/total counts.
	FailToPass [2]int  `json:"fail_to_pass"`
	PassToPass [2]int  `json:"pass_to_pass"`
	Seconds    float64 `json:"seconds"`
	ReportFile string  `json:"report_file,omitempty"`
	LogFile    string  `json:"log_file,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// FinalizeInput writes the trajectory and the record.
type FinalizeInput struct {
	Ref    InstanceRef    `json:"ref"`
	Record InstanceRecord `json:"record"`
}

// SelectInstancesResult lists a trial's instances in run order.
type SelectInstancesResult struct {
	IDs []string `json:"ids"`
	// ModelQueue and SummaryQueue: see TrialRef.
	ModelQueue   string `json:"model_queue,omitempty"`
	SummaryQueue string `json:"summary_queue,omitempty"`
	// ModelSlots and SummarySlots are those queues' max_concurrent, held
	// across all workers by the queue's limiter (0 = no bound).
	ModelSlots   int `json:"model_slots,omitempty"`
	SummarySlots int `json:"summary_slots,omitempty"`
	// QuietProgress: the sweep needs no report per finished instance (no
	// budget, no early termination), so the trial sends none. The sweep's
	// history then grows with its trials, not with their instances;
	// clients read a running trial's live figures with its "status"
	// query (see LiveStatus).
	QuietProgress bool `json:"quiet_progress,omitempty"`
}

// LoadRecordsInput asks for the records already stored for a trial.
type LoadRecordsInput struct {
	Trial TrialRef `json:"trial"`
	IDs   []string `json:"ids"`
}

// WriteTrialInput writes a trial's aggregate outputs.
type WriteTrialInput struct {
	Trial   TrialRef         `json:"trial"`
	Records []InstanceRecord `json:"records"`
}

// WandbLogInput logs one finished instance to the trial's W&B run.
// Owned: the trial's WandbRun activity pushes the run, so the logging
// activity only writes the offline log.
type WandbLogInput struct {
	Trial  TrialRef       `json:"trial"`
	Record InstanceRecord `json:"record"`
	Owned  bool           `json:"owned,omitempty"`
}

// WandbFinishInput ends the trial's W&B run. State is how the trial ended
// (a Trial* state), put in the run's summary as trial_state.
type WandbFinishInput struct {
	Trial    TrialRef `json:"trial"`
	ExitCode int      `json:"exit_code"`
	State    string   `json:"state,omitempty"`
	Owned    bool     `json:"owned,omitempty"`
}

// WandbRunInput starts the owner of a trial's W&B run: one activity that
// lives as long as the trial and streams its offline log. StartTime is the
// trial's start (the run's `_runtime` origin).
type WandbRunInput struct {
	Trial     TrialRef  `json:"trial"`
	StartTime time.Time `json:"start_time"`
}

// WandbRunResult says why the owner returned: the run's completion was
// sent (or left to `starter wandb sync`), or Stopped: the W&B UI asked to
// stop the run before the trial finished.
type WandbRunResult struct {
	Stopped bool `json:"stopped,omitempty"`
}

// WandbSweepInput creates the sweep's W&B sweep from its file (once; its
// ID is kept in the data directory) or moves it to State (a wandb.Sweep*
// state: RUNNING, FINISHED, CANCELED).
type WandbSweepInput struct {
	Sweep   string `json:"sweep"`
	Source  string `json:"source"`
	Entity  string `json:"entity,omitempty"`
	Project string `json:"project"`
	State   string `json:"state"`
}
