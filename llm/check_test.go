package llm

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCheckHTTPProviders(t *testing.T) {
	var lastPath, lastAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lastPath, lastAuth = r.URL.Path, r.Header.Get("Authorization")+r.Header.Get("X-Api-Key")
		if lastAuth != "Bearer "+testKey && lastAuth != testKey {
			w.WriteHeader(401)
			_, _ = w.Write([]byte(`{"error":{"message":"Incorrect API key provided: sk-wr****"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"object":"list","data":[]}`))
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	o := Options{Timeout: 5 * time.Second}
	oa := Preset{Name: "my-gpt", Provider: ProviderOpenAI, ModelID: "gpt", APIBase: srv.URL + "/v1", APIKeyEnv: "MY_KEY"}

	err := Check(ctx, oa, MapEnv(nil), o)
	require.ErrorContains(t, err, "my-gpt")
	require.ErrorContains(t, err, "MY_KEY is not set")

	require.NoError(t, Check(ctx, oa, MapEnv(map[string]string{"MY_KEY": testKey}), o))
	require.Equal(t, "/v1/models", lastPath)

	err = Check(ctx, oa, MapEnv(map[string]string{"MY_KEY": "sk-wrong-key-000000"}), o)
	require.ErrorContains(t, err, "refused the key in MY_KEY")
	require.NotContains(t, err.Error(), "sk-wrong-key")

	an := Preset{Name: "my-claude", Provider: ProviderAnthropic, ModelID: "claude", APIBase: srv.URL + "/", APIKeyEnv: "ANT_KEY"}
	require.NoError(t, Check(ctx, an, MapEnv(map[string]string{"ANT_KEY": testKey}), o))
	require.Equal(t, "/v1/models", lastPath)

	srv.Close()
	err = Check(ctx, oa, MapEnv(map[string]string{"MY_KEY": testKey}), o)
	require.ErrorContains(t, err, "cannot reach")
}

func TestCheckBedrockWithoutCredentials(t *testing.T) {
	isolateAWS(t)
	p := Preset{Name: "bedrock-claude", Provider: ProviderBedrock, ModelID: "anthropic.claude-x", APIBase: "http://127.0.0.1:1"}
	start := time.Now()
	err := Check(context.Background(), p, MapEnv(map[string]string{"AWS_REGION": "us-east-1"}), Options{Timeout: 5 * time.Second})
	require.ErrorContains(t, err, "bedrock-claude: no usable AWS credentials")
	require.ErrorContains(t, err, "AWS_PROFILE")
	require.Less(t, time.Since(start), 10*time.Second)
	err = Check(context.Background(), p, MapEnv(nil), Options{Timeout: 5 * time.Second})
	require.ErrorContains(t, err, "AWS_REGION")
}
