package llm

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/auth/bearer"

	"github.com/ctxresearch/ctxsweep/agent"
)

// bedrockClient calls AWS Bedrock's Converse API with tool use. Auth, in
// order: AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key), access keys
// (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN], read again
// from the .env files when they may have been replaced, see envCredentials),
// AWS_PROFILE, then the rest of the SDK's default chain (container
// credentials, IMDS, SSO, credential_process ...); each variable may come
// from the environment or the .env file. The region is AWS_REGION, else
// AWS_DEFAULT_REGION, else the profile's region. A preset's api_base
// overrides the endpoint.
type bedrockClient struct {
	preset  Preset
	modelID string
	client  *bedrockruntime.Client
	creds   aws.CredentialsProvider
	secrets []string
}

func newBedrock(p Preset, env Env, o Options) (*bedrockClient, error) {
	timeout := o.withDefaults().Timeout
	var loads []func(*config.LoadOptions) error
	if region := env.First("AWS_REGION", "AWS_DEFAULT_REGION"); region != "" {
		loads = append(loads, config.WithRegion(region))
	}
	if o.HTTPClient == nil {
		// The SDK's own client honours AWS_CA_BUNDLE.
		loads = append(loads, config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(timeout)))
	}
	token := env.Get("AWS_BEARER_TOKEN_BEDROCK")
	id, secret := env.Get("AWS_ACCESS_KEY_ID"), env.Get("AWS_SECRET_ACCESS_KEY")
	if id != "" && secret != "" {
		loads = append(loads, config.WithCredentialsProvider(aws.NewCredentialsCache(envCredentials{env: env})))
	} else if profile := env.Get("AWS_PROFILE"); profile != "" {
		loads = append(loads, config.WithSharedConfigProfile(profile))
	}
	// Retries stay on for the credential clients (container endpoint, STS,
	// SSO): a blip there should not fail a call. Bedrock calls themselves
	// are retried by the workflow (see the client options below).
	cfg, err := config.LoadDefaultConfig(context.Background(), loads...)
	if err != nil {
		return nil, fmt.Errorf("model %s: AWS configuration: %s", p.Name, redact(err.Error(), []string{token, secret}))
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("model %s: no AWS region for Bedrock: set AWS_REGION (or AWS_DEFAULT_REGION), or a region in the AWS profile", p.Name)
	}
	client := bedrockruntime.NewFromConfig(cfg, func(bo *bedrockruntime.Options) {
		bo.Retryer = aws.NopRetryer{}
		if o.HTTPClient != nil {
			bo.HTTPClient = o.HTTPClient
		}
		if token != "" {
			bo.BearerAuthTokenProvider = bearer.TokenProviderFunc(func(context.Context) (bearer.Token, error) {
				return bearer.Token{Value: token}, nil
			})
			bo.AuthSchemePreference = []string{"httpBearerAuth"}
		}
		if p.APIBase != "" {
			bo.BaseEndpoint = aws.String(p.APIBase)
		}
	})
	return &bedrockClient{preset: p, modelID: BedrockModelID(p.ModelID, cfg.Region), client: client, creds: cfg.Credentials,
		secrets: []string{token, secret, id}}, nil
}

// envCredentials are access keys from the environment or the .env files,
// read again every minute (and at once after an ExpiredTokenException, see
// classify), so temporary keys replaced in the .env file while a sweep
// runs are used, not pinned.
type envCredentials struct{ env Env }

// envRefresh is how long keys read from the environment are used before
// the .env files are read again.
const envRefresh = time.Minute

func (c envCredentials) Retrieve(context.Context) (aws.Credentials, error) {
	e := c.env.Reload()
	id, secret := e.Get("AWS_ACCESS_KEY_ID"), e.Get("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		return aws.Credentials{}, fmt.Errorf("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are no longer set in the environment or .env file")
	}
	return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: e.Get("AWS_SESSION_TOKEN"),
		Source: "ctxsweep environment", CanExpire: true, Expires: time.Now().Add(envRefresh)}, nil
}

// BedrockModelID applies the seed's inference-profile rewrite: an
// Anthropic model id without a geography prefix gets the prefix of the
// region's geography ("us.", "eu.", "apac.", "us-gov."): Claude 4.5 models
// are served through cross-region inference profiles only. Ids that
// already name a profile ("global.", "apac." ...) are kept.
func BedrockModelID(id, region string) string {
	if !strings.HasPrefix(id, "anthropic.") {
		return id
	}
	switch {
	case strings.HasPrefix(region, "us-gov-"):
		return "us-gov." + id
	case strings.HasPrefix(region, "eu-"):
		return "eu." + id
	case strings.HasPrefix(region, "us-"):
		return "us." + id
	case strings.HasPrefix(region, "ap-"):
		return "apac." + id
	}
	return id
}

// Complete implements Model.
func (c *bedrockClient) Complete(ctx context.Context, req Request) (Response, error) {
	system, msgs := bedrockMessages(req.Messages, c.preset.CacheMarks)
	in := &bedrockruntime.ConverseInput{ModelId: aws.String(c.modelID), Messages: msgs, System: system,
		InferenceConfig: &types.InferenceConfiguration{Temperature: aws.Float32(float32(req.Temperature))}}
	if req.MaxOutput > 0 {
		in.InferenceConfig.MaxTokens = aws.Int32(int32(req.MaxOutput))
	}
	if len(req.Tools) > 0 {
		in.ToolConfig = &types.ToolConfiguration{}
		for _, t := range req.Tools {
			schema, err := orderedDocument(t.Parameters()) // keys in the seed's order
			if err != nil {
				return Response{}, err
			}
			in.ToolConfig.Tools = append(in.ToolConfig.Tools, &types.ToolMemberToolSpec{Value: types.ToolSpecification{
				Name: aws.String(t.Name), Description: aws.String(t.Description),
				InputSchema: &types.ToolInputSchemaMemberJson{Value: document.NewLazyDocument(schema)},
			}})
		}
	}
	start := time.Now()
	out, err := c.client.Converse(ctx, in)
	latency := time.Since(start)
	if err != nil {
		return Response{}, c.classify(ctx, err)
	}
	msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		return Response{}, badResponse(c.preset.Provider, c.preset.Name, "reply has no message")
	}
	resp := Response{Latency: latency, Model: c.modelID, ProviderUsage: true}
	if out.StopReason == types.StopReasonContentFiltered || out.StopReason == types.StopReasonGuardrailIntervened {
		resp.Filtered = "stopReason " + string(out.StopReason)
	}
	var text, reasoning []string
	for _, b := range msg.Value.Content {
		switch v := b.(type) {
		case *types.ContentBlockMemberText:
			text = append(text, v.Value)
		case *types.ContentBlockMemberToolUse:
			args := "{}"
			if v.Value.Input != nil {
				if raw, err := v.Value.Input.MarshalSmithyDocument(); err == nil {
					args = string(raw)
				}
			}
			resp.ToolCalls = append(resp.ToolCalls, agent.ToolCall{ID: aws.ToString(v.Value.ToolUseId), Name: aws.ToString(v.Value.Name), Arguments: args})
		case *types.ContentBlockMemberReasoningContent:
			if r, ok := v.Value.(*types.ReasoningContentBlockMemberReasoningText); ok {
				reasoning = append(reasoning, aws.ToString(r.Value.Text))
			}
		}
	}
	resp.Content, resp.Reasoning = strings.Join(text, "\n"), strings.Join(reasoning, "\n")
	if u := out.Usage; u != nil {
		read, write := int(aws.ToInt32(u.CacheReadInputTokens)), int(aws.ToInt32(u.CacheWriteInputTokens))
		// inputTokens excludes cache reads and writes; our Input includes both.
		resp.Usage = agent.Usage{Input: int(aws.ToInt32(u.InputTokens)) + read + write, CachedInput: read,
			CacheWrite: write, Output: int(aws.ToInt32(u.OutputTokens))}
	}
	return resp, nil
}

// bedrockStatus maps Bedrock exception names to the HTTP status whose
// classification they need.
var bedrockStatus = map[string]int{
	"ThrottlingException": 429, "TooManyRequestsException": 429, "ServiceQuotaExceededException": 429,
	"InternalServerException": 500, "ServiceUnavailableException": 503, "ModelTimeoutException": 503,
	"ModelErrorException": 503, "ModelNotReadyException": 503,
	"AccessDeniedException": 403, "UnrecognizedClientException": 403, "ExpiredTokenException": 403, "RequestExpired": 403,
	"InvalidSignatureException": 403, "MissingAuthenticationTokenException": 403,
}

func (c *bedrockClient) classify(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if msg := err.Error(); strings.Contains(msg, "get identity") || strings.Contains(msg, "failed to refresh cached credentials") {
		// The credentials could not be had; nothing was sent.
		return c.credentialsError(err)
	}
	var re *awshttp.ResponseError
	var ae smithy.APIError
	hasResp, hasAPI := errors.As(err, &re), errors.As(err, &ae)
	if !hasResp && !hasAPI {
		if msg := err.Error(); strings.Contains(msg, "credentials") || strings.Contains(msg, "sign request") {
			return c.credentialsError(err)
		}
		return transportError(ctx, c.preset.Provider, c.preset.Name, err, c.secrets)
	}
	status, code, msg := 400, "", err.Error()
	var header map[string][]string
	if hasResp && re.Response != nil {
		status, header = re.HTTPStatusCode(), re.Response.Header
	}
	if hasAPI {
		code, msg = ae.ErrorCode(), ae.ErrorMessage()
		if s, ok := bedrockStatus[code]; ok {
			status = s
		}
	}
	if code == "ExpiredTokenException" || code == "RequestExpired" {
		// The session token ran out: its source may have a new one (the
		// SDK chain, a replaced .env file). Read it again next time.
		c.invalidate()
		return &Error{Provider: c.preset.Provider, Model: c.preset.Name, Kind: KindCredentials, Status: status, Code: code,
			Message: clip(redact(msg, c.secrets))}
	}
	if status < 400 {
		return transportError(ctx, c.preset.Provider, c.preset.Name, err, c.secrets)
	}
	return httpError(c.preset.Provider, c.preset.Name, status, header, code, msg, c.secrets)
}

// credentialsError classifies a failure to get credentials: nothing to
// get them from (no keys, no profile, no role) cannot heal; an endpoint
// that is down, failing or throttled, or a token being refreshed, can.
func (c *bedrockClient) credentialsError(err error) error {
	msg := err.Error()
	e := &Error{Provider: c.preset.Provider, Model: c.preset.Name, Kind: KindCredentials, Code: "credentials", Message: clip(redact(msg, c.secrets))}
	for _, missing := range []string{"static credentials are empty", "no EC2 IMDS role found", "AWS_EC2_METADATA_DISABLED",
		"failed to get shared config profile", "SharedConfigProfileNotExist", "no longer set", "anonymous credentials"} {
		if strings.Contains(msg, missing) {
			e.Kind = KindAuth
		}
	}
	c.invalidate()
	return e
}

// invalidate makes the next call fetch credentials again.
func (c *bedrockClient) invalidate() {
	if cc, ok := c.creds.(*aws.CredentialsCache); ok {
		cc.Invalidate()
	}
}

// bedrockMessages converts history items like anthropicMessages: system
// items become system blocks, tool results user blocks, consecutive items
// of one role merge (Converse requires alternating roles). The last marks
// user and tool items are followed by a cachePoint block (Converse prompt
// caching, for the models that support it), as Anthropic's cache_control.
func bedrockMessages(msgs []agent.Message, marks int) ([]types.SystemContentBlock, []types.Message) {
	calls, results := wireIDs(msgs)
	marked := cacheMarked(msgs, marks)
	point := &types.ContentBlockMemberCachePoint{Value: types.CachePointBlock{Type: types.CachePointTypeDefault}}
	var system []types.SystemContentBlock
	var out []types.Message
	add := func(role types.ConversationRole, blocks ...types.ContentBlock) {
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Content = append(out[n-1].Content, blocks...)
			return
		}
		out = append(out, types.Message{Role: role, Content: blocks})
	}
	for n, m := range msgs {
		switch m.Role {
		case agent.RoleSystem:
			system = append(system, &types.SystemContentBlockMemberText{Value: nonEmpty(m.Content)})
		case agent.RoleTool:
			add(types.ConversationRoleUser, &types.ContentBlockMemberToolResult{Value: types.ToolResultBlock{
				ToolUseId: aws.String(results[n]),
				Content:   []types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: nonEmpty(m.Content)}},
			}})
			if marked[n] {
				add(types.ConversationRoleUser, point)
			}
		case agent.RoleAssistant:
			var blocks []types.ContentBlock
			if strings.TrimSpace(m.Content) != "" || len(m.ToolCalls) == 0 {
				blocks = append(blocks, &types.ContentBlockMemberText{Value: nonEmpty(m.Content)})
			}
			for i, tc := range m.ToolCalls {
				blocks = append(blocks, &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
					ToolUseId: aws.String(calls[n][i]), Name: aws.String(tc.Name), Input: document.NewLazyDocument(argsObject(tc.Arguments)),
				}})
			}
			add(types.ConversationRoleAssistant, blocks...)
		default:
			add(types.ConversationRoleUser, &types.ContentBlockMemberText{Value: nonEmpty(m.Content)})
			if marked[n] {
				add(types.ConversationRoleUser, point)
			}
		}
	}
	return system, out
}
