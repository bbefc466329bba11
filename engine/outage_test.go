package engine

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/bench/fakebedrock"
	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// isolateAWS keeps the machine's AWS configuration out of a test.
func isolateAWS(t *testing.T) {
	for _, k := range []string{"AWS_BEARER_TOKEN_BEDROCK", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// TestProviderOutagesEndWithExitAPI runs one demo instance per provider
// against local servers that answer every request with the provider's own
// outage error and no retry hint: an OpenAI-compatible 503, Anthropic's 529
// overloaded_error, Bedrock's ServiceUnavailableException. Through the real
// activity and SDK clients, each instance ends exit_api (not exit_error)
// once the give-up time has passed, after several attempts.
func TestProviderOutagesEndWithExitAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	isolateAWS(t)
	openai, err := fakemodel.Start(fakemodel.Config{Fault: func(int) (int, string) { return http.StatusServiceUnavailable, "" }}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer openai.Close()
	var anthropicCalls atomic.Int32
	anthropic := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		anthropicCalls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(529)
		_, _ = w.Write([]byte(`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`))
	}))
	defer anthropic.Close()
	bedrock, err := fakebedrock.Start(fakebedrock.Config{Fault: func(int) (int, string) {
		return http.StatusServiceUnavailable, "ServiceUnavailableException"
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer bedrock.Close()
	bedrock.AddKey("AKIAOUTAGETEST000001", "outage-secret-0123456789", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAOUTAGETEST000001")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "outage-secret-0123456789")
	t.Setenv("OUTAGE_OPENAI_KEY", "sk-outage-openai")
	t.Setenv("OUTAGE_ANTHROPIC_KEY", "sk-ant-outage")

	dir := t.TempDir()
	models := filepath.Join(dir, "m.yaml")
	price := "    context_window: 1000000\n    temperature: 0\n    price: {input: 1, cached_input: 0.1, output: 5, source: test}\n"
	y := "models:\n" +
		"  down-openai:\n    provider: openai\n    model_id: fake\n    api_base: " + openai.URL() + "\n    api_key_env: OUTAGE_OPENAI_KEY\n" + price +
		"  down-anthropic:\n    provider: anthropic\n    model_id: claude-fake\n    api_base: " + anthropic.URL + "/\n    api_key_env: OUTAGE_ANTHROPIC_KEY\n" + price +
		"  down-bedrock:\n    provider: bedrock\n    model_id: anthropic.claude-fake-v1:0\n    api_base: " + bedrock.URL() + "\n" + price
	if err := os.WriteFile(models, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := startEngine(t, ctx, models)
	src := "method: grid\nparameters:\n  model: {values: [down-openai, down-anthropic, down-bedrock]}\n  strategy: {value: raw}\n" +
		"  instances-subset: {value: demo}\n  instances-slice: {value: \":1\"}\n"
	const giveUp = 4 * time.Second
	start := time.Now()
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "outage", File: "outage.yaml", Source: src, Parallel: 3,
		Tuning: workflows.Tuning{APIGiveUp: giveUp}})
	if st.State != "completed" || len(st.Trials) != 3 {
		t.Fatalf("sweep %q with %d trials", st.State, len(st.Trials))
	}
	for _, tr := range st.Trials {
		recs := trialResults(t, e, tr.Dir)
		if len(recs) != 1 {
			t.Fatalf("%s: %d records", tr.RunName, len(recs))
		}
		if r := recs[0]; r.ExitStatus != agent.ExitAPI || r.APICalls != 0 {
			t.Errorf("%s: exit %q after %d calls (error %q), want exit_api", tr.RunName, r.ExitStatus, r.APICalls, r.Error)
		}
	}
	o, a, b := openai.Stats().Faults[503], int(anthropicCalls.Load()), bedrock.Stats().Rejected["ServiceUnavailableException"]
	t.Logf("in %s: %d OpenAI 503s, %d Anthropic 529s, %d Bedrock ServiceUnavailable", time.Since(start).Round(time.Millisecond), o, a, b)
	for name, n := range map[string]int{"openai": o, "anthropic": a, "bedrock": b} {
		if n < 2 {
			t.Errorf("%s: %d requests; the call must be retried before giving up", name, n)
		}
	}
}

// TestBedrockRotatingCredentialsWithOutage runs the six demo instances on
// Bedrock with container credentials (AWS_CONTAINER_CREDENTIALS_FULL_URI)
// that rotate every 2 s, each key expiring 2 s after the next one is
// issued, and with the credentials endpoint answering 500 for 6 s in the
// middle of the run: every instance submits, none ends exit_error.
func TestBedrockRotatingCredentialsWithOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	isolateAWS(t)
	const turns = 5
	bedrock, err := fakebedrock.Start(fakebedrock.Config{Turns: turns, Rotate: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer bedrock.Close()
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", bedrock.CredentialsURL())
	dir := t.TempDir()
	models := filepath.Join(dir, "m.yaml")
	y := "models:\n  rotating:\n    provider: bedrock\n    model_id: anthropic.claude-fake-v1:0\n    api_base: " + bedrock.URL() + "\n" +
		"    context_window: 1000000\n    temperature: 0\n    price: {input: 1, cached_input: 0.1, output: 5, source: test}\n"
	if err := os.WriteFile(models, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := startEngine(t, ctx, models)
	src := "method: grid\nparameters:\n  model: {value: rotating}\n  strategy: {value: raw}\n  instances-subset: {value: demo}\n  num-workers: {value: 6}\n"
	waiting := make(chan string, 1)
	go func() {
		// The outage starts once the run is under way; while it lasts,
		// instances say they are waiting for credentials (the phase
		// `starter status` prints).
		for ctx.Err() == nil && bedrock.Stats().Calls < 8 {
			time.Sleep(20 * time.Millisecond)
		}
		bedrock.CredentialsDown(6 * time.Second)
		for end := time.Now().Add(6 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			st, err := e.QuerySweep(ctx, workflows.SweepID("rotating"), 10*time.Second)
			if err != nil {
				continue
			}
			for _, phase := range e.WaitingForCredentials(ctx, st) {
				waiting <- phase
				return
			}
		}
		close(waiting)
	}()
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "rotating", File: "rotating.yaml", Source: src, Parallel: 1,
		Tuning: workflows.Tuning{CredentialWait: 2 * time.Minute}})
	if st.State != "completed" || len(st.Trials) != 1 {
		t.Fatalf("sweep %q with %d trials", st.State, len(st.Trials))
	}
	recs := trialResults(t, e, st.Trials[0].Dir)
	if len(recs) != 6 {
		t.Fatalf("%d records, want 6", len(recs))
	}
	for _, r := range recs {
		if r.ExitStatus != agent.ExitSubmitted || r.APICalls != turns {
			t.Errorf("%s: exit %q after %d calls (error %q)", r.InstanceID, r.ExitStatus, r.APICalls, r.Error)
		}
	}
	s := bedrock.Stats()
	t.Logf("%d calls, %d credential fetches, %d refused during the outage, %d keys used, rejected: %v", s.Calls, s.CredFetches, s.CredDown, s.Keys, s.Rejected)
	if phase, ok := <-waiting; !ok {
		t.Error("no instance was seen waiting for credentials during the outage")
	} else {
		t.Logf("phase during the outage: %s", phase)
	}
	if s.CredDown == 0 {
		t.Error("no credential request fell in the outage: the test proved nothing")
	}
	if s.Keys < 2 {
		t.Errorf("%d keys used; the credentials did not rotate during the run", s.Keys)
	}
	if n := s.Rejected["UnrecognizedClientException"] + s.Rejected["InvalidSignatureException"]; n > 0 {
		t.Errorf("%d requests with bad signatures or unknown keys", n)
	}
}
