package activities

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ctxresearch/ctxsweep/agent"
)

func lines(n int, prefix string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(prefix + "\n")
	}
	return b.String()
}

func TestSearchTools(t *testing.T) {
	files := fstest.MapFS{
		"src/a.py":      {Data: []byte("def foo():\n    return foo_bar\n# foo again\n")},
		"src/pkg/b.py":  {Data: []byte("import foo\n")},
		"src/c.txt":     {Data: []byte("nothing here\n")},
		".hidden/d.py":  {Data: []byte("foo\n")},
		"many/m.py":     {Data: []byte(lines(150, "foo = 1"))},
		"my dir/e f.py": {Data: []byte("foo\n")},
	}
	for i := range 101 {
		files[fmt.Sprintf("lots/f%03d.txt", i)] = &fstest.MapFile{Data: []byte("bar\n")}
	}
	sb, root := newSandbox(t, files, nil)
	r := &toolRun{sb: sb, w: agent.DefaultWindow, timeout: 30 * time.Second, st: agent.ViewerState{Cwd: root, Root: root}}
	for _, tc := range []struct{ name, args, want string }{
		{"find_file", `{"file_name":"*.py","dir":"src"}`, "Found 2 matches for \"*.py\" in " + root + "/src:\n" + root + "/src/a.py\n" + root + "/src/pkg/b.py"},
		{"find_file", `{"file_name":"nope.py"}`, "No matches found for \"nope.py\" in " + root},
		{"find_file", `{"file_name":"*.py","dir":"absent"}`, "Directory absent not found"},
		{"search_dir", `{"search_term":"foo","dir":"src"}`, "Found 4 matches for \"foo\" in " + root + "/src:\n" + root + "/src/a.py (3 matches)\n" +
			root + "/src/pkg/b.py (1 matches)\nEnd of matches for \"foo\" in " + root + "/src"},
		{"search_dir", `{"search_term":"foo(","dir":"my dir"}`, "No matches found for \"foo(\" in " + root + "/my dir"},
		{"search_dir", `{"search_term":"foo","dir":"my dir"}`, "Found 1 matches for \"foo\" in " + root + "/my dir:\n" + root + "/my dir/e f.py (1 matches)\nEnd of matches for \"foo\" in " + root + "/my dir"},
		{"search_file", `{"search_term":"foo","file":"src/a.py"}`, "Found 3 matches for \"foo\" in " + root + "/src/a.py:\nLine 1:def foo():\nLine 2:    return foo_bar\n" +
			"Line 3:# foo again\nEnd of matches for \"foo\" in " + root + "/src/a.py"},
		{"search_file", `{"search_term":"foo","file":"many/m.py"}`, "More than 150 lines matched for \"foo\" in " + root + "/many/m.py. Please narrow your search."},
		{"search_file", `{"search_term":"foo","file":"zz.py"}`, "Usage: search_file <search_term> [<file>]\nError: File name zz.py not found. Please provide a valid file name."},
		{"search_file", `{"search_term":"foo"}`, agent.NoFileOpen},
	} {
		if got := r.act(t, tc.name, tc.args).Output; got != tc.want {
			t.Errorf("%s %s:\n%s\nwant\n%s", tc.name, tc.args, got, tc.want)
		}
	}
	// The whole repository: hidden directories are skipped, and more than
	// 100 matched files are refused (101 files with bar, plus foo_bar in src/a.py).
	got := r.act(t, "search_dir", `{"search_term":"foo"}`).Output
	if strings.Contains(got, ".hidden") || !strings.Contains(got, "Found 155 matches") {
		t.Errorf("search_dir in the root:\n%s", got)
	}
	if got := r.act(t, "search_dir", `{"search_term":"bar"}`).Output; got != "More than 102 files matched for \"bar\" in "+root+". Please narrow your search." {
		t.Errorf("search_dir over 100 files: %s", got)
	}
	r.act(t, "open", `{"path":"src/a.py"}`)
	if got := r.act(t, "search_file", `{"search_term":"again"}`).Output; !strings.HasPrefix(got, "Found 1 matches for \"again\" in "+root+"/src/a.py:") {
		t.Errorf("search_file in the open file: %s", got)
	}
}

func TestViewerStateAcrossCommands(t *testing.T) {
	sb, root := newSandbox(t, fstest.MapFS{"src/a.py": {Data: []byte(lines(250, "x = 1"))}, "README.md": {Data: []byte("hello\n")}}, nil)
	r := &toolRun{sb: sb, w: agent.DefaultWindow, timeout: 30 * time.Second, st: agent.ViewerState{Cwd: root, Root: root}}
	if got := r.act(t, "goto", `{"line_number":3}`).Output; got != agent.NoFileOpen {
		t.Errorf("goto before open: %q", got)
	}
	r.act(t, "bash", `{"command":"cd src && echo moved"}`)
	if r.st.Cwd != root+"/src" {
		t.Fatalf("cwd after cd: %q", r.st.Cwd)
	}
	if got := r.act(t, "bash", `{"command":"pwd; ls"}`).Output; got != root+"/src\na.py\n" {
		t.Errorf("the next command does not run in the new directory: %q", got)
	}
	if got := r.act(t, "bash", `{"command":"cd /nonexistent"}`); !strings.Contains(got.Output, "No such file") || r.st.Cwd != root+"/src" {
		t.Errorf("failed cd: %q, cwd %q", got.Output, r.st.Cwd)
	}
	if got := r.act(t, "bash", `{"command":"cd .. && exit 3"}`); got.ExitCode != 3 || r.st.Cwd != root {
		t.Errorf("exit inside the command: code %d, cwd %q", got.ExitCode, r.st.Cwd)
	}
	if got := r.act(t, "bash", `{"command":"nosuchcommand"}`).Output; !strings.Contains(got, "line 1: nosuchcommand") {
		t.Errorf("bash's line numbers moved: %q", got)
	}
	if got := r.act(t, "open", `{"path":"src"}`).Output; got != "Error: src is a directory. You can only open files. Use cd or ls to navigate directories." {
		t.Errorf("open a directory: %q", got)
	}
	if got := r.act(t, "open", `{"path":"nope.py"}`).Output; got != "Error: File nope.py not found" {
		t.Errorf("open a missing file: %q", got)
	}
	r.act(t, "open", `{"path":"src/a.py","line_number":120}`)
	if r.st.OpenFile != root+"/src/a.py" || r.st.FirstLine != 102 {
		t.Errorf("open at 120: %+v", r.st)
	}
	if got := r.act(t, "scroll_down", ``).Output; !strings.HasPrefix(got, "[File: "+root+"/src/a.py (250 lines total)]\n(150 more lines above)\n151:x = 1") {
		t.Errorf("scroll_down:\n%.200s", got)
	}
	r.act(t, "scroll_up", ``)
	r.act(t, "scroll_up", ``)
	if r.st.FirstLine != 0 {
		t.Errorf("scroll_up twice: first %d", r.st.FirstLine)
	}
	out := r.act(t, "create", `{"filename":"README.md"}`).Output
	if !strings.HasPrefix(out, "Warning: File 'README.md' already exists.\n[File: "+root+"/README.md (1 lines total)]\n1:hello") {
		t.Errorf("create an existing file: %q", out)
	}
	r.act(t, "create", `{"filename":"new/dir/n.py"}`)
	r.act(t, "insert", `{"text":"import os\nprint(os.sep)\n"}`)
	r.act(t, "insert", `{"text":"# header","line":0}`)
	data, _ := os.ReadFile(filepath.Join(root, "new/dir/n.py"))
	if string(data) != "# header\n\nimport os\nprint(os.sep)\n" {
		t.Errorf("created and inserted: %q", data)
	}
}

// TestEditLintRevert puts a stand-in flake8 on the sandbox's PATH: an edit
// that breaks the syntax of a .py file is reverted and reported, one that
// keeps it is applied, and a file with old errors can still be edited.
func TestEditLintRevert(t *testing.T) {
	bin := t.TempDir()
	script := "#!/bin/sh\nfor f; do case \"$f\" in --*) continue;; esac\n" +
		"python3 -c 'import ast,sys; ast.parse(open(sys.argv[1]).read())' \"$f\" 2>/dev/null || echo \"$f:1:1: E999 SyntaxError: invalid syntax\"\n" +
		"grep -n undefined_name \"$f\" | cut -d: -f1 | while read n; do echo \"$f:$n:5: F821 undefined name 'undefined_name'\"; done\ndone\n"
	if err := os.WriteFile(filepath.Join(bin, "flake8"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	sb, root := newSandbox(t, fstest.MapFS{"ok.py": {Data: []byte("def f():\n    return 1\n")},
		"old.py": {Data: []byte("x = undefined_name\ny = 2\n")}}, map[string]string{"PATH": bin + ":" + os.Getenv("PATH")})
	r := &toolRun{sb: sb, w: agent.DefaultWindow, timeout: 30 * time.Second, st: agent.ViewerState{Cwd: root, Root: root}}
	r.act(t, "open", `{"path":"ok.py"}`)
	res := r.act(t, "edit", `{"search":"return 1","replace":"return (1"}`)
	data, _ := os.ReadFile(filepath.Join(root, "ok.py"))
	if !res.Retry || !strings.Contains(res.Output, "ERRORS:\n\n- E999 SyntaxError: invalid syntax") || string(data) != "def f():\n    return 1\n" ||
		!strings.Contains(res.Output, "2:    return (1") {
		t.Errorf("broken edit: retry=%v file=%q\n%s", res.Retry, data, res.Output)
	}
	if res := r.act(t, "edit", `{"search":"return 1","replace":"return 2"}`); res.Retry {
		t.Errorf("valid edit refused:\n%s", res.Output)
	}
	r.act(t, "open", `{"path":"old.py"}`)
	if res := r.act(t, "insert", `{"text":"z = 3","line":0}`); res.Retry {
		t.Errorf("an old error (moved down a line) blocked the insert:\n%s", res.Output)
	}
	if res := r.act(t, "edit", `{"search":"y = 2","replace":"y = undefined_name","replace-all":false}`); !res.Retry || !strings.Contains(res.Output, "F821") {
		t.Errorf("a new undefined name was accepted:\n%s", res.Output)
	}
	if res := r.act(t, "edit", `{"search":"zz","replace":"y"}`); !res.Retry || !strings.Contains(res.Output, "not found") {
		t.Errorf("text not found: %+v", res)
	}
}
