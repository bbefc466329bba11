package llm

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// sigv4Key is the access key id of a SigV4 Authorization header.
func sigv4Key(h http.Header) string {
	_, rest, ok := strings.Cut(h.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(rest, "/")
	return key
}

// converseWithKey answers Converse for the access key held in valid and
// ExpiredTokenException (Bedrock's documented 403) for any other.
func converseWithKey(valid *atomic.Value) func(int, seen) reply {
	return func(_ int, s seen) reply {
		if sigv4Key(s.Header) != valid.Load().(string) {
			return reply{Status: 403, Header: map[string]string{"X-Amzn-Errortype": "ExpiredTokenException"},
				Body: `{"message":"The security token included in the request is expired"}`}
		}
		return reply{Body: bedrockReply}
	}
}

func writeEnv(t *testing.T, file, id, secret, token string) {
	t.Helper()
	data := fmt.Sprintf("AWS_REGION=us-east-1\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\nAWS_SESSION_TOKEN=%s\n", id, secret, token)
	require.NoError(t, os.WriteFile(file, []byte(data), 0o600))
}

// Temporary keys in a .env file (as `aws configure export-credentials`
// prints them) that are replaced while the worker runs are used: the
// expired ones fail once as a credentials wait (not an auth failure), and
// the next call signs with the new ones.
func TestBedrockReReadsTemporaryKeysFromEnvFile(t *testing.T) {
	isolateAWS(t)
	var valid atomic.Value
	valid.Store("ASIAFIRSTKEY00000001")
	f := newFake(t, converseWithKey(&valid))
	file := filepath.Join(t.TempDir(), ".env")
	writeEnv(t, file, "ASIAFIRSTKEY00000001", "first-secret-0123456789", "token-one")
	env, err := LoadEnv(file)
	require.NoError(t, err)
	p := Preset{Name: "bedrock-claude", Provider: ProviderBedrock, ModelID: "anthropic.claude-haiku-4-5-20251001-v1:0", APIBase: f.URL}
	m, err := New(p, env, Options{Timeout: 5 * time.Second})
	require.NoError(t, err)
	_, err = m.Complete(context.Background(), request())
	require.NoError(t, err)
	require.Equal(t, "token-one", f.last().Header.Get("X-Amz-Security-Token"))

	writeEnv(t, file, "ASIASECONDKEY0000002", "second-secret-0123456789", "token-two")
	valid.Store("ASIASECONDKEY0000002")
	_, err = m.Complete(context.Background(), request())
	require.Error(t, err)
	require.Equal(t, KindCredentials, KindOf(err), "an expired token waits for new credentials: %v", err)
	require.False(t, IsAuth(err))
	noSecret(t, err, "first-secret-0123456789", "second-secret-0123456789")

	_, err = m.Complete(context.Background(), request())
	require.NoError(t, err, "the replaced keys are read again")
	require.Equal(t, "ASIASECONDKEY0000002", sigv4Key(f.last().Header))
	require.Equal(t, "token-two", f.last().Header.Get("X-Amz-Security-Token"))
}

// Credentials from the SDK's container provider: while the credentials
// endpoint answers 500 or refuses connections, calls fail as a credentials
// wait (nothing reaches Bedrock); once it is back, they go through.
func TestBedrockContainerCredentialsEndpointDown(t *testing.T) {
	isolateAWS(t)
	var valid atomic.Value
	valid.Store("ASIACONTAINER0000001")
	f := newFake(t, converseWithKey(&valid))
	var down atomic.Bool
	creds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"code":"InternalError","message":"try later"}`))
			return
		}
		_, _ = fmt.Fprintf(w, `{"AccessKeyId":%q,"SecretAccessKey":"container-secret-0123","Token":"ctok","Expiration":%q}`,
			valid.Load().(string), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(creds.Close)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", creds.URL+"/creds")
	p := Preset{Name: "bedrock-claude", Provider: ProviderBedrock, ModelID: "anthropic.claude-haiku-4-5-20251001-v1:0", APIBase: f.URL}
	m, err := New(p, MapEnv(map[string]string{"AWS_REGION": "us-east-1"}), Options{Timeout: 5 * time.Second})
	require.NoError(t, err)

	down.Store(true)
	_, err = m.Complete(context.Background(), request())
	require.Equal(t, KindCredentials, KindOf(err), "endpoint answering 500: %v", err)
	require.Equal(t, 0, f.count(), "nothing was sent to Bedrock")

	down.Store(false)
	_, err = m.Complete(context.Background(), request())
	require.NoError(t, err)
	require.Equal(t, "ASIACONTAINER0000001", sigv4Key(f.last().Header))

	// The key rotates: Bedrock says the old token expired; the next call
	// fetches the new one.
	valid.Store("ASIACONTAINER0000002")
	_, err = m.Complete(context.Background(), request())
	require.Equal(t, KindCredentials, KindOf(err), "%v", err)
	_, err = m.Complete(context.Background(), request())
	require.NoError(t, err)
	require.Equal(t, "ASIACONTAINER0000002", sigv4Key(f.last().Header))

	creds.Close() // connection refused
	valid.Store("ASIACONTAINER0000003")
	_, err = m.Complete(context.Background(), request())
	require.Equal(t, KindCredentials, KindOf(err), "%v", err)
	_, err = m.Complete(context.Background(), request())
	require.Equal(t, KindCredentials, KindOf(err), "endpoint refusing connections: %v", err)
}
