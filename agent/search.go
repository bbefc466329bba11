package agent

import (
	"fmt"
	"strconv"
	"strings"
)

// The search tools run standard programs (find, grep, sort, uniq, awk) in
// the sandbox through scripts built here, and format their output here.
// Each script prints a header line (the resolved directory or file, or a
// NoDir/NoFile marker), the program output, and a total line, so that the
// counts stay right even when the listing is cut.

const (
	searchTotal  = "##ctxsweep-total##"
	searchNoDir  = "##ctxsweep-nodir##"
	searchNoFile = "##ctxsweep-nofile##"
	// MaxSearchResults is the seed's limit on matched files (search_dir)
	// and matched lines (search_file).
	MaxSearchResults = 100
)

func sq(s string) string { return shellQuote(s) }

// shellQuote quotes s as one bash word.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// cdScript enters the working directory (the repository when it is gone).
func cdScript(cwd, root string) string {
	return "cd " + sq(cwd) + " 2>/dev/null || cd " + sq(root) + " || exit 3; "
}

// FindFileScript lists the files named pattern (a find -name glob) under
// dir (relative to cwd).
func FindFileScript(cwd, root, dir, pattern string) string {
	return cdScript(cwd, root) + "[ -d " + sq(dir) + " ] || { echo " + sq(searchNoDir) + "; exit 0; }; " +
		"d=$(cd " + sq(dir) + " && pwd -P) || exit 3; printf '%s\\n' \"$d\"; " +
		"find \"$d\" -type f -name " + sq(pattern) + " 2>/dev/null | awk '{print} END {print \"" + searchTotal + " \" NR}'"
}

// SearchDirScript counts the lines matching term (a grep basic regular
// expression) in each non-hidden text file under dir.
func SearchDirScript(cwd, root, dir, term string) string {
	return cdScript(cwd, root) + "[ -d " + sq(dir) + " ] || { echo " + sq(searchNoDir) + "; exit 0; }; " +
		"d=$(cd " + sq(dir) + " && pwd -P) || exit 3; printf '%s\\n' \"$d\"; cd \"$d\" && " +
		"find . -type f ! -path '*/.*' -exec grep -nIH -- " + sq(term) + " {} + 2>/dev/null | cut -d: -f1 | sort | uniq -c | " +
		"awk -v max=" + strconv.Itoa(MaxSearchResults+1) + " 'NR<=max {print} {s+=$1} END {print \"" + searchTotal + " \" NR \" \" s+0}'"
}

// SearchFileScript lists the lines of file (absolute) matching term.
func SearchFileScript(cwd, root, file, term string) string {
	return cdScript(cwd, root) + "[ -f " + sq(file) + " ] || { echo " + sq(searchNoFile) + "; exit 0; }; " +
		"grep -n -- " + sq(term) + " " + sq(file) + " 2>/dev/null | " +
		"awk -v max=" + strconv.Itoa(MaxSearchResults+1) + " 'NR<=max {print} END {print \"" + searchTotal + " \" NR}'"
}

// scriptOutput splits a search script's output into body lines and the
// numbers of its total line (nil when the total line was cut off).
func scriptOutput(out string) ([]string, []int) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		lines = nil
	}
	var body []string
	var total []int
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, searchTotal+" "); ok {
			for _, f := range strings.Fields(rest) {
				n, _ := strconv.Atoi(f)
				total = append(total, n)
			}
			continue
		}
		body = append(body, l)
	}
	return body, total
}

// FindFileOutput formats find_file's result from its script output.
func FindFileOutput(dirArg, pattern, out string) string {
	body, total := scriptOutput(out)
	if len(body) > 0 && body[0] == searchNoDir {
		return fmt.Sprintf("Directory %s not found", dirArg)
	}
	if len(body) == 0 {
		return fmt.Sprintf("No matches found for \"%s\" in %s", pattern, dirArg)
	}
	dir, paths := body[0], body[1:]
	n := len(paths)
	if len(total) > 0 {
		n = total[0]
	}
	if n == 0 {
		return fmt.Sprintf("No matches found for \"%s\" in %s", pattern, dir)
	}
	return fmt.Sprintf("Found %d matches for \"%s\" in %s:\n%s", n, pattern, dir, strings.Join(paths, "\n"))
}

// SearchDirOutput formats search_dir's result from its script output.
func SearchDirOutput(dirArg, term, out string) string {
	body, total := scriptOutput(out)
	if len(body) > 0 && body[0] == searchNoDir {
		return fmt.Sprintf("Directory %s not found", dirArg)
	}
	if len(body) == 0 {
		return fmt.Sprintf("No matches found for \"%s\" in %s", term, dirArg)
	}
	dir := body[0]
	var rows []string
	files, matches := 0, 0
	for _, l := range body[1:] {
		count, path, ok := strings.Cut(strings.TrimSpace(l), " ")
		k, err := strconv.Atoi(count)
		if !ok || err != nil {
			continue
		}
		files++
		matches += k
		rows = append(rows, fmt.Sprintf("%s/%s (%d matches)", dir, strings.TrimPrefix(path, "./"), k))
	}
	if len(total) >= 2 {
		files, matches = total[0], total[1]
	}
	switch {
	case files == 0:
		return fmt.Sprintf("No matches found for \"%s\" in %s", term, dir)
	case files > MaxSearchResults:
		return fmt.Sprintf("More than %d files matched for \"%s\" in %s. Please narrow your search.", files, term, dir)
	}
	return fmt.Sprintf("Found %d matches for \"%s\" in %s:\n%s\nEnd of matches for \"%s\" in %s",
		matches, term, dir, strings.Join(rows, "\n"), term, dir)
}

// SearchFileOutput formats search_file's result from its script output;
// file is the absolute path searched, fileArg the name the model gave.
func SearchFileOutput(fileArg, file, term, out string) string {
	body, total := scriptOutput(out)
	if len(body) > 0 && body[0] == searchNoFile {
		return fmt.Sprintf("Usage: search_file <search_term> [<file>]\nError: File name %s not found. Please provide a valid file name.", fileArg)
	}
	var rows []string
	for _, l := range body {
		num, text, ok := strings.Cut(l, ":")
		if _, err := strconv.Atoi(num); !ok || err != nil {
			continue
		}
		rows = append(rows, "Line "+num+":"+text)
	}
	n := len(rows)
	if len(total) > 0 {
		n = total[0]
	}
	switch {
	case n == 0:
		return fmt.Sprintf("No matches found for \"%s\" in %s", term, file)
	case n > MaxSearchResults:
		return fmt.Sprintf("More than %d lines matched for \"%s\" in %s. Please narrow your search.", n, term, file)
	}
	return fmt.Sprintf("Found %d matches for \"%s\" in %s:\n%s\nEnd of matches for \"%s\" in %s",
		n, term, file, strings.Join(rows, "\n"), term, file)
}
