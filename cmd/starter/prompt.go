package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sandbox"
	"github.com/ctxresearch/ctxsweep/swebench"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func init() { commands = append(commands, promptCmd) }

// promptFlags are the flags of `starter prompt`.
type promptFlags struct {
	agentFile, seedDir, toolsDir string
	instance, model              string
	asJSON                       bool
	rc                           sweep.RunConfig
}

func promptCmd(g *globals) *cobra.Command {
	f := &promptFlags{rc: sweep.DefaultRunConfig()}
	f.rc.Strategy = "raw"
	cmd := &cobra.Command{
		Use:   "prompt (--agent-config FILE | --seed-configs DIR) [--strategy S] (--instances-file F | --instances-subset S) --instance ID [--model M] [--json]",
		Short: "Print the exact body of the first model request for an instance: messages and tools, as sent on the wire",
		Long: "Renders the system and instance messages and the tool definitions of the agent configuration (the\n" +
			"built-in one when neither --agent-config nor --seed-configs is given) for one instance, as the\n" +
			"model's provider is sent them, so that a prompt can be checked before any call is paid for. --json\n" +
			"prints {\"messages\": [...], \"tools\": [...]} with the tools exactly as serialised on the wire of an\n" +
			"OpenAI-compatible chat endpoint.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPrompt(cmd.OutOrStdout(), os.Stderr, g, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.agentFile, "agent-config", "", "agent configuration file, ours or a seed SWE-agent config")
	fl.StringVar(&f.seedDir, "seed-configs", "", "the seed repository (or its config/ directory): the config is the one run_sweep.py picks for --strategy")
	fl.StringVar(&f.toolsDir, "tools-dir", "", "where a seed config's tool bundles are (default: the config's repository)")
	fl.StringVar(&f.rc.Strategy, "strategy", f.rc.Strategy, "context strategy (raw, observation_masking, llm_summary, hybrid, observation_masking_cached)")
	fl.StringVar(&f.rc.InstancesSubset, "instances-subset", f.rc.InstancesSubset, "SWE-bench subset: verified, verified-mini, lite, full, multilingual, or demo")
	fl.StringVar(&f.rc.InstancesFile, "instances-file", "", "local dataset file (.json, .jsonl or .parquet) instead of Hugging Face")
	fl.StringVar(&f.instance, "instance", "", "instance id (required)")
	fl.StringVar(&f.model, "model", "", "model preset: its provider's wire format (default: an OpenAI-compatible chat endpoint)")
	fl.BoolVar(&f.asJSON, "json", false, `print {"messages": [...], "tools": [...]}`)
	return cmd
}

// promptConfig is the agent configuration `starter prompt` renders, and
// the reference a trial would carry for it.
func promptConfig(errw io.Writer, f *promptFlags) (agent.Config, *agent.ConfigRef, error) {
	var c agent.Config
	var err error
	ref := &agent.ConfigRef{}
	switch {
	case f.seedDir != "" && f.agentFile != "":
		return c, nil, fmt.Errorf("give --agent-config or --seed-configs, not both")
	case f.seedDir != "":
		ref.HPRewrite = true
		ref.File, c, err = config.LoadSeedConfig(f.seedDir, f.toolsDir, f.rc.Strategy)
	case f.agentFile != "":
		ref.File = f.agentFile
		c, err = config.LoadAgentFileTools(f.agentFile, f.toolsDir)
	default:
		fmt.Fprintln(errw, config.BuiltinPromptsNote)
		c, err = config.DefaultAgent()
	}
	if err != nil {
		return c, nil, err
	}
	for _, n := range c.Notes {
		fmt.Fprintf(errw, "note: %s: %s\n", ref.File, n)
	}
	return c, ref, nil
}

func runPrompt(w, errw io.Writer, g *globals, f *promptFlags) error {
	if f.instance == "" {
		return fmt.Errorf("--instance ID is required (`starter instances` lists the ids)")
	}
	c, ref, err := promptConfig(errw, f)
	if err != nil {
		return err
	}
	sp, _, err := workflows.Resolve(f.rc)
	if err != nil {
		return err
	}
	if err := config.CheckTrialAgent(c, ref, f.rc, sp); err != nil {
		return err
	}
	problem, err := promptProblem(errw, f)
	if err != nil {
		return err
	}
	workdir := sandbox.DefaultWorkdir
	if f.rc.InstancesSubset == "demo" && f.rc.InstancesFile == "" {
		fmt.Fprintf(errw, "note: demo tasks run in a temporary checkout; %s stands for its directory\n", workdir)
	}
	sys, inst, err := agent.RenderHead(c, problem, workdir)
	if err != nil {
		return err
	}
	req := llm.Request{Messages: []agent.Message{sys, inst}, Tools: c.ToolList()}
	modelID := f.model
	if f.model != "" {
		presets, err := llm.LoadPresets(config.Models, g.modelsFile...)
		if err != nil {
			return err
		}
		p, err := presets.Get(f.model)
		if err != nil {
			return err
		}
		switch p.Provider {
		case llm.ProviderOpenAI, llm.ProviderOpenRouter, llm.ProviderGemini:
		default:
			fmt.Fprintf(errw, "note: %s uses provider %s, whose requests have another layout; shown here as an OpenAI-compatible chat request\n", f.model, p.Provider)
		}
		modelID = p.ModelID
	}
	body, err := llm.ChatBody(modelID, req)
	if err != nil {
		return err
	}
	var wire struct {
		Messages []json.RawMessage `json:"messages"`
		Tools    []json.RawMessage `json:"tools"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		return err
	}
	if f.asJSON {
		return printPromptJSON(w, wire.Messages, wire.Tools)
	}
	return printPromptText(w, req, wire.Tools)
}

// promptProblem is the instance's issue text. An instances file is read
// as it is, rows with the same id included (the first is used): a prompt is
// rendered for one instance, not for a run.
func promptProblem(errw io.Writer, f *promptFlags) (string, error) {
	if f.rc.InstancesFile == "" {
		tasks := &engine.Tasks{Progress: func(msg string) { fmt.Fprintln(errw, msg) }}
		return tasks.Problem(f.rc, f.instance)
	}
	rows, err := swebench.ReadFile(f.rc.InstancesFile)
	if err != nil {
		return "", err
	}
	for _, r := range rows {
		if r.InstanceID == f.instance {
			return r.ProblemStatement, nil
		}
	}
	return "", fmt.Errorf("instance %s is not in %s", f.instance, f.rc.InstancesFile)
}

// printPromptJSON prints {"messages": [...], "tools": [...]}: each message
// with role and content first, the tools as they are on the wire.
func printPromptJSON(w io.Writer, msgs, tools []json.RawMessage) error {
	var b bytes.Buffer
	b.WriteString("{\"messages\": [")
	for i, m := range msgs {
		var v struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		}
		if err := json.Unmarshal(m, &v); err != nil {
			return err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`{"role": `)
		b.Write(jsonText(v.Role))
		b.WriteString(`, "content": `)
		b.Write(jsonText(v.Content))
		b.WriteString("}")
	}
	b.WriteString("], \"tools\": [")
	for i, t := range tools {
		if i > 0 {
			b.WriteString(", ")
		}
		b.Write(t)
	}
	b.WriteString("]}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func printPromptText(w io.Writer, req llm.Request, tools []json.RawMessage) error {
	for _, m := range req.Messages {
		fmt.Fprintf(w, "===== %s (%d characters)\n%s\n", m.Role, len([]rune(m.Content)), m.Content)
	}
	fmt.Fprintf(w, "===== tools (%d)\n", len(tools))
	for _, t := range tools {
		var out bytes.Buffer
		if err := json.Indent(&out, t, "", "  "); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\n", out.String())
	}
	return nil
}

// jsonText encodes a string without escaping <, > and &.
func jsonText(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
