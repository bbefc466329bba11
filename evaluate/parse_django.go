package evaluate

import (
	"regexp"
	"strings"
)

// djangoPassSuffixes end a passing verbose line, tried in this order.
var djangoPassSuffixes = []string{" ... ok", " ... OK", " ...  OK"}

// djangoMigrationGlue is the one line the harness un-glues
// (django__django-7188): migration progress printed before the test name.
const djangoMigrationGlue = "Applying sites.0002_alter_domain_unique...test_no_migrations"

// djangoMultiline are the harness's three patterns for a verdict split
// from its test by a long print. \s is Python's (it includes U+001C..1F);
// the captured name is kept as it is, unstripped.
var djangoMultiline = []*regexp.Regexp{
	regexp.MustCompile(`(?m)^(.*?)` + pySpaceClass + `\.\.\.` + pySpaceClass + `Testing against Django installed in ((?s:.*?)) silenced\)\.\nok$`),
	regexp.MustCompile(`(?m)^(.*?)` + pySpaceClass + `\.\.\.` + pySpaceClass + `Internal Server Error: /(.*)/\nok$`),
	regexp.MustCompile(`(?m)^(.*?)` + pySpaceClass + `\.\.\.` + pySpaceClass + `System check identified no issues \(0 silenced\)\nok$`),
}

// parseDjango is parse_log_django (the same in v4.1 and v5). Each line is
// stripped of Python whitespace and then, in this order:
//   - a line containing "--version is equivalent to version" passes that
//     name;
//   - a line containing " ... " makes the text before its first " ... "
//     the pending test;
//   - a line ending in " ... ok", " ... OK" or " ...  OK" passes the text
//     before that ending (the one hard-coded migration line is un-glued
//     first, and the rest of the checks see the un-glued line);
//   - " ... skipped" anywhere skips the text before its first occurrence;
//   - a line ending in " ... FAIL" / " ... ERROR" fails / errors the text
//     before the first " ... FAIL" / " ... ERROR";
//   - a line starting "FAIL:" / "ERROR:" fails / errors its second field
//     (the harness raises IndexError when there is none);
//   - any line starting with "ok" (so "okay" too) passes the pending test.
//
// Then the three multi-line patterns run over the whole text.
func parseDjango(log string, out *parsed) {
	prev, havePrev := "", false
	eachLine(log, func(n int, line string) {
		line = pyStrip(line)
		if strings.Contains(line, "--version is equivalent to version") {
			out.set("--version is equivalent to version", StatusPassed)
		}
		if before, _, ok := strings.Cut(line, " ... "); ok {
			prev, havePrev = before, true
		}
		for _, suffix := range djangoPassSuffixes {
			if strings.HasSuffix(line, suffix) {
				if strings.HasPrefix(pyStrip(line), djangoMigrationGlue) {
					_, after, _ := strings.Cut(line, "...")
					line = pyStrip(after)
				}
				out.set(rsplitFirst(line, suffix), StatusPassed)
				break
			}
		}
		if before, _, ok := strings.Cut(line, " ... skipped"); ok {
			out.set(before, StatusSkipped)
		}
		if strings.HasSuffix(line, " ... FAIL") {
			before, _, _ := strings.Cut(line, " ... FAIL")
			out.set(before, StatusFailed)
		}
		if strings.HasPrefix(line, "FAIL:") {
			if f, ok := pyField(line, 1); ok {
				out.set(f, StatusFailed)
			} else {
				out.raises("parse_log_django", n, line)
			}
		}
		if strings.HasSuffix(line, " ... ERROR") {
			before, _, _ := strings.Cut(line, " ... ERROR")
			out.set(before, StatusError)
		}
		if strings.HasPrefix(line, "ERROR:") {
			if f, ok := pyField(line, 1); ok {
				out.set(f, StatusError)
			} else {
				out.raises("parse_log_django", n, line)
			}
		}
		if strings.HasPrefix(pyLStrip(line), "ok") && havePrev {
			out.set(prev, StatusPassed)
		}
	})
	for _, re := range djangoMultiline {
		for _, sm := range re.FindAllStringSubmatch(log, -1) {
			out.set(sm[1], StatusPassed)
		}
	}
}

// rsplitFirst is Python's s.rsplit(sep, 1)[0]: s up to the last sep, or
// all of s when there is none.
func rsplitFirst(s, sep string) string {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i]
	}
	return s
}

// parseUnittest is our parse_log_unittest (no harness has it): parseDjango,
// then, since Python >= 3.11 names tests "name (module.Class.name)", every
// "name (module.Class)" key is also filed under the other form and the
// other way round (never over a key the log gave itself).
func parseUnittest(log string, out *parsed) {
	parseDjango(log, out)
	var add []string
	aliases := map[string]Status{}
	for _, k := range out.order {
		sm := unittestID.FindStringSubmatch(k)
		if sm == nil {
			continue
		}
		name, inner := sm[1], sm[2]
		alias := name + " (" + inner + "." + name + ")"
		if owner, ok := strings.CutSuffix(inner, "."+name); ok && strings.Contains(owner, ".") {
			alias = name + " (" + owner + ")"
		}
		if _, exists := out.m[alias]; !exists {
			if _, dup := aliases[alias]; !dup {
				add = append(add, alias)
			}
			aliases[alias] = out.m[k]
		}
	}
	for _, k := range add {
		out.set(k, aliases[k])
	}
}

// unittestID matches "name (dotted.path)" test descriptions.
var unittestID = regexp.MustCompile(`^([A-Za-z_]\w*) \(([A-Za-z_][\w.]*)\)$`)
