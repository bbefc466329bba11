package agent

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// Config is an agent configuration: templates and environment variables.
type Config struct {
	Templates Templates         `yaml:"templates" json:"templates"`
	Env       map[string]string `yaml:"env" json:"env"`
}

// ParseConfig reads an agent configuration; unknown keys are errors.
func ParseConfig(file string, data []byte) (Config, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("%s: %w", file, err)
	}
	if c.Templates.System == "" || c.Templates.Instance == "" || c.Templates.NextStep == "" {
		return Config{}, fmt.Errorf("%s: templates.system_template, instance_template and next_step_template are required", file)
	}
	return c, nil
}
