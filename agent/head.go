package agent

import (
	"fmt"
	"path"
)

// RenderHead renders the first two messages of an instance (seed-system
// §3.1-3.2): the system message, and the instance message (followed by the
// strategy template, when there is one) with the state before the first
// command: no open file, the repository directory workdir. Template
// variables are the configuration's env (WINDOW, OVERLAP, ...),
// problem_statement, repo, command_docs, open_file and working_dir.
func RenderHead(c Config, problem, workdir string) (system, instance Message, err error) {
	vars := map[string]string{"problem_statement": problem, "open_file": "n/a", "working_dir": workdir,
		"repo": path.Base(workdir), "command_docs": CommandDocs(c.ToolList())}
	for k, v := range c.Env {
		vars[k] = v
	}
	sys, err := Render(c.Templates.System, vars)
	if err != nil {
		return system, instance, fmt.Errorf("system_template: %w", err)
	}
	inst, err := Render(c.Templates.Instance, vars)
	if err != nil {
		return system, instance, fmt.Errorf("instance_template: %w", err)
	}
	if c.Templates.Strategy != "" {
		strat, err := Render(c.Templates.Strategy, vars)
		if err != nil {
			return system, instance, fmt.Errorf("strategy_template: %w", err)
		}
		inst += "\n" + strat
	}
	return Message{Role: RoleSystem, Content: sys, MessageType: TypeSystemPrompt},
		Message{Role: RoleUser, Content: inst, MessageType: TypeObservation}, nil
}
