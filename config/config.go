// Package config carries the built-in configuration files (model presets
// and the default agent configuration) and keeps agent configurations
// given on the command line in the data directory, by content, so that
// every worker of a trial runs the same one (see StoreAgentFile).
package config

import (
	_ "embed"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Models is the built-in presets file (models.yaml).
//
//go:embed models.yaml
var Models []byte

// Agent is the default agent configuration (agent.yaml).
//
//go:embed agent.yaml
var Agent []byte

// DefaultAgent parses the built-in agent configuration.
func DefaultAgent() (agent.Config, error) {
	return agent.ParseConfig("built-in config/agent.yaml", Agent)
}
