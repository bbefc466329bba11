package llm

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// RateLimit bounds the requests made to a provider by all workers
// together. It is enforced by Temporal, not in process: model-call
// activities of every preset with the same Queue go to one task queue,
// whose TaskQueueActivitiesPerSecond is RequestsPerSecond (a server-side
// limit shared by all workers polling it). MaxConcurrent is held across
// all workers by the queue's limiter workflow (a slot per call, see
// workflows.LimiterWorkflow); each worker also caps its own polling of the
// queue at it (MaxConcurrentActivityExecutionSize).
type RateLimit struct {
	// Queue names the limit; presets naming the same queue share it.
	// Empty: the preset's provider and API host (see Preset.Queue).
	Queue string `yaml:"queue,omitempty" json:"queue,omitempty"`
	// RequestsPerSecond across all workers; 0 = unlimited.
	RequestsPerSecond float64 `yaml:"requests_per_second,omitempty" json:"requests_per_second,omitempty"`
	// MaxConcurrent requests in flight across all workers; 0 = unlimited.
	MaxConcurrent int `yaml:"max_concurrent,omitempty" json:"max_concurrent,omitempty"`
}

// Queue is the rate-limit key of a preset: rate_limit.queue if set, else
// the provider plus the host of a non-default API base, so DeepSeek and
// OpenAI (both provider "openai") are limited apart.
func (p Preset) Queue() string {
	if p.RateLimit != nil && p.RateLimit.Queue != "" {
		return p.RateLimit.Queue
	}
	q := p.Provider
	if p.APIBase != "" {
		if u, err := url.Parse(p.APIBase); err == nil && u.Host != "" {
			q += "-" + u.Host
		}
	}
	return strings.NewReplacer(":", "-", "/", "-").Replace(q)
}

// MaxConcurrent is the preset's rate_limit.max_concurrent (0 = no bound).
func (p Preset) MaxConcurrent() int {
	if p.RateLimit == nil {
		return 0
	}
	return p.RateLimit.MaxConcurrent
}

// TaskQueue is the Temporal task queue for this preset's model calls when
// it is rate limited, "" when it is not (calls stay on the main queue).
func (p Preset) TaskQueue(base string) string {
	if p.RateLimit == nil || (p.RateLimit.RequestsPerSecond <= 0 && p.RateLimit.MaxConcurrent <= 0) {
		return ""
	}
	return base + "-llm-" + p.Queue()
}

// QueueLimit is one rate-limited task queue a worker must poll.
type QueueLimit struct {
	TaskQueue string
	RateLimit
}

// QueueLimits lists the rate-limited task queues of a preset set, sorted.
// Presets that share a queue must agree on its limits.
func (ps Presets) QueueLimits(base string) ([]QueueLimit, error) {
	byQueue := map[string]QueueLimit{}
	owner := map[string]string{}
	for _, name := range ps.Names() {
		p := ps[name]
		tq := p.TaskQueue(base)
		if tq == "" {
			continue
		}
		l := QueueLimit{TaskQueue: tq, RateLimit: RateLimit{Queue: p.Queue(), RequestsPerSecond: p.RateLimit.RequestsPerSecond, MaxConcurrent: p.RateLimit.MaxConcurrent}}
		if prev, ok := byQueue[tq]; ok && prev != l {
			return nil, fmt.Errorf("models.%s: rate_limit for queue %q differs from models.%s's", name, p.Queue(), owner[tq])
		}
		byQueue[tq], owner[tq] = l, name
	}
	out := make([]QueueLimit, 0, len(byQueue))
	for _, l := range byQueue {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].TaskQueue < out[j].TaskQueue })
	return out, nil
}
