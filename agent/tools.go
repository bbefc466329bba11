package agent

import "fmt"

// Tools is the full tool bundle with the paper's window (WINDOW=100,
// OVERLAP=2), in the seed's order (§4.2).
func Tools() []Tool { return ToolsFor(DefaultWindow) }

// ToolsFor is the full tool bundle, in the seed's order: bash, goto, open,
// create, scroll_up, scroll_down, find_file, search_dir, search_file, edit,
// insert, submit.
//
// Fix (seed quirk): the seed sends descriptions with unformatted {WINDOW}
// placeholders; ours carry the configured numbers.
func ToolsFor(w Window) []Tool {
	str := func(name, desc string, req bool) Param {
		return Param{Name: name, Type: "string", Description: desc, Required: req}
	}
	num := func(name, desc string, req bool) Param {
		return Param{Name: name, Type: "integer", Description: desc, Required: req}
	}
	return []Tool{
		bashTool(),
		{Name: "goto", Signature: "goto <line_number>", Description: "moves the window to show <line_number>",
			Params: []Param{num("line_number", "the line number to move the window to", true)}},
		{Name: "open", Signature: `open "<path>" [<line_number>]`,
			Description: "opens the file at the given path in the editor. If line_number is provided, the window will be moved to include that line",
			Params: []Param{str("path", "the path to the file to open", true),
				num("line_number", "the line number to move the window to (if not provided, the window will start at the top of the file)", false)}},
		{Name: "create", Signature: "create <filename>", Description: "creates and opens a new file with the given name",
			Params: []Param{str("filename", "the name of the file to create", true)}},
		{Name: "scroll_up", Signature: "scroll_up", Description: fmt.Sprintf("moves the window up %d lines", w.Size-w.Overlap)},
		{Name: "scroll_down", Signature: "scroll_down", Description: fmt.Sprintf("moves the window down %d lines", w.Size-w.Overlap)},
		{Name: "find_file", Signature: "find_file <file_name> [<dir>]",
			Description: "finds all files with the given name or pattern in dir. If dir is not provided, searches in the current directory",
			Params: []Param{str("file_name", "the name of the file or pattern to search for. supports shell-style wildcards (e.g. *.py)", true),
				str("dir", "the directory to search in (if not provided, searches in the current directory)", false)}},
		{Name: "search_dir", Signature: "search_dir <search_term> [<dir>]",
			Description: "searches for search_term in all files in dir. If dir is not provided, searches in the current directory",
			Params: []Param{str("search_term", "the term to search for", true),
				str("dir", "the directory to search in (if not provided, searches in the current directory)", false)}},
		{Name: "search_file", Signature: "search_file <search_term> [<file>]",
			Description: "searches for search_term in file. If file is not provided, searches in the current open file",
			Params: []Param{str("search_term", "the term to search for", true),
				str("file", "the file to search in (if not provided, searches in the current open file)", false)}},
		{Name: "edit", Signature: "edit <search> <replace> [<replace-all>]",
			Description: fmt.Sprintf("Replaces the occurrence of <search> with <replace> in the %d lines currently displayed (it must occur there exactly once). "+
				"If replace-all is true, replaces every occurrence in the whole file.\n"+
				"Always include the exact whitespace and indentation in both strings. When you add an if/with/try statement, "+
				"indent the block that follows and include it in both strings. Python files are checked for syntax errors "+
				"after the edit, and an edit that introduces one is not applied.", w.Size),
			Params: []Param{str("search", "the text to search for", true),
				str("replace", "the text to replace the search with", true),
				{Name: "replace-all", Type: "boolean", Description: "replace all occurrences in the file rather than the one in the displayed lines"}}},
		{Name: "insert", Signature: "insert <text> [<line>]",
			Description: "Inserts <text> at the end of the currently open file, or after line <line> if given (0 inserts at the top).",
			Params: []Param{str("text", "the text to insert", true),
				num("line", "the line number after which to insert the text", false)}},
		submitTool(),
	}
}

func bashTool() Tool {
	return Tool{Name: "bash", Description: "runs the given command directly in bash", Params: []Param{
		{Name: "command", Type: "string", Description: "The bash command to execute.", Required: true}}}
}

func submitTool() Tool {
	return Tool{Name: "submit", Signature: "submit", Description: "submits the current file changes (git diff of the repository) as your solution"}
}
