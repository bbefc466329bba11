package agent

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// EditedFilesNone is info.edited_files<N> when there is no submission.
const EditedFilesNone = "Empty. No edited files found."

// EditedFilesContexts are the context lengths of info.edited_files30, 50
// and 70 (seed-system §3.3 step 8).
var EditedFilesContexts = []int{30, 50, 70}

// PatchFile is one file of a unified diff (git diff format).
type PatchFile struct {
	Path string // the path after the change, without git's b/ prefix
	// Added and Removed mark new and deleted files; the others are
	// modified (renamed files included).
	Added, Removed bool
	Hunks          []Hunk
}

// Hunk is a hunk header's range in the new file: the changed lines are
// Start .. Start+Length-1 (1-based).
type Hunk struct{ Start, Length int }

// ParsePatch reads the files and hunks of a git diff. Hunk bodies are
// skipped by their line counts, so content lines that look like headers
// are never taken for one.
func ParsePatch(patch string) []PatchFile {
	var out []PatchFile
	lines := strings.Split(patch, "\n")
	cur := -1
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "diff --git "):
			out = append(out, PatchFile{Path: gitPath(l[len("diff --git "):])})
			cur = len(out) - 1
		case cur < 0:
		case strings.HasPrefix(l, "new file mode"), l == "--- /dev/null":
			out[cur].Added = true
		case strings.HasPrefix(l, "deleted file mode"), l == "+++ /dev/null":
			out[cur].Removed = true
		case strings.HasPrefix(l, "+++ b/"), strings.HasPrefix(l, `+++ "b/`):
			out[cur].Path = unquotePath(strings.TrimPrefix(l, "+++ "))
		case strings.HasPrefix(l, "@@ "):
			oldLen, h, ok := parseHunkHeader(l)
			if !ok {
				continue
			}
			out[cur].Hunks = append(out[cur].Hunks, h)
			for o, n := oldLen, h.Length; (o > 0 || n > 0) && i+1 < len(lines); {
				i++
				switch body := lines[i]; {
				case strings.HasPrefix(body, "-"):
					o--
				case strings.HasPrefix(body, "+"):
					n--
				case strings.HasPrefix(body, `\`):
				default:
					o, n = o-1, n-1
				}
			}
		}
	}
	return out
}

// parseHunkHeader reads "@@ -a[,b] +c[,d] @@".
func parseHunkHeader(l string) (oldLen int, h Hunk, ok bool) {
	f := strings.Fields(l)
	if len(f) < 3 || !strings.HasPrefix(f[1], "-") || !strings.HasPrefix(f[2], "+") {
		return 0, h, false
	}
	rng := func(s string) (int, int, bool) {
		a, b, has := strings.Cut(s, ",")
		start, err := strconv.Atoi(a)
		n := 1
		if has {
			n, err = strconv.Atoi(b)
		}
		return start, n, err == nil
	}
	_, ol, ok1 := rng(f[1][1:])
	start, n, ok2 := rng(f[2][1:])
	return ol, Hunk{Start: start, Length: n}, ok1 && ok2
}

// gitPath takes the b/ path from "a/x b/x" (a path with spaces is taken
// from the +++ line when there is one).
func gitPath(s string) string {
	if i := strings.LastIndex(s, " b/"); i >= 0 {
		return s[i+3:]
	}
	if i := strings.LastIndex(s, ` "b/`); i >= 0 {
		return unquotePath(s[i+1:])
	}
	return s
}

func unquotePath(s string) string {
	if strings.HasPrefix(s, `"`) {
		if u, err := strconv.Unquote(s); err == nil {
			s = u
		}
	}
	return strings.TrimPrefix(s, "b/")
}

// ModifiedPaths are the files whose contents EditedFiles needs: the
// modified files of the patch (new and deleted files are left out, as the
// seed's patch formatter does).
func ModifiedPaths(patch string) []string {
	var out []string
	for _, f := range ParsePatch(patch) {
		if !f.Added && !f.Removed {
			out = append(out, f.Path)
		}
	}
	return out
}

// EditedFiles renders info.edited_files<context> (seed-system §3.3): for
// each modified file of the patch, "[File: <path>]" and the lines of its
// new contents (files, by path) within context lines of each hunk,
// numbered "%6d: ", overlapping ranges merged, with "[k lines above
// omitted]", "[k lines omitted]" between ranges and "[k lines below
// omitted]"; files separated by a blank line. New and deleted files are
// left out, so a patch that only adds files gives "". An empty patch gives
// EditedFilesNone. A file missing from files is rendered as empty.
func EditedFiles(patch string, files map[string]string, context int) string {
	if strings.TrimSpace(patch) == "" {
		return EditedFilesNone
	}
	var parts []string
	for _, f := range ParsePatch(patch) {
		if f.Added || f.Removed {
			continue
		}
		parts = append(parts, "[File: "+f.Path+"]\n"+fileContext(SplitLines(files[f.Path]), f.Hunks, context))
	}
	return strings.Join(parts, "\n\n")
}

// fileContext renders the lines around hunks (1-based, stop exclusive).
func fileContext(lines []string, hunks []Hunk, context int) string {
	if len(hunks) == 0 {
		return ""
	}
	type span struct{ start, stop int }
	spans := make([]span, 0, len(hunks))
	for _, h := range hunks {
		spans = append(spans, span{max(1, h.Start-context), h.Start + h.Length + context})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	merged := spans[:1]
	for _, s := range spans[1:] {
		if last := &merged[len(merged)-1]; s.start <= last.stop {
			last.stop = max(last.stop, s.stop)
		} else {
			merged = append(merged, s)
		}
	}
	var out []string
	if merged[0].start > 1 {
		out = append(out, fmt.Sprintf("[%d lines above omitted]", merged[0].start-1))
	}
	last := 0
	for _, s := range merged {
		if last > 0 && s.start > last {
			out = append(out, fmt.Sprintf("\n[%d lines omitted]\n", s.start-last))
		}
		var b []string
		for n := s.start; n < s.stop && n <= len(lines); n++ {
			b = append(b, fmt.Sprintf("%6d: %s", n, lines[n-1]))
		}
		out = append(out, strings.Join(b, "\n"))
		last = s.stop
	}
	if shown := last - 1; shown < len(lines) {
		out = append(out, fmt.Sprintf("[%d lines below omitted]", len(lines)-shown))
	}
	return strings.Join(out, "\n")
}
