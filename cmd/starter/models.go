package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

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
			aws := &awsChain{}
			for _, name := range presets.Names() {
				p := presets[name]
				fmt.Printf("%-50s %-17s %-26s %s\n", name, p.Provider, priceText(p), credentials(cmd.Context(), p, env, aws))
			}
			fmt.Println("\nPrices are list prices per million tokens (sources and dates in config/models.yaml); unpriced presets run with cost 0 and no cost limit; (?) marks a price not confirmed for the preset's region (see its unverified note).")
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
	if p.Price.Unverified != "" {
		s += " (?)"
	}
	return s
}

func money(v float64) string {
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// awsChain remembers what the AWS credential chain gave, so it is asked
// once for all Bedrock presets.
type awsChain struct {
	done bool
	text string
}

func credentials(ctx context.Context, p llm.Preset, env llm.Env, aws *awsChain) string {
	switch {
	case p.Provider == llm.ProviderReplay:
		return "✓ (none needed)"
	case p.Provider == llm.ProviderBedrock:
		if env.Get("AWS_BEARER_TOKEN_BEDROCK") != "" && env.First("AWS_REGION", "AWS_DEFAULT_REGION") != "" {
			return "✓ AWS_BEARER_TOKEN_BEDROCK"
		}
		if !aws.done {
			aws.done, aws.text = true, awsCredentials(ctx, p, env)
		}
		return aws.text
	case p.KeyEnv() == "":
		return "✓ (no key needed)"
	case env.Get(p.KeyEnv()) != "":
		return "✓ " + p.KeyEnv()
	default:
		return "✗ " + p.KeyEnv()
	}
}

// awsCredentials asks the SDK's credential chain (keys, profile with SSO or
// credential_process, container, IMDS) for credentials, briefly.
func awsCredentials(ctx context.Context, p llm.Preset, env llm.Env) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	p.APIBase = "" // the chain does not depend on the endpoint
	m, err := llm.New(p, env, llm.Options{Timeout: 5 * time.Second})
	if err != nil {
		return "✗ AWS region (AWS_REGION, or a region in the AWS profile)"
	}
	src, err := llm.BedrockCredentialSource(ctx, m)
	if err != nil {
		return "✗ AWS credentials (AWS_BEARER_TOKEN_BEDROCK, access keys, AWS_PROFILE, container or instance role)"
	}
	return "✓ AWS (" + src + ")"
}
