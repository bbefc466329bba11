// Package demo ships a handful of small, self-contained SWE-bench-style tasks
// inside the binary, so that the whole pipeline (agent loop, sandbox,
// evaluation) can run without Docker images or dataset downloads.
//
// Each task lives in tasks/<instance_id>/ with
//
//	task.json    instance fields in the SWE-bench layout
//	repo/        a small Python 3 project (stdlib only) with one real bug
//	replay.traj  a recorded trajectory (seed .traj layout) that fixes it
//
// The trajectories are generated, not hand-written: `go test ./demo -run
// TestRecord -update` replays the scripted actions in a local sandbox and
// records the real observations.
package demo

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

//go:embed all:tasks
var tasksFS embed.FS

// Task is one demo instance (seed-system §10 fields).
type Task struct {
	InstanceID       string   `json:"instance_id"`
	Repo             string   `json:"repo"`
	ProblemStatement string   `json:"problem_statement"`
	BaseCommit       string   `json:"base_commit"`
	FailToPass       []string `json:"FAIL_TO_PASS"`
	PassToPass       []string `json:"PASS_TO_PASS"`
}

var loadTasks = sync.OnceValues(func() ([]Task, error) {
	entries, err := tasksFS.ReadDir("tasks")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var tasks []Task
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		data, err := tasksFS.ReadFile(path.Join("tasks", e.Name(), "task.json"))
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		var t Task
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("demo: %s/task.json: %w", e.Name(), err)
		}
		if t.InstanceID != e.Name() {
			return nil, fmt.Errorf("demo: %s/task.json has instance_id %q", e.Name(), t.InstanceID)
		}
		tasks = append(tasks, t)
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].InstanceID < tasks[j].InstanceID })
	return tasks, nil
})

// Tasks returns every demo task, sorted by instance id. The slices of the
// returned tasks are fresh copies.
func Tasks() ([]Task, error) {
	tasks, err := loadTasks()
	if err != nil {
		return nil, err
	}
	out := make([]Task, len(tasks))
	for i, t := range tasks {
		out[i] = t.clone()
	}
	return out, nil
}

func (t Task) clone() Task {
	t.FailToPass = append([]string(nil), t.FailToPass...)
	t.PassToPass = append([]string(nil), t.PassToPass...)
	return t
}

// IDs returns the instance ids of all demo tasks, sorted.
func IDs() []string {
	tasks, _ := loadTasks()
	ids := make([]string, len(tasks))
	for i, t := range tasks {
		ids[i] = t.InstanceID
	}
	return ids
}

// Get returns the task with the given instance id.
func Get(id string) (Task, error) {
	tasks, err := loadTasks()
	if err != nil {
		return Task{}, err
	}
	for _, t := range tasks {
		if t.InstanceID == id {
			return t.clone(), nil
		}
	}
	return Task{}, fmt.Errorf("demo: unknown task %q (valid ids: %s)", id, strings.Join(IDs(), ", "))
}

// RepoFS returns the task's repository files (the unfixed code and tests).
func RepoFS(id string) (fs.FS, error) {
	if _, err := Get(id); err != nil {
		return nil, err
	}
	return fs.Sub(tasksFS, path.Join("tasks", id, "repo"))
}

// Replay returns the bytes of the task's recorded replay.traj.
func Replay(id string) ([]byte, error) {
	if _, err := Get(id); err != nil {
		return nil, err
	}
	data, err := tasksFS.ReadFile(path.Join("tasks", id, "replay.traj"))
	if err != nil {
		return nil, fmt.Errorf("demo: %s has no replay trajectory: %w", id, err)
	}
	return data, nil
}
