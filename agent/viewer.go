package agent

import (
	"fmt"
	"path"
	"strconv"
	"strings"
)

// ViewerState is what the seed keeps in its tool registry and shell
// session between commands: the open file, the first line of its display
// window, and the shell's working directory. It is stored with every
// observation, so it survives worker restarts.
type ViewerState struct {
	OpenFile  string `json:"open_file,omitempty"` // absolute path; "" when no file is open
	FirstLine int    `json:"first_line"`          // 0-based first line of the window
	Cwd       string `json:"working_dir"`
	// Root is the repository directory the paths above were recorded in,
	// so they can be moved to a new sandbox whose root differs.
	Root string `json:"root,omitempty"`
}

// Vars are the template variables of the state trailer
// ((Open file: ...) / (Current directory: ...)).
func (s ViewerState) Vars() map[string]string {
	open := s.OpenFile
	if open == "" {
		open = "n/a"
	}
	return map[string]string{"open_file": open, "working_dir": s.Cwd}
}

// Rebase moves the paths under s.Root to root (a new sandbox of the same
// repository), leaving other paths alone.
func (s ViewerState) Rebase(root string) ViewerState {
	if s.Root == "" || s.Root == root {
		s.Root = root
		return s
	}
	move := func(p string) string {
		if p == s.Root {
			return root
		}
		if strings.HasPrefix(p, s.Root+"/") {
			return root + p[len(s.Root):]
		}
		return p
	}
	s.OpenFile, s.Cwd, s.Root = move(s.OpenFile), move(s.Cwd), root
	return s
}

// Resolve makes p absolute against the working directory.
func (s ViewerState) Resolve(p string) string {
	if path.IsAbs(p) {
		return path.Clean(p)
	}
	return path.Join(s.Cwd, p)
}

// Window is the file viewer's geometry: WINDOW lines shown, OVERLAP lines
// kept when scrolling.
type Window struct {
	Size    int
	Overlap int
}

// DefaultWindow is the paper's WINDOW=100, OVERLAP=2.
var DefaultWindow = Window{Size: 100, Overlap: 2}

// WindowFromEnv reads WINDOW and OVERLAP from the agent's environment
// variables, defaulting to DefaultWindow.
func WindowFromEnv(env map[string]string) Window {
	w := DefaultWindow
	if n, err := strconv.Atoi(strings.TrimSpace(env["WINDOW"])); err == nil && n > 0 {
		w.Size = n
	}
	if n, err := strconv.Atoi(strings.TrimSpace(env["OVERLAP"])); err == nil && n >= 0 && n < w.Size {
		w.Overlap = n
	}
	return w
}

// Clamp bounds a first line to [0, nLines-Size].
//
// Fix (seed bug): the seed clamps to nLines-1-Size, so in a file longer
// than the window the last line can never be shown; we clamp so that the
// last window ends on the last line.
func (w Window) Clamp(first, nLines int) int {
	return max(0, min(first, nLines-w.Size))
}

// GotoFirst is the first line that shows 0-based line at the seed's
// position: int(line - WINDOW/6), truncated toward zero (not clamped).
func (w Window) GotoFirst(line int) int {
	return int(float64(line) - float64(w.Size)*(1.0/6))
}

// Doc is an open file: its absolute path, its text and the window's first
// line.
type Doc struct {
	Path  string
	Text  string
	First int
}

// Range is the window's first and last 0-based line (inclusive); last <
// first when the file is empty.
func (w Window) Range(d Doc) (int, int) {
	n := CountLines(d.Text)
	first := w.Clamp(d.First, n)
	return first, min(first+w.Size-1, n-1)
}

// Show renders the window the way the seed's print_window does:
// "[File: <path> (<n> lines total)]", "(<k> more lines above)", numbered
// lines "<n>:<text>", "(<k> more lines below)".
func (w Window) Show(d Doc) string {
	n := CountLines(d.Text)
	start, end := w.Range(d)
	var b strings.Builder
	fmt.Fprintf(&b, "[File: %s (%d lines total)]", d.Path, n)
	if start > 0 {
		fmt.Fprintf(&b, "\n(%d more lines above)", start)
	}
	lines := strings.Split(d.Text, "\n")
	for i := start; i <= end && i < len(lines); i++ {
		fmt.Fprintf(&b, "\n%d:%s", i+1, lines[i])
	}
	if end < n-1 {
		fmt.Fprintf(&b, "\n(%d more lines below)", n-end-1)
	}
	return b.String()
}

// WindowText is the displayed lines without numbers or status lines: the
// text the editor searches in.
func (w Window) WindowText(d Doc) string {
	start, end := w.Range(d)
	lines := strings.Split(d.Text, "\n")
	if start >= len(lines) || end < start {
		return ""
	}
	return strings.Join(lines[start:min(end+1, len(lines))], "\n")
}

// pyInt parses a command-line integer like Python's int(): surrounding
// spaces, a sign and underscores between digits are allowed.
func pyInt(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, "_", ""))
	return n, err == nil
}

// Open shows d after `open <path> [<line>]`. lineArg is "" when no line
// was given; sameFile says d is the file that was already open.
//
// Fix (seed quirk): without a line the seed keeps the previous file's
// window position; we start a newly opened file at its top, as the tool's
// description says, and keep the position only when reopening the same
// file.
func (w Window) Open(d Doc, lineArg string, sameFile bool) (string, Doc, bool) {
	n := CountLines(d.Text)
	if lineArg == "" {
		if !sameFile {
			d.First = 0
		}
		d.First = w.Clamp(d.First, n)
		return w.Show(d), d, true
	}
	line, ok := pyInt(lineArg)
	if !ok {
		return "Usage: open \"<file>\" [<line_number>]\nError: <line_number> must be a number", d, false
	}
	var warn string
	if line > n {
		warn = fmt.Sprintf("Warning: <line_number> (%d) is greater than the number of lines in the file (%d)\nWarning: Setting <line_number> to %d\n", line, n, n)
		line = n
	} else if line < 1 {
		warn = fmt.Sprintf("Warning: <line_number> (%d) is less than 1\nWarning: Setting <line_number> to 1\n", line)
		line = 1
	}
	d.First = w.Clamp(w.GotoFirst(line-1), n)
	return warn + w.Show(d), d, true
}

// Goto shows d after `goto <line>`.
func (w Window) Goto(d Doc, lineArg string) (string, Doc, bool) {
	line, ok := pyInt(lineArg)
	if !ok {
		return "Usage: goto <line>\nError: <line> must be a number", d, false
	}
	n := CountLines(d.Text)
	if line > n {
		return fmt.Sprintf("Error: <line> must be less than or equal to %d", n), d, false
	}
	d.First = w.Clamp(w.GotoFirst(line-1), n)
	return w.Show(d), d, true
}

// Scroll shows d after scroll_down (down=true) or scroll_up: the window
// moves by WINDOW-OVERLAP lines.
func (w Window) Scroll(d Doc, down bool) (string, Doc) {
	step := w.Size - w.Overlap
	if !down {
		step = -step
	}
	d.First = w.Clamp(w.Clamp(d.First, CountLines(d.Text))+step, CountLines(d.Text))
	return w.Show(d), d
}

// NoFileOpen is the message of viewer and editor commands run before any
// file was opened.
const NoFileOpen = "No file open. Use the open command first."
