package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/llm"
)

func modelsCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "models",
		Short: "List model presets and whether their credentials are present",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			presets, err := llm.LoadPresets(config.Models, g.modelsFile...)
			if err != nil {
				return err
			}
			fmt.Printf("%-50s %-18s %s\n", "preset", "provider", "credentials")
			for _, name := range presets.Names() {
				p := presets[name]
				fmt.Printf("%-50s %-18s %s\n", name, p.Provider, credentials(p))
			}
			return nil
		},
	}
}

func credentials(p llm.Preset) string {
	switch {
	case p.Provider == "replay":
		return "✓ (none needed)"
	case p.Provider == "bedrock":
		region := os.Getenv("AWS_REGION") != "" || os.Getenv("AWS_DEFAULT_REGION") != ""
		auth := os.Getenv("AWS_BEARER_TOKEN_BEDROCK") != "" || os.Getenv("AWS_PROFILE") != "" ||
			(os.Getenv("AWS_ACCESS_KEY_ID") != "" && os.Getenv("AWS_SECRET_ACCESS_KEY") != "")
		if region && auth {
			return "✓"
		}
		return "✗ (AWS region and credentials)"
	case p.APIKeyEnv == "":
		return "? (no key variable configured)"
	case os.Getenv(p.APIKeyEnv) != "":
		return "✓ " + p.APIKeyEnv
	default:
		return "✗ " + p.APIKeyEnv
	}
}
