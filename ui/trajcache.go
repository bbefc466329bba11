package ui

import (
	"container/list"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ctxresearch/ctxsweep/traj"
)

// step is one trajectory step as the .traj records it.
type step struct {
	Thought     string     `json:"thought"`
	Action      string     `json:"action"`
	Observation string     `json:"observation"`
	Response    string     `json:"response"`
	ExecTime    float64    `json:"execution_time"`
	Stats       *stepStats `json:"turn_statistics"`
}

type stepStats struct {
	Cost   float64 `json:"cost"`
	Tokens struct {
		RawInput    int `json:"raw_input"`
		CachedInput int `json:"cached_input"`
		Output      int `json:"output"`
	} `json:"tokens"`
}

// modelStats is an info model-stats object, current or older layout.
type modelStats struct {
	InstanceCost   float64 `json:"instance_cost"`
	TokensSent     int     `json:"tokens_sent"`
	TokensReceived int     `json:"tokens_received"`
	APICalls       int     `json:"api_calls"`
	Tokens         *struct {
		RawInput    int `json:"raw_input"`
		CachedInput int `json:"cached_input"`
		Output      int `json:"output"`
	} `json:"tokens"`
}

func (m *modelStats) io() (in, out int) {
	if m == nil {
		return 0, 0
	}
	if m.Tokens != nil {
		return m.Tokens.RawInput + m.Tokens.CachedInput, m.Tokens.Output
	}
	return m.TokensSent, m.TokensReceived
}

type trajInfo struct {
	ExitStatus string      `json:"exit_status"`
	Submission string      `json:"submission"`
	Resolved   *bool       `json:"resolved"`
	ModelStats *modelStats `json:"model_stats"`
}

// trajSummary is what a trial listing needs of an imported .traj.
type trajSummary struct {
	trajInfo
	Steps        int
	Cost         float64
	InputTokens  int
	OutputTokens int
	Err          error
}

// trajData is a parsed trajectory: the history (for views) and the steps.
// Err says the file is unreadable; ViewErr that its history cannot be
// rebuilt into views (the steps are still shown).
type trajData struct {
	File    *traj.File
	Steps   []step
	Info    trajInfo
	Err     error
	ViewErr error
}

type cacheKey struct {
	path string
	size int64
	mod  time.Time
}

// trajCache keeps the last few parsed trajectories (a 250-turn .traj with
// 50 KB observations is ~36 MB of JSON: about a second to decode) and the
// summaries of every imported one, keyed by path, size and mtime.
type trajCache struct {
	mu       sync.Mutex
	max      int
	order    *list.List // of *cacheEntry, most recent first
	byKey    map[cacheKey]*list.Element
	sums     map[cacheKey]trajSummary
	inFlight map[cacheKey]*sync.WaitGroup
}

type cacheEntry struct {
	key  cacheKey
	data *trajData
}

func newTrajCache(max int) *trajCache {
	return &trajCache{max: max, order: list.New(), byKey: map[cacheKey]*list.Element{},
		sums: map[cacheKey]trajSummary{}, inFlight: map[cacheKey]*sync.WaitGroup{}}
}

func keyOf(path string) (cacheKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return cacheKey{}, err
	}
	return cacheKey{path, st.Size(), st.ModTime()}, nil
}

// load returns the parsed trajectory, parsing it once however many
// requests ask at the same time.
func (c *trajCache) load(path string) *trajData {
	k, err := keyOf(path)
	if err != nil {
		return &trajData{Err: err}
	}
	for {
		c.mu.Lock()
		if el, ok := c.byKey[k]; ok {
			c.order.MoveToFront(el)
			c.mu.Unlock()
			return el.Value.(*cacheEntry).data
		}
		if wg, ok := c.inFlight[k]; ok {
			c.mu.Unlock()
			wg.Wait()
			continue
		}
		wg := &sync.WaitGroup{}
		wg.Add(1)
		c.inFlight[k] = wg
		c.mu.Unlock()

		d := parseTraj(path)
		c.mu.Lock()
		delete(c.inFlight, k)
		c.byKey[k] = c.order.PushFront(&cacheEntry{k, d})
		for c.order.Len() > c.max {
			old := c.order.Remove(c.order.Back()).(*cacheEntry)
			delete(c.byKey, old.key)
		}
		c.mu.Unlock()
		wg.Done()
		return d
	}
}

// parseTraj reads the history with traj.Parse (what `starter view` uses)
// and the steps and info, the two decodes running side by side.
func parseTraj(path string) *trajData {
	b, err := os.ReadFile(path)
	if err != nil {
		return &trajData{Err: err}
	}
	d := &trajData{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		d.File, d.ViewErr = traj.Parse(path, b)
	}()
	var rest struct {
		Trajectory []step    `json:"trajectory"`
		Info       *trajInfo `json:"info"`
	}
	rerr := json.Unmarshal(b, &rest)
	wg.Wait()
	if rerr != nil {
		d.Err = fmt.Errorf("%s: not a trajectory: %v", path, rerr)
	}
	d.Steps = rest.Trajectory
	if rest.Info != nil {
		d.Info = *rest.Info
	}
	return d
}

// summary reads an imported .traj's info and step count (cached).
func (c *trajCache) summary(path string) trajSummary {
	k, err := keyOf(path)
	if err != nil {
		return trajSummary{Err: err}
	}
	c.mu.Lock()
	if s, ok := c.sums[k]; ok {
		c.mu.Unlock()
		return s
	}
	c.mu.Unlock()
	var s trajSummary
	var f struct {
		Trajectory []struct{} `json:"trajectory"`
		Info       *struct {
			trajInfo
			Agent   *modelStats `json:"agent_model_stats"`
			Summary *modelStats `json:"summary_model_stats"`
		} `json:"info"`
	}
	if b, err := os.ReadFile(path); err != nil {
		s.Err = err
	} else if err := json.Unmarshal(b, &f); err != nil {
		s.Err = fmt.Errorf("not a trajectory: %v", err)
	} else {
		s.Steps = len(f.Trajectory)
		if f.Info != nil {
			s.trajInfo = f.Info.trajInfo
			st := f.Info.ModelStats
			if f.Info.Agent != nil {
				st = f.Info.Agent
			}
			if st != nil {
				s.Cost = st.InstanceCost
				s.InputTokens, s.OutputTokens = st.io()
			}
			if sm := f.Info.Summary; sm != nil && f.Info.Agent != nil {
				s.Cost += sm.InstanceCost
				i, o := sm.io()
				s.InputTokens, s.OutputTokens = s.InputTokens+i, s.OutputTokens+o
			}
		}
	}
	c.mu.Lock()
	c.sums[k] = s
	c.mu.Unlock()
	return s
}
