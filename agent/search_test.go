package agent

import (
	"strings"
	"testing"
)

func TestSearchOutputs(t *testing.T) {
	for _, tc := range []struct{ name, got, want string }{
		{"find_file", FindFileOutput(".", "*.py", "/r\n/r/a.py\n/r/b/c.py\n##ctxsweep-total## 2\n"),
			"Found 2 matches for \"*.py\" in /r:\n/r/a.py\n/r/b/c.py"},
		{"find_file none", FindFileOutput(".", "x.go", "/r\n##ctxsweep-total## 0\n"), "No matches found for \"x.go\" in /r"},
		{"find_file no dir", FindFileOutput("nope", "x", "##ctxsweep-nodir##\n"), "Directory nope not found"},
		{"find_file listing cut", FindFileOutput(".", "*", "/r\n/r/a\n/r/b\n"), "Found 2 matches for \"*\" in /r:\n/r/a\n/r/b"},
		{"search_dir", SearchDirOutput(".", "foo", "/r\n      3 ./a.py\n      1 ./b c/d.py\n##ctxsweep-total## 2 4\n"),
			"Found 4 matches for \"foo\" in /r:\n/r/a.py (3 matches)\n/r/b c/d.py (1 matches)\nEnd of matches for \"foo\" in /r"},
		{"search_dir none", SearchDirOutput("src", "foo", "/r/src\n##ctxsweep-total## 0 0\n"), "No matches found for \"foo\" in /r/src"},
		{"search_dir too many", SearchDirOutput(".", "e", "/r\n"+strings.Repeat("  1 ./x\n", 101)+"##ctxsweep-total## 150 300\n"),
			"More than 150 files matched for \"e\" in /r. Please narrow your search."},
		{"search_dir no dir", SearchDirOutput("nope", "e", "##ctxsweep-nodir##\n"), "Directory nope not found"},
		{"search_file", SearchFileOutput("", "/r/a.py", "foo", "3:x = foo\n10:foo(a:b)\n##ctxsweep-total## 2\n"),
			"Found 2 matches for \"foo\" in /r/a.py:\nLine 3:x = foo\nLine 10:foo(a:b)\nEnd of matches for \"foo\" in /r/a.py"},
		{"search_file none", SearchFileOutput("", "/r/a.py", "foo", "##ctxsweep-total## 0\n"), "No matches found for \"foo\" in /r/a.py"},
		{"search_file too many", SearchFileOutput("", "/r/a.py", "e", strings.Repeat("1:e\n", 101)+"##ctxsweep-total## 250\n"),
			"More than 250 lines matched for \"e\" in /r/a.py. Please narrow your search."},
		{"search_file missing", SearchFileOutput("b.py", "/r/b.py", "e", "##ctxsweep-nofile##\n"),
			"Usage: search_file <search_term> [<file>]\nError: File name b.py not found. Please provide a valid file name."},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n%s\nwant\n%s", tc.name, tc.got, tc.want)
		}
	}
	// Scripts quote every argument as one word.
	s := SearchDirScript("/r/it's", "/r", "d ir", "a'b")
	for _, want := range []string{`cd '/r/it'\''s'`, `'d ir'`, `-- 'a'\''b'`} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %s: %s", want, s)
		}
	}
}

func TestBlocked(t *testing.T) {
	blocked := []string{"vim foo.py", "vim", "vi x", "nano", "emacs -nw a", "less README", "tail -f log", "python -m venv env",
		"make", "make test", "nohup x &", "gdb ./a.out", "python", "python3", "ipython", "bash", "sh", "/bin/bash", "/bin/sh",
		"su", "  python3  ", "radare2 bin", "r2 bin", "vim\tx"}
	allowed := []string{"", "ls", "python3 test.py", "python -m pytest", "makemigrations.py", "view.py", "vimdiff a b", "tail -n 5 f",
		"tail", "m", "g", "bash script.sh", "r2 -c 'aa' bin", "radare2 -q -c 'pd 10' bin", "echo vim", "lesspipe", "python -m"}
	for _, a := range blocked {
		if !Blocked(a) {
			t.Errorf("%q is not blocked", a)
		}
	}
	for _, a := range allowed {
		if Blocked(a) {
			t.Errorf("%q is blocked", a)
		}
	}
	if got := BlockedMessage("vim x"); got != "Operation 'vim x' is not supported by this environment." {
		t.Errorf("message %q", got)
	}
}
