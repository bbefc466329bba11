package activities

import (
	"fmt"
	"path"
	"sync"

	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Head is the stored start of an instance's history.
type Head struct {
	System   agent.Message `json:"system"`
	Instance agent.Message `json:"instance"`
	Workdir  string        `json:"workdir"`
	// AgentConfig is the hash of the agent configuration the instance was
	// started with ("" for the worker's built-in one): a later run of the
	// same instance with another configuration is refused.
	AgentConfig string `json:"agent_config,omitempty"`
}

// agentConfig is the configuration an instance runs: the trial's (stored
// in the data directory, see config.StoreAgentFile) or the worker's
// built-in one.
func (a *Activities) agentConfig(ref workflows.InstanceRef) (agent.Config, error) {
	cr := ref.Trial.Tuning.Agent
	if cr == nil {
		return a.Agent, nil
	}
	c, err := config.LoadStoredAgent(a.Store, *cr)
	if err != nil {
		return c, configError("instance %s: %v", ref.InstanceID, err)
	}
	return c, nil
}

// RetryObservationFile holds the observation of an attempt that the seed
// answers with a re-query of the same turn (Observation.RetryWithOutput);
// a turn's final observation is store.ObservationFile.
func RetryObservationFile(dir string, turn, attempt int) string {
	return path.Join(dir, "turns", fmt.Sprintf("%04d.a%d.retry.json", turn, attempt))
}

// EditedFilesFile holds info.edited_files30/50/70, rendered from the
// sandbox when the patch is taken (it is gone by Finalize).
func EditedFilesFile(dir string) string { return path.Join(dir, "edited_files.json") }

// Reply is a stored model reply.
type Reply struct {
	Turn         int              `json:"turn"`
	Attempt      int              `json:"attempt"`
	Content      string           `json:"content"`
	ToolCalls    []agent.ToolCall `json:"tool_calls,omitempty"`
	Valid        bool             `json:"valid"`
	Action       *agent.Action    `json:"action,omitempty"`
	FormatError  string           `json:"format_error,omitempty"`
	FormatCode   string           `json:"format_code,omitempty"`
	Usage        agent.Usage      `json:"usage"`
	Cost         float64          `json:"cost"`
	LatencyMS    int64            `json:"latency_ms"`
	PromptHashes []string         `json:"prompt_hashes"`
	PromptTokens []int            `json:"prompt_tokens"`
	ViewSize     int              `json:"view_messages"`
	// Retries is how many earlier tries of this call failed (rate limits,
	// provider errors, lost workers) before this reply was received.
	Retries int `json:"api_retries,omitempty"`
	// TruncatedFrom is the size in bytes of a reply longer than
	// MaxReplyBytes, kept cut with a note (see capReply).
	TruncatedFrom int `json:"truncated_from_bytes,omitempty"`
}

// Observation is a stored environment observation.
type Observation struct {
	Turn        int     `json:"turn"`
	Attempt     int     `json:"attempt"`
	Output      string  `json:"output"`
	Content     string  `json:"content"` // rendered with the next-step template
	ExitCode    int     `json:"exit_code"`
	TimedOut    bool    `json:"timed_out"`
	ExecSeconds float64 `json:"exec_seconds"`
	Submitted   bool    `json:"submitted"`
	ExitCommand bool    `json:"exit_command"`
	PatchBytes  int     `json:"patch_bytes"`
	// State is the viewer state after the action: the open file, its
	// window and the working directory (the state trailer's values).
	State agent.ViewerState `json:"state"`
	// RetryWithOutput marks an editor failure that the seed answers with a
	// re-query instead of a turn (its retry-with-output token, §3.4).
	RetryWithOutput bool `json:"retry_with_output,omitempty"`
}

// historyCache keeps the raw histories of recent instances in memory; the
// files behind it are written once and never change.
type historyCache struct {
	mu    sync.Mutex
	max   int
	items map[string][]agent.Message
	order []string
}

func newHistoryCache(max int) *historyCache {
	return &historyCache{max: max, items: map[string][]agent.Message{}}
}

func (c *historyCache) get(dir string) []agent.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.items[dir]
}

func (c *historyCache) put(dir string, h []agent.Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[dir]; !ok {
		c.order = append(c.order, dir)
		if len(c.order) > c.max {
			delete(c.items, c.order[0])
			c.order = c.order[1:]
		}
	}
	c.items[dir] = h
}

// history returns the raw history after `turns` completed turns:
// system, instance, then (assistant, tool) per turn.
func (a *Activities) history(dir string, turns int) ([]agent.Message, error) {
	cached := a.hist.get(dir)
	if len(cached) >= 2+2*turns && len(cached) > 0 {
		return cached[: 2+2*turns : 2+2*turns], nil
	}
	h := cached
	if len(h) == 0 {
		var head Head
		ok, err := a.Store.ReadJSON(store.HeadFile(dir), &head)
		if err != nil {
			return nil, err
		}
		if !ok {
			if err := a.dirLost(dir); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("instance %s has no head.json; was Setup run?", dir)
		}
		h = []agent.Message{head.System, head.Instance}
	}
	h = append([]agent.Message(nil), h...)
	for t := (len(h)-2)/2 + 1; t <= turns; t++ {
		obs, rep, err := a.turn(dir, t)
		if err != nil {
			return nil, err
		}
		h = append(h, assistantMessage(rep), toolMessage(rep, obs))
	}
	a.hist.put(dir, h)
	return h, nil
}

// turn loads a completed turn's observation and its accepted reply.
func (a *Activities) turn(dir string, t int) (Observation, Reply, error) {
	var obs Observation
	ok, err := a.Store.ReadJSON(store.ObservationFile(dir, t), &obs)
	if err != nil {
		return obs, Reply{}, err
	}
	if !ok {
		if err := a.dirLost(dir); err != nil {
			return obs, Reply{}, err
		}
		return obs, Reply{}, fmt.Errorf("turn %d of %s has no observation", t, dir)
	}
	var rep Reply
	ok, err = a.Store.ReadJSON(store.ReplyFile(dir, t, obs.Attempt), &rep)
	if err != nil {
		return obs, rep, err
	}
	if !ok || !rep.Valid {
		return obs, rep, fmt.Errorf("turn %d of %s: %w", t, dir, errNoReply)
	}
	return obs, rep, nil
}

func assistantMessage(r Reply) agent.Message {
	m := agent.Message{Role: agent.RoleAssistant, Content: r.Content, MessageType: agent.TypeAction, Thought: r.Content, ToolCalls: r.ToolCalls}
	if r.Action != nil {
		m.Action = r.Action.Command
	}
	return m
}

func toolMessage(r Reply, o Observation) agent.Message {
	m := agent.Message{Role: agent.RoleTool, Content: o.Content, MessageType: agent.TypeObservation}
	if r.Action != nil {
		m.ToolCallIDs = []string{r.Action.Call.ID}
	}
	return m
}

// dirLost returns a non-retryable error when an instance's directory no
// longer exists (deleted while the sweep ran): its recorded turns are gone
// and no retry can bring them back.
func (a *Activities) dirLost(dir string) error {
	if a.Store.Exists(dir) {
		return nil
	}
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(
		"instance directory %s was deleted while the sweep ran: its recorded turns are gone, so the instance cannot continue (run the trial again to redo it)",
		a.Store.Path(dir)), workflows.ErrInstanceDirLost, nil)
}
