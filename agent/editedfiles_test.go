package agent

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// testPatch modifies a.py (line 3, and lines 10-11 of the new file, whose
// new line 11 looks like a +++ header), adds new.py, deletes old.py and
// modifies a file whose name has a space.
const testPatch = `diff --git a/a.py b/a.py
index 1111111..2222222 100644
--- a/a.py
+++ b/a.py
@@ -1,5 +1,5 @@
 L1
 L2
-old3
+L3
 L4
 L5
@@ -8,4 +8,5 @@ def f():
 L8
 L9
-old10
+L10
++ b/evil
 L12
diff --git a/new.py b/new.py
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/new.py
@@ -0,0 +1 @@
+print(1)
diff --git a/old.py b/old.py
deleted file mode 100644
index 4444444..0000000
--- a/old.py
+++ /dev/null
@@ -1 +0,0 @@
-x = 1
diff --git a/my dir/b.txt b/my dir/b.txt
index 5555555..6666666 100644
--- a/my dir/b.txt
+++ b/my dir/b.txt
@@ -1 +1 @@
-a
+b
`

func TestParsePatch(t *testing.T) {
	got := ParsePatch("\n" + testPatch) // the seed's submissions may start with a newline
	want := []PatchFile{
		{Path: "a.py", Hunks: []Hunk{{1, 5}, {8, 5}}},
		{Path: "new.py", Added: true, Hunks: []Hunk{{1, 1}}},
		{Path: "old.py", Removed: true, Hunks: []Hunk{{0, 0}}},
		{Path: "my dir/b.txt", Hunks: []Hunk{{1, 1}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := ModifiedPaths(testPatch); !reflect.DeepEqual(got, []string{"a.py", "my dir/b.txt"}) {
		t.Errorf("modified paths %v", got)
	}
}

func TestEditedFiles(t *testing.T) {
	var lines []string
	for i := 1; i <= 12; i++ {
		lines = append(lines, fmt.Sprintf("L%d", i))
	}
	lines[10] = "++ b/evil"
	files := map[string]string{"a.py": strings.Join(lines, "\n") + "\n", "my dir/b.txt": "b\n"}
	num := func(from, to int) string {
		var out []string
		for n := from; n <= to; n++ {
			out = append(out, fmt.Sprintf("%6d: %s", n, lines[n-1]))
		}
		return strings.Join(out, "\n")
	}
	// Hunk ranges: lines 1-5 and 8-12 of the new a.py.
	for _, tc := range []struct {
		context int
		want    string
	}{
		{0, "[File: a.py]\n" + num(1, 5) + "\n\n[2 lines omitted]\n\n" + num(8, 12) + "\n\n[File: my dir/b.txt]\n     1: b"},
		{1, "[File: a.py]\n" + num(1, 12) + "\n\n[File: my dir/b.txt]\n     1: b"},
	} {
		if got := EditedFiles(testPatch, files, tc.context); got != tc.want {
			t.Errorf("context %d:\n%s\nwant\n%s", tc.context, got, tc.want)
		}
	}
	// Lines above, between and below the hunks are counted.
	long := strings.Repeat("x\n", 100)
	p := "diff --git a/l b/l\n--- a/l\n+++ b/l\n@@ -20,1 +20,1 @@\n-y\n+x\n@@ -60,2 +60,2 @@\n x\n-y\n+x\n"
	got := EditedFiles(p, map[string]string{"l": long}, 5)
	for _, want := range []string{"[File: l]\n[14 lines above omitted]\n    15: x", "    25: x\n\n[29 lines omitted]\n\n    55: x", "    66: x\n[34 lines below omitted]"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Count(got, ": x") != 11+12 {
		t.Errorf("lines shown:\n%s", got)
	}
	if got := EditedFiles("  \n", files, 30); got != EditedFilesNone {
		t.Errorf("no patch: %q", got)
	}
	onlyNew := testPatch[strings.Index(testPatch, "diff --git a/new.py"):strings.Index(testPatch, "diff --git a/old.py")]
	if got := EditedFiles(onlyNew, nil, 30); got != "" {
		t.Errorf("a patch of new files only: %q", got)
	}
}
