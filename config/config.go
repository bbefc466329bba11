// Package config carries the built-in configuration files: model presets
// and the default agent templates.
package config

import _ "embed"

// Models is the built-in presets file (models.yaml).
//
//go:embed models.yaml
var Models []byte

// Agent is the default agent configuration (agent.yaml).
//
//go:embed agent.yaml
var Agent []byte
