package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/sweep"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// preflightTimeout bounds the whole pre-flight.
const preflightTimeout = 30 * time.Second

// sweepModels lists the presets a sweep can call: every trial's model and
// (for summarizing strategies) its summarizer, and for a random or bayes
// sweep every choice of model and summarizer-model.
func sweepModels(spec *sweep.Spec, refs []workflows.TrialRef) []string {
	seen := map[string]bool{}
	for _, r := range refs {
		seen[r.Config.Model] = true
		if sweep.UsesSummarizer(r.Config.Strategy) {
			seen[r.Config.Summarizer()] = true
		}
	}
	for _, p := range spec.Parameters {
		if p.Name != "model" && p.Name != "summarizer-model" {
			continue
		}
		choices, _ := p.Choices()
		for _, v := range choices {
			if name, ok := v.(string); ok && name != sweep.SummarizerSame {
				seen[name] = true
			}
		}
	}
	delete(seen, "")
	out := make([]string, 0, len(seen))
	for m := range seen {
		out = append(out, m)
	}
	sort.Strings(out)
	return out
}

// preflight checks, before anything starts, that every model of the sweep
// can be called from here: its preset resolves, its credentials are found
// (keys in the environment or .env file, the AWS chain for Bedrock) and
// one cheap authenticated request succeeds (llm.Check). All checks run at
// once; the error lists every failure.
func preflight(ctx context.Context, presets llm.Presets, models []string) error {
	env, err := llm.LoadEnv(engine.DefaultEnvFiles()...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, preflightTimeout)
	defer cancel()
	errs := make([]error, len(models))
	var wg sync.WaitGroup
	for i, name := range models {
		p, err := presets.Get(name)
		if err != nil {
			errs[i] = err
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = llm.Check(ctx, p, env, llm.Options{Timeout: preflightTimeout})
		}()
	}
	wg.Wait()
	var failed []string
	for _, err := range errs {
		if err != nil {
			failed = append(failed, "  "+err.Error())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("pre-flight failed; nothing was started:\n%s\n(keys are read from the environment, ./.env or $CTXSWEEP_ENV_FILE of this process; "+
			"if only remote workers hold them, give --skip-preflight)", strings.Join(failed, "\n"))
	}
	if len(models) > 0 {
		fmt.Fprintf(os.Stderr, "Pre-flight: %s reachable with working credentials.\n", strings.Join(models, ", "))
	}
	return nil
}
