package engine

import (
	"bytes"
	"context"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"

	"github.com/ctxresearch/ctxsweep/bench/fakemodel"
	"github.com/ctxresearch/ctxsweep/wandb/fakewandb"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// TestSecretsNeverLeaveTheWorker runs a sweep with recognisable fake keys
// (the model's API key, the W&B key, AWS credentials) and scans every
// workflow history (through the client), every file of the data directory
// (the Temporal database, logs, trajectories, W&B offline logs) for them.
// The model server must have received the key, so the scan is not vacuous.
func TestSecretsNeverLeaveTheWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test")
	}
	const modelKey = "sk-CANARY-model-7f3a9c"
	const awsSecret = "CANARY-aws-secret-5e1d"
	var seenAuth sync.Map
	srv, err := fakemodel.Start(fakemodel.Config{Turns: 3}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	wb := fakewandb.New(fakewandb.Options{})
	wbURL, err := wb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	// A proxy in front of the model records the Authorization header.
	proxy := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seenAuth.Store(r.Header.Get("Authorization"), true)
		target := strings.TrimSuffix(srv.URL(), "/v1") + r.URL.Path
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, target, r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(resp.Body)
		_, _ = w.Write(buf.Bytes())
	})}
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = proxy.Serve(ln) }()
	defer proxy.Close()

	dir := t.TempDir()
	models := filepath.Join(dir, "m.yaml")
	y := "models:\n  canary:\n    provider: openai\n    model_id: fake\n    api_base: http://" + ln.Addr().String() + "/v1\n" +
		"    api_key_env: CANARY_API_KEY\n    context_window: 1000000\n    temperature: 0\n    price: {input: 1, cached_input: 0.1, output: 5, source: test}\n"
	if err := os.WriteFile(models, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CANARY_API_KEY", modelKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", awsSecret)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIACANARY0000")
	t.Setenv("WANDB_API_KEY", fakewandb.DefaultAPIKey)
	t.Setenv("WANDB_BASE_URL", wbURL)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	data := filepath.Join(dir, "data")
	e, err := Start(ctx, Options{DataDir: data, UIPort: -1, Worker: WorkerAlways, ModelsFiles: []string{models}})
	if err != nil {
		t.Fatal(err)
	}
	src := "method: grid\nparameters:\n  model: {value: canary}\n  strategy: {values: [raw, llm_summary]}\n  hp-sum-n: {value: 2}\n  hp-sum-keep-m: {value: 1}\n" +
		"  instances-subset: {value: demo}\n  instances-slice: {value: \":2\"}\n  wandb: {value: true}\n"
	st := runSweep(t, ctx, e, workflows.SweepInput{Name: "sec", File: "sec.yaml", Source: src, Parallel: 2})
	if st.State != "completed" {
		t.Fatalf("sweep %q", st.State)
	}
	if _, ok := seenAuth.Load("Bearer " + modelKey); !ok {
		t.Fatal("the model server never received the key: the scan would prove nothing")
	}
	if len(wb.Runs()) != 2 {
		t.Fatalf("%d W&B runs, want 2", len(wb.Runs()))
	}
	secrets := []string{modelKey, awsSecret, fakewandb.DefaultAPIKey}

	// Every workflow history.
	var ids []string
	var token []byte
	for {
		resp, err := e.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", NextPageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, ex := range resp.Executions {
			ids = append(ids, ex.Execution.WorkflowId)
			it := e.Client.GetWorkflowHistory(ctx, ex.Execution.WorkflowId, ex.Execution.RunId, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				b, _ := proto.Marshal(ev)
				for _, s := range secrets {
					if bytes.Contains(b, []byte(s)) {
						t.Errorf("workflow %s: history event %d (%s) contains a secret", ex.Execution.WorkflowId, ev.EventId, ev.EventType)
					}
				}
			}
		}
		if token = resp.NextPageToken; len(token) == 0 {
			break
		}
	}
	if len(ids) < 1+2+4 {
		t.Fatalf("only %d workflows listed: %v", len(ids), ids)
	}
	e.Close() // flush the database and logs
	files := 0
	err = filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains a secret", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scanned %d workflow histories and %d files for 3 secrets", len(ids), files)
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
