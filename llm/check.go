package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
)

// Check is the pre-flight of one preset: its credentials are found and
// one cheap authenticated request succeeds (GET models for OpenAI-style
// and Anthropic APIs, CountTokens on Bedrock, which is free). The error
// names the preset, the variable or profile, and what to do. A provider
// that rate-limits the check counts as working; an endpoint without a
// models list (404) too, since the key was not refused.
func Check(ctx context.Context, p Preset, env Env, o Options) error {
	switch p.Provider {
	case ProviderReplay:
		return nil
	case ProviderBedrock:
		return checkBedrock(ctx, p, env, o)
	}
	if _, err := New(p, env, o); err != nil {
		return err
	}
	o = o.withDefaults()
	base := p.APIBase
	if base == "" {
		base = defaultBase[p.Provider]
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	key := ""
	if v := p.KeyEnv(); v != "" {
		key = env.Get(v)
	}
	url := base + "models"
	if p.Provider == ProviderAnthropic {
		url = base + "v1/models"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("model %s: api_base %q: %v", p.Name, p.APIBase, err)
	}
	switch {
	case p.Provider == ProviderAnthropic:
		req.Header.Set("X-Api-Key", key)
		req.Header.Set("Anthropic-Version", "2023-06-01")
	case key != "":
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		return fmt.Errorf("model %s: cannot reach %s: %s (check api_base and the network, or give --skip-preflight to start anyway)",
			p.Name, base, redact(err.Error(), []string{key}))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch s := resp.StatusCode; {
	case s < 300, s == http.StatusNotFound, s == http.StatusMethodNotAllowed, s == http.StatusTooManyRequests:
		return nil
	case s == http.StatusUnauthorized || s == http.StatusForbidden || s == http.StatusPaymentRequired:
		return fmt.Errorf("model %s: %s refused the key in %s (HTTP %d: %s): replace the key (environment or .env file)",
			p.Name, base, p.KeyEnv(), s, clip(redact(string(body), []string{key})))
	default:
		return fmt.Errorf("model %s: %s answered HTTP %d to a models request (%s): the provider may be down; retry, or give --skip-preflight to start anyway",
			p.Name, base, s, clip(redact(string(body), []string{key})))
	}
}

// bedrockHelp is what to do when no AWS credentials work.
const bedrockHelp = "give AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key), AWS_PROFILE (a profile with credential_process or SSO: run `aws sso login` first), " +
	"container credentials, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN] in the environment or .env file"

// checkBedrock resolves the AWS credentials the way calls will and asks
// Bedrock to count the tokens of a one-word prompt.
func checkBedrock(ctx context.Context, p Preset, env Env, o Options) error {
	c, err := newBedrock(p, env, o)
	if err != nil {
		return err
	}
	if env.Get("AWS_BEARER_TOKEN_BEDROCK") == "" {
		if _, err := BedrockCredentialSource(ctx, c); err != nil {
			return fmt.Errorf("model %s: no usable AWS credentials%s: %s; %s", p.Name, profileNote(env), clip(redact(err.Error(), c.secrets)), bedrockHelp)
		}
	}
	_, err = c.client.CountTokens(ctx, &bedrockruntime.CountTokensInput{ModelId: aws.String(c.modelID),
		Input: &types.CountTokensInputMemberConverse{Value: types.ConverseTokensRequest{Messages: []types.Message{{
			Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: "ping"}}}}}}})
	if err == nil {
		return nil
	}
	cerr := c.classify(ctx, err)
	var e *Error
	if !errors.As(cerr, &e) {
		return fmt.Errorf("model %s: Bedrock check: %v", p.Name, cerr)
	}
	switch e.Kind {
	case KindAuth, KindCredentials:
		return fmt.Errorf("model %s: Bedrock refused the credentials%s (%s %s): %s", p.Name, profileNote(env), e.Code, e.Message, bedrockHelp)
	case KindUnavailable, KindBadResponse:
		return fmt.Errorf("model %s: Bedrock did not answer a CountTokens request (%v): it may be down; retry, or give --skip-preflight to start anyway", p.Name, e)
	}
	// Throttled, or a model that cannot count tokens: the credentials
	// were accepted.
	return nil
}

func profileNote(env Env) string {
	if p := env.Get("AWS_PROFILE"); p != "" {
		return " (AWS_PROFILE=" + p + ")"
	}
	return ""
}

// BedrockCredentialSource retrieves a Bedrock client's AWS credentials
// through the SDK's chain and says where they came from.
func BedrockCredentialSource(ctx context.Context, m Model) (string, error) {
	c, ok := m.(*bedrockClient)
	if !ok || c.creds == nil {
		return "", fmt.Errorf("not a Bedrock client with AWS credentials")
	}
	cr, err := c.creds.Retrieve(ctx)
	if err != nil {
		return "", err
	}
	if !cr.HasKeys() {
		return "", fmt.Errorf("anonymous credentials")
	}
	return cr.Source, nil
}
