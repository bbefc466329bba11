package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Strategies lists the valid strategy names.
var Strategies = []string{StrategyRaw, StrategyObservationMasking, StrategyLLMSummary, StrategyHybrid,
	StrategyObservationMaskingCached}

// Subsets lists the valid instance subsets: the seed's three, SWE-bench
// "full", and "demo" for the built-in demo tasks.
var Subsets = []string{"verified", "verified-mini", "lite", "full", "demo"}

// Defaults the summarizer uses when hp-sum-n / hp-sum-keep-m are not given
// (the values in the paper configs).
const (
	DefaultSumN  = 21
	DefaultKeepM = 10
)

func oneOf(v string, valid []string) bool {
	for _, s := range valid {
		if v == s {
			return true
		}
	}
	return false
}

// validSlice checks Python slice syntax: "stop", "start:stop" or
// "start:stop:step", every part an optional (possibly negative) integer,
// and a step that is not zero.
func validSlice(s string) error {
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return errors.New("at most 3 ':'-separated parts (start:stop:step)")
	}
	for i, p := range parts {
		if p == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return fmt.Errorf("part %q is not an integer", p)
		}
		if i == 2 && n == 0 {
			return errors.New("slice step cannot be zero")
		}
	}
	if len(parts) >= 2 && strings.TrimSpace(parts[0]) != "" && strings.TrimSpace(parts[1]) != "" {
		start, _ := strconv.Atoi(strings.TrimSpace(parts[0]))
		stop, _ := strconv.Atoi(strings.TrimSpace(parts[1]))
		step := 1
		if len(parts) == 3 && strings.TrimSpace(parts[2]) != "" {
			step, _ = strconv.Atoi(strings.TrimSpace(parts[2]))
		}
		if (start >= 0) == (stop >= 0) && ((step > 0 && start >= stop) || (step < 0 && start <= stop)) {
			return fmt.Errorf("%q selects no instance (start %d, stop %d, step %d): a trial of 0 instances", s, start, stop, step)
		}
	}
	return nil
}

func minInt(name string, p *int, min int) error {
	if p != nil && *p < min {
		return fmt.Errorf("%s must be >= %d, got %d", name, min, *p)
	}
	return nil
}

// checkField validates the domain of one parameter, independent of other
// fields and of the model registry. It is used by Validate and by Parse (so
// that constants in sweep files are checked with line numbers).
func checkField(name string, c *RunConfig) error {
	switch name {
	case "model":
		if c.Model == "" {
			return errors.New("model is required")
		}
	case "strategy":
		if !oneOf(c.Strategy, Strategies) {
			return fmt.Errorf("strategy %q is not one of %s", c.Strategy, strings.Join(Strategies, ", "))
		}
	case "summarizer-model":
		if c.SummarizerModel == "" {
			return errors.New("summarizer-model must be \"same\" or a model preset")
		}
	case "instances-subset":
		if !oneOf(c.InstancesSubset, Subsets) {
			return fmt.Errorf("instances-subset %q is not one of %s", c.InstancesSubset, strings.Join(Subsets, ", "))
		}
	case "instances-slice":
		if err := validSlice(c.InstancesSlice); err != nil {
			return fmt.Errorf("instances-slice %q: %v", c.InstancesSlice, err)
		}
	case "call-limit":
		return minInt(name, &c.CallLimit, 1)
	case "cost-limit":
		if c.CostLimit < 0 || math.IsNaN(c.CostLimit) || math.IsInf(c.CostLimit, 0) {
			return fmt.Errorf("cost-limit must be a finite number >= 0 (0 = no limit), got %v", c.CostLimit)
		}
	case "num-workers":
		return minInt(name, &c.NumWorkers, 1)
	case "wandb-project":
		if c.WandbProject == "" {
			return errors.New("wandb-project must not be empty")
		}
	case "hp-obs-n":
		return minInt(name, c.HpObsN, 1)
	case "hp-sum-n":
		return minInt(name, c.HpSumN, 1)
	case "hp-sum-keep-m":
		return minInt(name, c.HpSumKeepM, 0)
	case "hp-sum-max-action-length":
		return minInt(name, c.HpSumMaxActionLength, -1)
	case "hp-sum-max-reasoning-length":
		return minInt(name, c.HpSumMaxReasoningLength, -1)
	}
	return nil
}

// Validate checks a complete trial configuration. knownModel reports
// whether a model preset exists; nil skips that check. All problems are
// reported, joined.
func (c RunConfig) Validate(knownModel func(string) bool) error {
	var errs []error
	for _, p := range params {
		if err := checkField(p.name, &c); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Model != "" && knownModel != nil && !knownModel(c.Model) {
		errs = append(errs, fmt.Errorf("model %q is not a known model preset", c.Model))
	}
	if UsesSummarizer(c.Strategy) {
		s := c.SummarizerModel
		if s != "" && s != SummarizerSame && knownModel != nil && !knownModel(s) {
			errs = append(errs, fmt.Errorf("summarizer-model %q is neither \"same\" nor a known model preset", s))
		}
		sumN, keepM := DefaultSumN, DefaultKeepM
		if c.HpSumN != nil {
			sumN = *c.HpSumN
		}
		if c.HpSumKeepM != nil {
			keepM = *c.HpSumKeepM
		}
		if keepM >= sumN {
			errs = append(errs, fmt.Errorf("hp-sum-keep-m (k=%d) must be less than hp-sum-n (s=%d)", keepM, sumN))
		}
	}
	return errors.Join(errs...)
}

// Key returns a short deterministic hash (10 hex chars of SHA-256 over the
// canonical JSON) of every field that can affect the experiment, i.e. all
// fields except wandb-* and num-workers. Fields are hashed as given: two
// configs differing only in a parameter their strategy ignores get
// different Keys (see ExperimentKey).
func (c RunConfig) Key() string {
	c.Wandb, c.WandbProject, c.WandbEntity, c.WandbGroup, c.WandbTags = false, "", "", "", nil
	c.NumWorkers = 0
	c.Evaluate = nil
	data, err := json.Marshal(c)
	if err != nil {
		panic("sweep: marshal RunConfig: " + err.Error())
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])[:10]
}

// ExperimentKey is Key after dropping what the strategy ignores: the
// summarizer and hp-sum-* for raw/observation_masking, hp-obs-n for
// raw/llm_summary, the shuffle seed when shuffle is off; "same" is resolved
// to the model. Grid sweeps contain such duplicates (seed §9.2); configs
// with equal ExperimentKey run the identical experiment.
func (c RunConfig) ExperimentKey() string {
	if UsesSummarizer(c.Strategy) {
		c.SummarizerModel = c.Summarizer()
	} else {
		c.SummarizerModel = ""
		c.HpSumN, c.HpSumKeepM, c.HpSumMaxActionLength, c.HpSumMaxReasoningLength = nil, nil, nil, nil
		c.HpSumStaticCheckpoint, c.HpSumExtractActions, c.HpSumOmitTurns = nil, nil, nil
	}
	if !UsesMasking(c.Strategy) {
		c.HpObsN = nil
	}
	if !c.InstancesShuffle {
		c.InstancesShuffleSeed = 0
	}
	return c.Key()
}

// ValidateName checks a sweep name: it names a directory under the data
// directory's runs/ and the sweep's workflow id, so it must be one path
// element (no separators, no "..") of printable characters.
func ValidateName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return errors.New("the sweep name is empty; give one with --name")
	case strings.ContainsAny(name, `/\`) || strings.Contains(name, ".."):
		return fmt.Errorf("sweep name %q must not contain '/', '\\' or '..': it names a directory under <data-dir>/runs; choose another with --name", name)
	case strings.HasPrefix(name, "-") || strings.HasPrefix(name, "."):
		return fmt.Errorf("sweep name %q must not start with '-' or '.'; choose another with --name", name)
	case len(name) > 200:
		return fmt.Errorf("sweep name is %d characters long; at most 200; choose a shorter one with --name", len(name))
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return fmt.Errorf("sweep name %q contains a control or invalid character; choose another with --name", name)
		}
	}
	return nil
}

// checkUTF8 names the line and column of the first byte of a sweep file
// that is not UTF-8 (YAML files must be).
func checkUTF8(filename string, data []byte) error {
	if utf8.Valid(data) {
		return nil
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Errorf("%s:%d:%d: byte 0x%02x is not UTF-8: save the sweep file as UTF-8", filename, line, col, data[i])
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += n
	}
	return nil
}
