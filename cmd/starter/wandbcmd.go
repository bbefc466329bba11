package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ctxresearch/ctxsweep/wandb"
)

func init() { commands = append(commands, wandbCmd) }

func wandbCmd(g *globals) *cobra.Command {
	w := &cobra.Command{Use: "wandb", Short: "Weights & Biases utilities"}
	w.AddCommand(&cobra.Command{
		Use:   "sync [DIR]",
		Short: "Upload the W&B runs kept offline (server down or no key) under DIR (default: <data-dir>/runs)",
		Long: "Every trial with --wandb keeps its W&B run in an offline log (<trial dir>/wandb/run) and uploads it as it goes.\n" +
			"When W&B was unreachable or no key was set, sync uploads what is pending, as the same runs (resumed by id).\n" +
			"Syncing twice uploads nothing new. The key comes from WANDB_API_KEY or ~/.netrc, the server from WANDB_BASE_URL.",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root := filepath.Join(g.dataDir, "runs")
			if len(args) == 1 {
				root = args[0]
			}
			s, err := wandb.SettingsFromEnv()
			if err != nil {
				return err
			}
			if !s.Valid() {
				return fmt.Errorf("no W&B API key: set WANDB_API_KEY (or add %s to ~/.netrc) and run sync again", s.BaseURL)
			}
			c, err := wandb.NewClient(s, nil)
			if err != nil {
				return err
			}
			dirs, err := wandb.FindLogs(root)
			if err != nil {
				return err
			}
			if len(dirs) == 0 {
				fmt.Printf("no W&B offline logs under %s\n", root)
				return nil
			}
			if err := reachable(s.BaseURL); err != nil {
				return fmt.Errorf("cannot reach W&B at %s (%v): nothing synced; the %d offline run(s) under %s stay as they are: run sync again when it is reachable", s.BaseURL, err, len(dirs), root)
			}
			failed := 0
			for i, d := range dirs {
				fmt.Printf("[%d/%d] syncing %s ...\n", i+1, len(dirs), d)
				rep, err := wandb.Sync(cmd.Context(), c, d)
				if err != nil {
					failed++
					fmt.Printf("✗ %s: %v\n", d, err)
					continue
				}
				state := "uploaded"
				if rep.UpToDate {
					state = "up to date"
				}
				fmt.Printf("✓ %s: %s (%d history rows, %d files) %s\n", d, state, rep.History, len(rep.Files), rep.URL)
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d runs did not sync; run sync again when W&B is reachable", failed, len(dirs))
			}
			return nil
		},
	})
	return w
}

// reachable asks the W&B server for anything once (10 s at most): any
// HTTP answer will do. A machine without network, a closed port or a
// server that accepts connections but never answers is told so at once
// instead of after minutes of retries.
func reachable(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("not an http(s) URL: %q", base)
	}
	const wait = 10 * time.Second
	c := &http.Client{Timeout: wait, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u.String())
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("no answer within %s", wait)
		}
		var op *net.OpError
		if errors.As(err, &op) {
			return op
		}
		return err
	}
	return resp.Body.Close()
}
