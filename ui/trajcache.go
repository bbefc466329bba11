package ui

import (
	"container/list"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// step is one trajectory step, decoded (trajData.step).
type step struct {
	Thought     string
	Action      string
	Observation string
	Stats       *stepStats
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

type cacheKey struct {
	path string
	size int64
	mod  time.Time
}

// trajCache keeps the last few indexed trajectories (their bytes and where
// each step's values are) and the summaries of every imported one, keyed
// by path, size and mtime: a file rewritten is indexed again.
type trajCache struct {
	mu       sync.Mutex
	max      int
	order    *list.List // of *cacheEntry, most recent first
	byKey    map[cacheKey]*list.Element
	sums     map[cacheKey]trajSummary
	inFlight map[cacheKey]*sync.WaitGroup
	// prefetch makes the instance page start parsing the history for the
	// turn slider, which asks for it as soon as the page is shown.
	prefetch bool
}

type cacheEntry struct {
	key  cacheKey
	data *trajData
}

func newTrajCache(max int) *trajCache {
	return &trajCache{max: max, order: list.New(), byKey: map[cacheKey]*list.Element{},
		sums: map[cacheKey]trajSummary{}, inFlight: map[cacheKey]*sync.WaitGroup{}, prefetch: true}
}

func keyOf(path string) (cacheKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return cacheKey{}, err
	}
	return cacheKey{path, st.Size(), st.ModTime()}, nil
}

// load returns the indexed trajectory, indexing it once however many
// requests ask at the same time.
func (c *trajCache) load(path string) *trajData {
	k, err := keyOf(path)
	if err != nil {
		return &trajData{Err: err}
	}
	return c.get(k, func() *trajData { return indexTraj(path) })
}

// loadLive returns a running instance's steps so far, read again whenever
// its turns directory changes: the runner adds a file per reply and
// observation, so the key is the number of files and the mtime.
func (c *trajCache) loadLive(instDir string) *trajData {
	dir := filepath.Join(instDir, "turns")
	k, err := keyOf(dir)
	ents, rerr := os.ReadDir(dir)
	if err != nil || rerr != nil {
		return liveTraj(instDir)
	}
	k.size = int64(len(ents))
	return c.get(k, func() *trajData { return liveTraj(instDir) })
}

func (c *trajCache) get(k cacheKey, build func() *trajData) *trajData {
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

		d := build()
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
	d := indexTraj(path)
	s := d.Summary
	s.Err = d.Err
	c.mu.Lock()
	c.sums[k] = s
	c.mu.Unlock()
	return s
}
