package agent

// Usage counts the tokens of one or more model calls.
type Usage struct {
	Input       int `json:"input"`        // all prompt tokens, cached included
	CachedInput int `json:"cached_input"` // prompt tokens served from the prefix cache
	CacheWrite  int `json:"cache_write"`
	Output      int `json:"output"`
	Reasoning   int `json:"reasoning"`
}

// Add returns u + o.
func (u Usage) Add(o Usage) Usage {
	return Usage{u.Input + o.Input, u.CachedInput + o.CachedInput, u.CacheWrite + o.CacheWrite, u.Output + o.Output, u.Reasoning + o.Reasoning}
}

// RawInput is the uncached part of the prompt.
func (u Usage) RawInput() int { return u.Input - u.CachedInput }
