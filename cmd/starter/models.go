package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/config"
	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/llm"
)

func modelsCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "models",
		Short: "List model presets, their prices and whether their credentials are present",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			presets, err := llm.LoadPresets(config.Models, g.modelsFile...)
			if err != nil {
				return err
			}
			env, err := llm.LoadEnv(engine.DefaultEnvFiles()...)
			if err != nil {
				return err
			}
			fmt.Printf("%-50s %-17s %-26s %s\n", "preset", "provider", "USD/M in / cached / out", "credentials")
			for _, name := range presets.Names() {
				p := presets[name]
				fmt.Printf("%-50s %-17s %-26s %s\n", name, p.Provider, priceText(p), credentials(p, env))
			}
			fmt.Println("\nPrices are list prices per million tokens (sources and dates in config/models.yaml); unpriced presets run with cost 0 and no cost limit.")
			fmt.Println("Keys are read from the environment, ./.env or $CTXSWEEP_ENV_FILE.")
			return nil
		},
	}
}

func priceText(p llm.Preset) string {
	switch {
	case p.ZeroCost:
		return "0 (subscription plan)"
	case p.Price == nil:
		return "— (unpriced)"
	}
	s := money(p.Price.Input) + " / " + money(p.Price.CachedInput) + " / " + money(p.Price.Output)
	if len(p.Price.Tiers) > 0 {
		s += " +tiers"
	}
	return s
}

func money(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func credentials(p llm.Preset, env llm.Env) string {
	switch {
	case p.Provider == llm.ProviderReplay:
		return "✓ (none needed)"
	case p.Provider == llm.ProviderBedrock:
		region := env.First("AWS_REGION", "AWS_DEFAULT_REGION") != ""
		auth := env.First("AWS_BEARER_TOKEN_BEDROCK", "AWS_PROFILE") != "" ||
			(env.Get("AWS_ACCESS_KEY_ID") != "" && env.Get("AWS_SECRET_ACCESS_KEY") != "")
		if region && auth {
			return "✓ AWS"
		}
		return "✗ AWS region and credentials (AWS_REGION + AWS_BEARER_TOKEN_BEDROCK, access keys or AWS_PROFILE)"
	case p.KeyEnv() == "":
		return "✓ (no key needed)"
	case env.Get(p.KeyEnv()) != "":
		return "✓ " + p.KeyEnv()
	default:
		return "✗ " + p.KeyEnv()
	}
}
