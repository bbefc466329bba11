package activities

import (
	"context"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/sandbox"
)

// The tool bundle runs from the worker over the sandbox's Exec, ReadFile
// and WriteFile: nothing of ours is installed in the sandbox. The viewer
// and editor logic is in agent (viewer.go, editor.go, search.go); here is
// only its I/O. The viewer state (open file, window, working directory)
// comes in with the action and goes out with the observation.

// toolRun is one action's execution context.
type toolRun struct {
	sb      sandbox.Sandbox
	w       agent.Window
	timeout time.Duration
	st      agent.ViewerState
}

// toolResult is what an action produced.
type toolResult struct {
	Output   string
	State    agent.ViewerState
	ExitCode int
	TimedOut bool
	// Retry marks the editor's failures, which the seed prints with its
	// retry-with-output token (seed-system §3.4).
	Retry    bool
	Duration time.Duration
}

// cwdFile is where a bash command leaves its final working directory
// (inside .git, so it never shows in the diff).
const cwdFile = ".git/ctxsweep-cwd"

// mutates reports whether a tool changes files, i.e. must be replayed
// into a new sandbox.
func mutates(tool string) bool {
	switch tool {
	case "bash", "create", "edit", "insert":
		return true
	}
	return false
}

// run executes a parsed action other than submit.
func (r *toolRun) run(ctx context.Context, act agent.Action) (toolResult, error) {
	start := time.Now()
	res := toolResult{State: r.st}
	var err error
	a := act.Args
	switch act.Call.Name {
	case "bash":
		res, err = r.bash(ctx, act.Command)
	case "open":
		res.Output = r.open(ctx, a["path"], a["line_number"], &res.State)
	case "goto", "scroll_up", "scroll_down":
		res.Output = r.move(ctx, act.Call.Name, a["line_number"], &res.State)
	case "create":
		res.Output = r.create(ctx, a["filename"], &res.State)
	case "find_file":
		res, err = r.search(ctx, agent.FindFileScript(r.st.Cwd, r.sb.Workdir(), orDot(a["dir"]), a["file_name"]),
			func(out string) string { return agent.FindFileOutput(orDot(a["dir"]), a["file_name"], out) })
	case "search_dir":
		res, err = r.search(ctx, agent.SearchDirScript(r.st.Cwd, r.sb.Workdir(), orDot(a["dir"]), a["search_term"]),
			func(out string) string { return agent.SearchDirOutput(orDot(a["dir"]), a["search_term"], out) })
	case "search_file":
		file := r.st.OpenFile
		if a["file"] != "" {
			file = r.st.Resolve(a["file"])
		} else if file == "" {
			res.Output = agent.NoFileOpen
			break
		}
		res, err = r.search(ctx, agent.SearchFileScript(r.st.Cwd, r.sb.Workdir(), file, a["search_term"]),
			func(out string) string { return agent.SearchFileOutput(a["file"], file, a["search_term"], out) })
	case "edit", "insert":
		res, err = r.edit(ctx, act)
	default:
		return res, fmt.Errorf("tool %q has no implementation", act.Call.Name)
	}
	if res.Duration == 0 {
		res.Duration = time.Since(start)
	}
	return res, err
}

func orDot(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

// bash runs a command in the working directory of the previous one and
// records where it ended, so `cd` persists across turns as in the seed's
// persistent shell. Everything is on the command's first line, so bash's
// "line N" in error messages is unchanged.
func (r *toolRun) bash(ctx context.Context, command string) (toolResult, error) {
	root := r.sb.Workdir()
	script := "cd " + sandbox.ShellQuote(r.st.Cwd) + " 2>/dev/null || cd " + sandbox.ShellQuote(root) + "; " +
		"__ctxsweep_cwd=" + sandbox.ShellQuote(path.Join(root, cwdFile)) + "; { : > \"$__ctxsweep_cwd\"; } 2>/dev/null; " +
		"trap '{ pwd > \"$__ctxsweep_cwd\"; } 2>/dev/null' EXIT; " + command
	res, err := r.sb.Exec(ctx, script, r.timeout)
	if err != nil {
		return toolResult{}, err
	}
	st := r.st
	if data, err := r.sb.ReadFile(ctx, cwdFile); err == nil {
		if cwd := strings.TrimSpace(string(data)); cwd != "" {
			st.Cwd = cwd
		}
	}
	return toolResult{Output: res.Output, State: st, ExitCode: res.ExitCode, TimedOut: res.TimedOut, Duration: res.Duration}, nil
}

// search runs a search script and formats its output.
func (r *toolRun) search(ctx context.Context, script string, format func(string) string) (toolResult, error) {
	res, err := r.sb.Exec(ctx, script, r.timeout)
	if err != nil {
		return toolResult{}, err
	}
	out := res.Output
	if !res.TimedOut {
		out = format(out)
	}
	return toolResult{Output: out, State: r.st, ExitCode: res.ExitCode, TimedOut: res.TimedOut, Duration: res.Duration}, nil
}

// read loads a file for the viewer; msg is the error to show instead.
func (r *toolRun) read(ctx context.Context, arg, abs string) (text string, msg string) {
	data, err := r.sb.ReadFile(ctx, abs)
	if err == nil {
		return string(data), ""
	}
	probe, perr := r.sb.Exec(ctx, "if [ -d "+sandbox.ShellQuote(abs)+" ]; then echo dir; elif [ -e "+sandbox.ShellQuote(abs)+" ]; then echo file; fi", r.timeout)
	switch {
	case perr == nil && strings.TrimSpace(probe.Output) == "dir":
		return "", fmt.Sprintf("Error: %s is a directory. You can only open files. Use cd or ls to navigate directories.", arg)
	case perr == nil && strings.TrimSpace(probe.Output) == "":
		return "", fmt.Sprintf("Error: File %s not found", arg)
	}
	return "", fmt.Sprintf("Error: cannot read %s: %v", arg, err)
}

func (r *toolRun) open(ctx context.Context, arg, line string, st *agent.ViewerState) string {
	abs := st.Resolve(arg)
	text, msg := r.read(ctx, arg, abs)
	if msg != "" {
		return msg
	}
	out, d, _ := r.w.Open(agent.Doc{Path: abs, Text: text, First: st.FirstLine}, line, abs == st.OpenFile)
	st.OpenFile, st.FirstLine = abs, d.First
	return out
}

func (r *toolRun) move(ctx context.Context, tool, line string, st *agent.ViewerState) string {
	if st.OpenFile == "" {
		return agent.NoFileOpen
	}
	text, msg := r.read(ctx, st.OpenFile, st.OpenFile)
	if msg != "" {
		return msg
	}
	d := agent.Doc{Path: st.OpenFile, Text: text, First: st.FirstLine}
	var out string
	if tool == "goto" {
		out, d, _ = r.w.Goto(d, line)
	} else {
		out, d = r.w.Scroll(d, tool == "scroll_down")
	}
	st.FirstLine = d.First
	return out
}

func (r *toolRun) create(ctx context.Context, arg string, st *agent.ViewerState) string {
	abs := st.Resolve(arg)
	probe, err := r.sb.Exec(ctx, "[ -e "+sandbox.ShellQuote(abs)+" ] && echo exists", r.timeout)
	if err == nil && strings.TrimSpace(probe.Output) == "exists" {
		msg := fmt.Sprintf("Warning: File '%s' already exists.", arg)
		if text, rerr := r.read(ctx, arg, abs); rerr == "" {
			out, d, _ := r.w.Open(agent.Doc{Path: abs, Text: text, First: st.FirstLine}, "", abs == st.OpenFile)
			st.OpenFile, st.FirstLine = abs, d.First
			msg += "\n" + out
		}
		return msg
	}
	if err := r.sb.WriteFile(ctx, abs, []byte("\n")); err != nil {
		return fmt.Sprintf("Error: cannot create %s: %v", arg, err)
	}
	out, d, _ := r.w.Open(agent.Doc{Path: abs, Text: "\n"}, "", false)
	st.OpenFile, st.FirstLine = abs, d.First
	return out
}

// edit runs edit or insert: the change is written, checked with flake8
// (for .py files, when the sandbox has flake8) and reverted if it
// introduced new errors.
func (r *toolRun) edit(ctx context.Context, act agent.Action) (toolResult, error) {
	res := toolResult{State: r.st}
	st := &res.State
	if st.OpenFile == "" {
		res.Output, res.Retry = agent.NoFileOpen, true
		return res, nil
	}
	text, msg := r.read(ctx, st.OpenFile, st.OpenFile)
	if msg != "" {
		res.Output, res.Retry = msg, true
		return res, nil
	}
	old := agent.Doc{Path: st.OpenFile, Text: text, First: st.FirstLine}
	var er agent.EditResult
	if act.Call.Name == "edit" {
		er = r.w.Edit(old, act.Args["search"], act.Args["replace"], agent.ParseBool(act.Args["replace-all"]))
	} else {
		er = r.w.Insert(old, act.Args["text"], act.Args["line"])
	}
	if er.Failed {
		res.Output, res.Retry = er.Message, true
		return res, nil
	}
	before := r.lint(ctx, st.OpenFile)
	if err := r.sb.WriteFile(ctx, st.OpenFile, []byte(er.Doc.Text)); err != nil {
		res.Output, res.Retry = fmt.Sprintf("Error: cannot write %s: %v", st.OpenFile, err), true
		return res, nil
	}
	if before != nil {
		if issues := agent.NewLintIssues(before, r.lint(ctx, st.OpenFile), er); len(issues) > 0 {
			if err := r.sb.WriteFile(ctx, st.OpenFile, []byte(text)); err != nil {
				return res, fmt.Errorf("reverting %s: %w", st.OpenFile, err)
			}
			res.Output, res.Retry = agent.LintFailure(issues, r.w.Show(er.Doc), r.w.Show(old)), true
			return res, nil
		}
	}
	st.FirstLine = er.Doc.First
	res.Output = r.w.Show(er.Doc)
	if er.Message != "" {
		res.Output = er.Message + "\n\n" + res.Output
	}
	return res, nil
}

const noLint = "##ctxsweep-nolint##"

// lint runs the seed's flake8 check on a .py file; nil means no check
// (not a Python file, or no flake8 in the sandbox).
func (r *toolRun) lint(ctx context.Context, file string) []agent.LintIssue {
	if !strings.HasSuffix(file, ".py") {
		return nil
	}
	res, err := r.sb.Exec(ctx, "command -v flake8 >/dev/null 2>&1 || { echo "+sandbox.ShellQuote(noLint)+"; exit 0; }; flake8 --isolated --select="+
		agent.LintSelect+" "+sandbox.ShellQuote(file), r.timeout)
	if err != nil || res.TimedOut || strings.Contains(res.Output, noLint) {
		return nil
	}
	issues := agent.ParseLint(res.Output)
	if issues == nil {
		issues = []agent.LintIssue{}
	}
	return issues
}
