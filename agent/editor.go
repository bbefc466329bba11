package agent

import (
	"fmt"
	"strings"
)

// EditResult is the outcome of an edit or insert on a file's text.
type EditResult struct {
	Doc     Doc    // the file after the change (unchanged when Failed)
	Message string // the tool output before the window, or the whole error
	// Failed: nothing was changed; the seed prints these errors with its
	// retry-with-output token (the model is re-queried with the output).
	Failed bool
	// Changed lines, 1-based, for telling new lint errors from old ones:
	// lines From..To of the old text became Lines lines.
	From, To, Lines int
	// All: a replace-all edit (line numbers of old lint errors cannot be
	// followed).
	All bool
}

// Edit messages (our wording of the seed's edit_replace tool).
const (
	editSameMsg     = "Your search and replace strings are the same. No changes were made. Please change your search or replace string."
	editEmptyMsg    = "Your edit was not applied (file not modified): the search string is empty."
	editNotFoundMsg = "Your edit was not applied (file not modified): Text %s not found in the displayed lines (or anywhere in the file).\nPlease change your search string. Did you get the whitespace or indentation wrong?\nYou can also call `open` again to show the file with the right context."
	editElsewhere   = "Your edit was not applied (file not modified): Text %s not found in the displayed lines.\n\nIt occurs elsewhere in the file:\n\n%s\n\nUse `goto` to move the window to one of these lines, then run the edit again."
	editMultipleMsg = "Your edit was not applied (file not modified): Found more than one occurrence of %s in the displayed lines.\nPlease make your search string more specific (for example, include more lines of context)."
	editReviewList  = "Please review the changes and make sure they are correct:\n\n1. The edited file is correctly indented\n2. The edited file does not contain duplicate lines\n3. The edit does not break existing functionality\n\nEdit the file again if necessary."
)

// pyRepr renders s like Python's repr() of a str (enough for messages).
func pyRepr(s string) string {
	q := "'"
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = `"`
	}
	r := strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	out := r.Replace(s)
	if q == "'" {
		out = strings.ReplaceAll(out, "'", `\'`)
	}
	return q + out + q
}

// ParseBool reads the edit tool's replace-all flag.
//
// Fix (seed bug): the seed parses the rendered flag with Python's
// bool(str), so "False" also means replace-all; here only true values
// (true, True, 1, yes) do.
func ParseBool(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "y", "on":
		return true
	}
	return false
}

// Edit replaces search with replace: the single occurrence in the displayed
// window, or with all every occurrence in the file (seed-system §4.3).
func (w Window) Edit(d Doc, search, replace string, all bool) EditResult {
	fail := func(msg string) EditResult { return EditResult{Doc: d, Message: msg, Failed: true} }
	switch {
	case search == replace:
		return fail(editSameMsg)
	case search == "":
		return fail(editEmptyMsg)
	}
	if all {
		k := strings.Count(d.Text, search)
		if k == 0 {
			return fail(fmt.Sprintf(editNotFoundMsg, pyRepr(search)))
		}
		at := strings.Index(d.Text, search)
		line := strings.Count(d.Text[:at], "\n")
		nd := d
		nd.Text = strings.ReplaceAll(d.Text, search, replace)
		nd.First = w.Clamp(w.GotoFirst(line), CountLines(nd.Text))
		return EditResult{Doc: nd, All: true, Message: fmt.Sprintf("Replaced %d occurrence(s). %s", k, editReviewList),
			From: line + 1, To: line + strings.Count(search, "\n") + 1, Lines: strings.Count(replace, "\n") + 1}
	}
	win := w.WindowText(d)
	switch strings.Count(win, search) {
	case 0:
		var at []string
		for i, rest := 0, d.Text; ; {
			j := strings.Index(rest, search)
			if j < 0 {
				break
			}
			at = append(at, fmt.Sprintf("- line %d", strings.Count(d.Text[:i+j], "\n")+1))
			i += j + len(search)
			rest = d.Text[i:]
		}
		if len(at) == 0 {
			return fail(fmt.Sprintf(editNotFoundMsg, pyRepr(search)))
		}
		return fail(fmt.Sprintf(editElsewhere, pyRepr(search), strings.Join(at, "\n")))
	case 1:
	default:
		return fail(fmt.Sprintf(editMultipleMsg, pyRepr(search)))
	}
	start, end := w.Range(d)
	idx := strings.Index(win, search)
	line := start + strings.Count(win[:idx], "\n")
	newWin := strings.Replace(win, search, replace, 1)
	lines := strings.Split(d.Text, "\n")
	var repl []string
	if newWin != "" {
		repl = strings.Split(newWin, "\n")
	}
	end = min(end, len(lines)-1)
	out := append(append(append([]string{}, lines[:start]...), repl...), lines[end+1:]...)
	nd := d
	nd.Text = strings.Join(out, "\n")
	nd.First = w.Clamp(w.GotoFirst(line), CountLines(nd.Text))
	return EditResult{Doc: nd, Message: "Text replaced. " + editReviewList,
		From: line + 1, To: line + strings.Count(search, "\n") + 1, Lines: strings.Count(replace, "\n") + 1}
}

// Insert adds text to the file: after line lineArg (1-based) or, when
// lineArg is "", at the end of the file. One trailing newline of text is
// dropped, as the seed does.
//
// Fix (seed bug): the seed inserts *before* line N although its description
// says "after"; here `insert text N` makes text start at line N+1 (0 puts
// it at the top). Fix: appending keeps the file's final newline, which the
// seed drops.
func (w Window) Insert(d Doc, text, lineArg string) EditResult {
	if lineArg != "" {
		if _, ok := pyInt(lineArg); !ok {
			return EditResult{Doc: d, Failed: true, Message: "Usage: insert <text> [<line>]\nError: <line> must be a number"}
		}
	}
	if text == "" {
		return EditResult{Doc: d, Message: ""}
	}
	text = strings.TrimSuffix(text, "\n")
	n := CountLines(d.Text)
	nd := d
	var at int // 0-based first inserted line
	if lineArg == "" {
		at = n
		switch {
		case d.Text == "":
			nd.Text = text
		case strings.HasSuffix(d.Text, "\n"):
			nd.Text = d.Text + text + "\n"
		default:
			nd.Text = d.Text + "\n" + text
		}
	} else {
		after, _ := pyInt(lineArg)
		lines := strings.Split(d.Text, "\n")
		if d.Text == "" {
			lines = nil
		}
		at = max(0, min(after, n, len(lines)))
		out := append(append(append([]string{}, lines[:at]...), text), lines[at:]...)
		nd.Text = strings.Join(out, "\n")
		if d.Text == "" {
			nd.Text = text
		}
	}
	nd.First = w.Clamp(w.GotoFirst(at), CountLines(nd.Text))
	return EditResult{Doc: nd, From: at + 1, To: at, Lines: strings.Count(text, "\n") + 1}
}
