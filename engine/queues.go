package engine

import (
	"fmt"
	"sync"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"

	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// queueWorkers are the workers of the rate-limited task queues a process
// polls, by task queue.
type queueWorkers struct {
	mu      sync.Mutex
	workers map[string]worker.Worker
	closed  bool
}

// pollQueues makes the process poll each rate-limited queue it does not
// poll yet: Temporal's server enforces requests_per_second across all
// workers polling a queue; max_concurrent is held across workers by the
// queue's limiter workflow, and also caps each worker's own polling.
func (e *Engine) pollQueues(limits []llm.QueueLimit) error {
	q := &e.limited
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return fmt.Errorf("the worker is stopping")
	}
	for _, l := range limits {
		if q.workers[l.TaskQueue] != nil {
			continue
		}
		opts := worker.Options{TaskQueueActivitiesPerSecond: l.RequestsPerSecond, MaxConcurrentActivityExecutionSize: l.MaxConcurrent}
		w := worker.New(e.Client, l.TaskQueue, opts)
		w.RegisterActivityWithOptions(e.acts.ModelCall, activity.RegisterOptions{Name: workflows.ActModelCall})
		w.RegisterActivityWithOptions(e.acts.Summarize, activity.RegisterOptions{Name: workflows.ActSummarize})
		if err := w.Start(); err != nil {
			return fmt.Errorf("starting the worker of rate-limited queue %s: %w", l.TaskQueue, err)
		}
		if q.workers == nil {
			q.workers = map[string]worker.Worker{}
		}
		q.workers[l.TaskQueue] = w
	}
	return nil
}

// stopQueues stops the workers of the rate-limited queues.
func (e *Engine) stopQueues() {
	q := &e.limited
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	for _, w := range q.workers {
		w.Stop()
	}
}
