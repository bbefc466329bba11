// Command credsoak is the long variant of the engine's Bedrock credential
// tests: the demo tasks run on Bedrock (bench/fakebedrock, SigV4 checked)
// with container credentials that rotate every -rotate and a credentials
// endpoint that is down for -outage every -outage-every, for about
// -duration. It prints the exit statuses and fails if any instance ends
// other than submitted.
//
//	go run ./bench/credsoak -duration 40m -rotate 30s -outage 60s -outage-every 10m
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/ctxresearch/ctxsweep/bench/fakebedrock"
	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/workflows"
)

func main() {
	duration := flag.Duration("duration", 10*time.Minute, "about how long the sweep runs")
	latency := flag.Duration("latency", time.Second, "time per model call")
	rotate := flag.Duration("rotate", 30*time.Second, "credential rotation period")
	outage := flag.Duration("outage", time.Minute, "how long each credentials-endpoint outage lasts")
	every := flag.Duration("outage-every", 5*time.Minute, "time between outages")
	flag.Parse()
	if err := run(*duration, *latency, *rotate, *outage, *every); err != nil {
		fmt.Fprintln(os.Stderr, "credsoak:", err)
		os.Exit(1)
	}
}

func run(duration, latency, rotate, outage, every time.Duration) error {
	turns := min(max(int(duration/latency), 3), 240) // the default call limit is 250
	srv, err := fakebedrock.Start(fakebedrock.Config{Turns: turns, Rotate: rotate, Latency: latency})
	if err != nil {
		return err
	}
	defer srv.Close()
	for _, k := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"} {
		os.Unsetenv(k)
	}
	dir, err := os.MkdirTemp("", "credsoak")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	os.Setenv("AWS_REGION", "us-east-1")
	os.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "aws-config"))
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	os.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", srv.CredentialsURL())
	models := filepath.Join(dir, "models.yaml")
	y := "models:\n  soak:\n    provider: bedrock\n    model_id: anthropic.claude-soak-v1:0\n    api_base: " + srv.URL() + "\n" +
		"    context_window: 1000000\n    temperature: 0\n    price: {input: 1, cached_input: 0.1, output: 5, source: bench}\n"
	if err := os.WriteFile(models, []byte(y), 0o644); err != nil {
		return err
	}
	ctx := context.Background()
	e, err := engine.Start(ctx, engine.Options{DataDir: filepath.Join(dir, "data"), UIPort: -1, Worker: engine.WorkerAlways, ModelsFiles: []string{models}})
	if err != nil {
		return err
	}
	defer e.Close()
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				srv.CredentialsDown(outage)
			}
		}
	}()
	src := "method: grid\nparameters:\n  model: {value: soak}\n  strategy: {value: raw}\n  instances-subset: {value: demo}\n  num-workers: {value: 6}\n"
	in := workflows.SweepInput{Name: "credsoak", File: "credsoak.yaml", Source: src, Parallel: 1}
	start := time.Now()
	runw, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SweepID(in.Name), TaskQueue: workflows.TaskQueue}, workflows.SweepWorkflow, in)
	if err != nil {
		return err
	}
	var st workflows.SweepStatus
	if err := runw.Get(ctx, &st); err != nil {
		return err
	}
	exits := map[string]int{}
	for _, tr := range st.Trials {
		var recs []workflows.InstanceRecord
		data, err := os.ReadFile(filepath.Join(dir, "data", tr.Dir, "results.json"))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &recs); err != nil {
			return err
		}
		for _, r := range recs {
			exits[r.ExitStatus]++
		}
	}
	s := srv.Stats()
	fmt.Printf("credsoak: %s, %d turns per instance, exits %v\n", time.Since(start).Round(time.Second), turns, exits)
	fmt.Printf("  %d calls, %d credential fetches, %d refused during outages, %d keys used, rejected %v\n", s.Calls, s.CredFetches, s.CredDown, s.Keys, s.Rejected)
	if exits["submitted"] != 6 || len(exits) != 1 {
		return fmt.Errorf("every instance should submit; got %v", exits)
	}
	return nil
}
