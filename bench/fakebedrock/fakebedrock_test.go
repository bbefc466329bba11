package fakebedrock_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/bench/fakebedrock"
	"github.com/ctxresearch/ctxsweep/llm"
)

// The real Bedrock client signs with container credentials that the
// server accepts (the signature is recomputed), a tampered key is refused,
// and an outage of the credentials endpoint is a credentials wait.
func TestSignaturesAndCredentialOutage(t *testing.T) {
	srv, err := fakebedrock.Start(fakebedrock.Config{Turns: 2, Rotate: time.Minute}) // within the SDK's 5-minute expiry window: fetched for every call
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	for _, k := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/credentials")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.CredentialsURL())
	p := llm.Preset{Name: "b", Provider: llm.ProviderBedrock, ModelID: "anthropic.claude-x", APIBase: srv.URL()}
	m, err := llm.New(p, llm.MapEnv(map[string]string{"AWS_REGION": "us-east-1"}), llm.Options{Timeout: 5 * time.Second})
	require.NoError(t, err)
	req := llm.Request{Messages: []agent.Message{{Role: agent.RoleUser, Content: "fix it"}},
		Tools: []agent.Tool{{Name: "bash", Description: "run", Params: []agent.Param{{Name: "command", Type: "string", Required: true}}}}}
	require.NoError(t, llm.Check(context.Background(), p, llm.MapEnv(map[string]string{"AWS_REGION": "us-east-1"}), llm.Options{}),
		"the pre-flight's CountTokens is signed and accepted")
	resp, err := m.Complete(context.Background(), req)
	require.NoError(t, err)
	require.Equal(t, "bash", resp.ToolCalls[0].Name)

	srv.CredentialsDown(time.Hour)
	_, err = m.Complete(context.Background(), req)
	require.Equal(t, llm.KindCredentials, llm.KindOf(err), "%v", err)
	require.Positive(t, srv.Stats().CredDown)

	bad, err := llm.New(p, llm.MapEnv(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "ASIAFAKE000000000000",
		"AWS_SECRET_ACCESS_KEY": "wrong", "AWS_SESSION_TOKEN": "fake-token-0"}), llm.Options{Timeout: 5 * time.Second})
	require.NoError(t, err)
	_, err = bad.Complete(context.Background(), req)
	require.Equal(t, llm.KindAuth, llm.KindOf(err), "a wrong secret is an invalid signature: %v", err)
	require.Equal(t, 1, srv.Stats().Rejected["InvalidSignatureException"])
	err = llm.Check(context.Background(), p, llm.MapEnv(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "ASIAFAKE000000000000",
		"AWS_SECRET_ACCESS_KEY": "wrong", "AWS_SESSION_TOKEN": "fake-token-0"}), llm.Options{})
	require.ErrorContains(t, err, "Bedrock refused the credentials")
}
