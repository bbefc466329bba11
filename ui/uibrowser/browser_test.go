package uibrowser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.temporal.io/sdk/client"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/strategy"
	"github.com/ctxresearch/ctxsweep/traj"
	"github.com/ctxresearch/ctxsweep/ui"
	"github.com/ctxresearch/ctxsweep/ui/live"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// demoSweep is sweeps/demo.yaml cut to two strategies and one instance
// (demo__tzstamp-5: 12 turns, the quickest tests to evaluate).
const demoSweep = `method: grid
metric: {name: solve_rate, goal: maximize}
parameters:
  model: {value: replay}
  strategy: {values: [raw, hybrid]}
  instances-subset: {value: demo}
  instances-shuffle: {value: false}
  instances-slice: {value: "5:6"}
  call-limit: {value: 250}
  cost-limit: {value: 0.0}
  num-workers: {value: 1}
  hp-obs-n: {value: 3}
  hp-sum-n: {value: 4}
  hp-sum-keep-m: {value: 2}
`

func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no chromium on PATH (apt-get install -y chromium)"
	if os.Getenv("CTXSWEEP_BROWSER_TESTS") == "required" {
		t.Fatalf("browser tests are required (CTXSWEEP_BROWSER_TESTS=required) but cannot run: %s", msg)
	}
	t.Skip(msg)
	return ""
}

// TestBrowser runs a small demo sweep on the embedded server, opens the UI
// in headless Chromium, clicks from the sweeps to the sweep, the hybrid
// trial and its instance, moves the turn slider with the keyboard, and
// checks the messages shown against `starter view --json` for that turn
// (traj.Parse, traj.Build and View.JSON, as cmd/starter/view.go calls
// them, with the trial's --strategy and --hp-* flags). Screenshots go to
// $CTXSWEEP_UI_SCREENSHOTS, or a temporary directory.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	exe := chromium(t)
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dataDir := t.TempDir()
	e, err := engine.Start(ctx, engine.Options{DataDir: dataDir, UIPort: -1, Worker: engine.WorkerAlways})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	run, err := e.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.SweepID("uidemo"), TaskQueue: workflows.TaskQueue},
		workflows.SweepWorkflow, workflows.SweepInput{Name: "uidemo", File: "uidemo.yaml", Source: demoSweep, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ui.New(ui.Config{DataDir: dataDir, Live: live.Attach(e)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()

	shots := os.Getenv("CTXSWEEP_UI_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1300, 1000),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			b, err := chromedp.FullScreenshot(90)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name), b, 0o644)
		})
	}
	type C = chromedp.CSS
	browse := time.Now()
	// While the sweep runs, the sweeps page shows Temporal's live figures;
	// its polling then shows the finished sweep without a reload.
	field := func(f string) string {
		return fmt.Sprintf(`(document.querySelector('#sweeps tr[data-key="uidemo"] [data-f="%s"]') || {}).textContent`, f)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(hs.URL+"/")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](field("source")+` === "temporal"`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Fatalf("the sweeps page never showed live figures from Temporal: %v", err)
	}
	var st workflows.SweepStatus
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}
	if st.Instances != 2 {
		t.Fatalf("demo sweep: %d instances done, want 2", st.Instances)
	}
	t.Logf("demo sweep finished in %s", time.Since(began).Round(time.Millisecond))
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](field("instances_done")+` === "2" && `+field("state")+` !== "running"`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("the sweeps page did not update to the finished sweep: %v", err)
	}
	if err := chromedp.Do(bctx,
		chromedp.WaitVisible(C(`#sweeps a.sweep-link`)),
		shot("1-sweeps.png"),
		chromedp.Click(C(`#sweeps a.sweep-link`)),
		chromedp.WaitVisible(C(`#trials`)),
		chromedp.WaitVisible(C(`#figure`)),
		shot("2-sweep.png"),
		chromedp.Click(chromedp.Search(`//table[@id="trials"]//a[contains(., "hyb")]`)),
		chromedp.WaitVisible(C(`#instances a.instance-link`)),
	); err != nil {
		t.Fatal(err)
	}
	trialName, err := chromedp.Run(bctx, chromedp.Text(C(`h1`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(trialName, "hyb") {
		t.Fatalf("clicked into %q, want the hybrid trial", trialName)
	}
	if err := chromedp.Do(bctx,
		shot("3-trial.png"),
		chromedp.Click(C(`#instances a.instance-link`)),
		chromedp.WaitVisible(C(`#view .msg`)),
	); err != nil {
		t.Fatal(err)
	}
	maxTurn, err := chromedp.Run(bctx, chromedp.AttributeValue(C(`#turn`), "max"))
	if err != nil {
		t.Fatal(err)
	}
	var turns int
	fmt.Sscan(maxTurn.Value, &turns)
	if turns < 6 {
		t.Fatalf("slider max %q: want the instance's turns", maxTurn.Value)
	}
	// Move the slider down with the keyboard: one turn per ArrowLeft.
	want := turns - 2
	acts := []chromedp.Action[chromedp.Void]{chromedp.Focus(C(`#turn`))}
	for range turns - want {
		acts = append(acts, chromedp.KeyEvent(kb.ArrowLeft))
	}
	acts = append(acts, chromedp.WaitVisible(C(fmt.Sprintf(`#viewer[data-turn="%d"]:not([data-loading])`, want))))
	sctx, scancel := context.WithTimeout(bctx, 30*time.Second)
	defer scancel()
	if err := chromedp.Do(sctx, acts...); err != nil {
		t.Fatal(err)
	}
	type shownMsg struct {
		Role    string `json:"role"`
		Content string `json:"content"`
		Head    string `json:"head"`
	}
	shown, err := chromedp.Run(bctx, chromedp.Evaluate[[]shownMsg](`[...document.querySelectorAll("#view .msg")].map(d => ({role: d.dataset.role, content: d.querySelector(".msg-content").textContent, head: d.querySelector(".msg-head").textContent}))`))
	if err != nil {
		t.Fatal(err)
	}
	shownJSON, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById("view-json").textContent`))
	if err != nil {
		t.Fatal(err)
	}
	summary, err := chromedp.Run(bctx, chromedp.Text(C(`#view-summary`)))
	if err != nil {
		t.Fatal(err)
	}
	view, err := chromedp.Run(bctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(shots, "4-instance.png"), view, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}

	// What `starter view TRAJ --turn T --strategy hybrid --hp-obs-n 3
	// --hp-sum-n 4 --hp-sum-keep-m 2 --json` prints.
	files, _ := filepath.Glob(filepath.Join(dataDir, "runs", "uidemo", "*hyb*", "demo__tzstamp-5", "demo__tzstamp-5.traj"))
	if len(files) != 1 {
		t.Fatalf("hybrid trajectory: %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	f, err := traj.Parse(files[0], data)
	if err != nil {
		t.Fatal(err)
	}
	p := strategy.Defaults("")
	p.Strategy, p.ObsN, p.SumN, p.SumKeepM = strategy.Hybrid, 3, 4, 2
	v, err := traj.Build(f, want, p)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON, err := v.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var wire []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	if err := json.Unmarshal(wantJSON, &wire); err != nil {
		t.Fatal(err)
	}
	if shownJSON != string(wantJSON) {
		t.Errorf("the page's view JSON differs from starter view --json at turn %d", want)
	}
	if len(shown) != len(wire) {
		t.Fatalf("turn %d: %d messages shown, starter view has %d", want, len(shown), len(wire))
	}
	masked, summaries := 0, 0
	for i := range wire {
		if shown[i].Role != wire[i].Role || shown[i].Content != wire[i].Content {
			t.Errorf("turn %d message %d: shown %s %.60q, starter view %s %.60q", want, i, shown[i].Role, shown[i].Content, wire[i].Role, wire[i].Content)
		}
		if strings.Contains(shown[i].Head, "MASKED") {
			masked++
		}
		if strings.Contains(shown[i].Head, "SUMMARY") {
			summaries++
		}
	}
	wantMasked, wantSummaries := 0, 0
	for _, it := range v.Items {
		if it.Masked {
			wantMasked++
		}
		if it.Summary != nil {
			wantSummaries++
		}
	}
	if masked != wantMasked || summaries != wantSummaries || wantMasked+wantSummaries == 0 {
		t.Errorf("turn %d: %d masked and %d summaries marked, starter view has %d and %d", want, masked, summaries, wantMasked, wantSummaries)
	}
	if !strings.Contains(summary, fmt.Sprintf("turn %d of %d", want, turns)) {
		t.Errorf("view summary %q", summary)
	}
	// Compare: the instance across the raw and hybrid trials, side by side.
	if err := chromedp.Do(bctx,
		chromedp.Click(chromedp.Search(`//a[contains(., "compare across")]`)),
		chromedp.WaitVisible(C(`#compare tr.step`)),
		shot("5-compare.png"),
	); err != nil {
		t.Fatal(err)
	}
	cols, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#compare thead th a")].map(a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 2 || !strings.Contains(cols[0], "raw") || !strings.Contains(cols[1], "hyb") {
		t.Errorf("compare columns %q: want the raw trial (the reference) and the hybrid one", cols)
	}
	t.Logf("browser part took %s (whole test %s); screenshots in %s", time.Since(browse).Round(time.Millisecond), time.Since(began).Round(time.Millisecond), shots)
}

// TestBrowserRunningInstance opens the page of an instance that is still
// running (turn files, no record) and checks that it shows a step the
// runner writes afterwards, without the test reloading the page.
func TestBrowserRunningInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dataDir := t.TempDir()
	idir := filepath.Join(dataDir, "runs", "sw", "m__raw__run__aaaa", "inst-1")
	put := func(rel, data string) {
		p := filepath.Join(idir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("../trial.json", `{"sweep": "sw", "run_name": "m__raw__run"}`)
	put("head.json", `{}`)
	put("turns/0001.a0.json", `{"content": "look", "valid": true, "action": {"command": "ls <b>x</b>"}}`)
	put("turns/0001.obs.json", `{"attempt": 0, "output": "a.py"}`)
	hs, bctx := serveAndBrowse(t, ctx, exe, dataDir)
	type C = chromedp.CSS
	if err := chromedp.Do(bctx,
		chromedp.Navigate(hs.URL+"/instance?s=sw&t=m__raw__run__aaaa&i=inst-1"),
		chromedp.WaitVisible(C(`#step-1`)),
	); err != nil {
		t.Fatal(err)
	}
	put("turns/0002.a0.json", `{"content": "edit", "valid": true, "action": {"command": "sed -i s/a/b/ a.py"}}`)
	put("turns/0002.obs.json", `{"attempt": 0, "output": ""}`)
	// The page reloads itself when it sees the new step: poll with a
	// deadline, each check on the page as it is then (a check that meets
	// the reload fails and is tried again).
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById("step-2") !== null && document.getElementById("live").textContent.includes("2 steps")`))
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the running instance's page did not show its new step (last check: %v, %v)", ok, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	action, err := chromedp.Run(bctx, chromedp.Text(C(`#step-1 pre.action`)))
	if err != nil {
		t.Fatal(err)
	}
	if action != "ls <b>x</b>" {
		t.Errorf("step 1 action shown as %q", action)
	}
}

// serveAndBrowse serves the UI over dataDir and opens headless Chromium;
// both end with the test.
func serveAndBrowse(t *testing.T, ctx context.Context, exe, dataDir string) (*httptest.Server, context.Context) {
	srv, err := ui.New(ui.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1300, 1000),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return hs, bctx
}

// TestBrowserBigView opens a finished instance whose raw view is too big
// to send whole (30 turns of 60 KB observations): the slider's messages
// come folded, and "show all" loads a message's full text.
func TestBrowserBigView(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dataDir := t.TempDir()
	tdir := filepath.Join(dataDir, "runs", "sw", "m__raw__big__aaaa")
	hist := []map[string]any{{"role": "system", "content": "sys", "message_type": "system_prompt"}, {"role": "user", "content": "task", "message_type": "observation"}}
	var steps []map[string]any
	obs := strings.Repeat("0123456789<b>\n", 4000) // 60 KB
	for n := 1; n <= 30; n++ {
		hist = append(hist, map[string]any{"role": "assistant", "content": fmt.Sprintf("step %d", n), "message_type": "action"},
			map[string]any{"role": "user", "content": fmt.Sprintf("obs %d ", n) + obs, "message_type": "observation"})
		steps = append(steps, map[string]any{"action": fmt.Sprintf("cmd %d", n), "observation": obs, "thought": "t"})
	}
	trajData, err := json.Marshal(map[string]any{"history": hist, "trajectory": steps, "info": map[string]any{"exit_status": "submitted"}})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := json.Marshal([]map[string]any{{"instance_id": "inst-1", "exit_status": "submitted", "turns": 30, "traj_file": "runs/sw/m__raw__big__aaaa/inst-1/inst-1.traj"}})
	for p, b := range map[string][]byte{"trial.json": []byte(`{"sweep": "sw", "run_name": "m__raw__big"}`), "results.json": rec, "inst-1/inst-1.traj": trajData} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(tdir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tdir, p), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hs, bctx := serveAndBrowse(t, ctx, exe, dataDir)
	type C = chromedp.CSS
	full := len("obs 5 ") + len(obs)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(hs.URL+"/instance?s=sw&t=m__raw__big__aaaa&i=inst-1"),
		chromedp.WaitVisible(C(`#viewer[data-turn="30"]:not([data-loading]) #view .msg button.more`)),
		chromedp.Click(C(`#view .msg[data-index="11"] button.more`)),
	); err != nil {
		t.Fatal(err)
	}
	// Message 11 is the observation of turn 5.
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelector('#view .msg[data-index="11"] .msg-content').textContent.length === %d`, full),
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		got, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelector('#view .msg[data-index="11"] .msg-content').textContent.length`))
		t.Fatalf("show all: the message has %d characters, want %d: %v", got, full, err)
	}
	// The `starter view --json` text is loaded when its section is opened.
	if err := chromedp.Do(bctx, chromedp.Click(C(`#viewer details summary`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(bctx, chromedp.Poll[bool](`(t => t.startsWith("[") && t.length > 1600000)(document.getElementById("view-json").textContent)`,
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("the view's JSON was not loaded: %v", err)
	}
}
