package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// Spec is a parsed W&B sweep file (wandb-protocol.md §7.1, seed §9).
type Spec struct {
	File        string // path given to Load/Parse, used in error messages
	Name        string // the file's base name without extension, or the "name" key
	Description string
	Program     string // kept for reference; ignored (trials run in-process)
	Method      string // grid | random | bayes
	Metric      *Metric
	// Parameters in file order.
	Parameters     []Parameter
	EarlyTerminate *EarlyTerminate
	RunCap         int // 0 = no cap
	// BudgetUSD caps the sweep's total model cost (our extension key
	// budget_usd; 0 = no budget). See BudgetAllows.
	BudgetUSD float64
	// Harness names the SWE-bench grading rules (our extension key
	// harness: "v4.1" or "v5"; "" = the default). Checked by the caller.
	Harness      string
	Command      []string // raw command list
	CommandFlags CommandFlags
	// Agent are the agent-configuration tokens of the command
	// (--agent-config=FILE, --seed-configs=DIR, --tools-dir=DIR), paths as
	// written in the file.
	Agent AgentFlags
}

// AgentFlags choose the agent configuration (prompts and tools) of a
// sweep's trials: one file, or the seed's configs per strategy.
type AgentFlags struct {
	ConfigFile string
	SeedDir    string
	ToolsDir   string
}

// Metric is the sweep objective. Goal defaults to "minimize" as in W&B.
type Metric struct {
	Name   string
	Goal   string
	Target *float64
}

// Parameter is one entry of "parameters". Exactly one of Value (HasValue),
// Values, or a numeric distribution (Distribution with Min/Max or Mu/Sigma)
// is set. A Distribution given as min/max without "distribution" is inferred
// like W&B: int_uniform when both are integers, uniform otherwise.
type Parameter struct {
	Name                   string
	Value                  any
	HasValue               bool
	Values                 []any
	Distribution           string
	Min, Max, Mu, Sigma, Q *float64
	Line, Column           int // position of the parameter's name in the file
}

// EarlyTerminate is the hyperband early-termination config. Eta defaults to 3.
type EarlyTerminate struct {
	Type    string
	MinIter int
	MaxIter int
	Eta     float64
	S       int
	Strict  *bool
}

// CommandFlags are the run flags a sweep's command passes after ${args}
// (e.g. "--wandb", "--wandb-project=complexity-trap-test").
type CommandFlags struct {
	Wandb        bool
	WandbProject string
	WandbEntity  string
	// WandbGroup and WandbTags (comma-separated) come from `starter
	// sweep` flags only.
	WandbGroup string
	WandbTags  string
}

// apply copies the set (non-zero) flags onto c.
func (f CommandFlags) apply(c *RunConfig) {
	if f.Wandb {
		c.Wandb = true
	}
	if f.WandbProject != "" {
		c.WandbProject = f.WandbProject
	}
	if f.WandbEntity != "" {
		c.WandbEntity = f.WandbEntity
	}
	if f.WandbGroup != "" {
		c.WandbGroup = f.WandbGroup
	}
	if f.WandbTags != "" {
		c.WandbTags = nil
		for _, t := range strings.Split(f.WandbTags, ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.WandbTags = append(c.WandbTags, t)
			}
		}
	}
}

// Methods lists the supported sweep methods.
var Methods = []string{"grid", "random", "bayes"}

// Error is a sweep-file error with its position:
// "file:line:col: key: message".
type Error struct {
	File         string
	Line, Column int
	Key          string // dotted path such as "parameters.hp-obs-n"
	Msg          string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Key != "" {
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads and parses a sweep file.
func Load(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse parses sweep-file content; filename is used for Name and in errors.
// All problems found are returned, joined; each is an *Error.
func Parse(filename string, data []byte) (*Spec, error) {
	if err := checkUTF8(filename, data); err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, syntaxError(filename, err)
	}
	base := filepath.Base(filename)
	s := &Spec{File: filename, Name: strings.TrimSuffix(base, filepath.Ext(base))}
	p := &parser{file: filename}
	if root.Kind == 0 || len(root.Content) == 0 {
		p.errorf(nil, "", "empty sweep file")
		return nil, p.err()
	}
	p.parseTop(s, resolve(root.Content[0]))
	if err := p.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Parameter returns the named parameter, if present.
func (s *Spec) Parameter(name string) (*Parameter, bool) {
	for i := range s.Parameters {
		if s.Parameters[i].Name == name {
			return &s.Parameters[i], true
		}
	}
	return nil, false
}

// errorAt builds an *Error positioned at parameter p.
func (s *Spec) errorAt(p *Parameter, format string, args ...any) error {
	return &Error{File: s.File, Line: p.Line, Column: p.Column,
		Key: "parameters." + p.Name, Msg: fmt.Sprintf(format, args...)}
}
