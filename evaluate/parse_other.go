package evaluate

import (
	"regexp"
	"strings"
)

// sympyFailHeader is the harness's `(_*) (.*)\.py:(.*) (_*)`, searched
// over the whole text: any " <a>.py:<b> " on a line (the underscores may
// be absent), greedy on both sides.
var sympyFailHeader = regexp.MustCompile(`(_*) (.*)\.py:(.*) (_*)`)

// parseSympy is parse_log_sympy (the same in v4.1 and v5), for
// `bin/test -C --verbose` output: every sympyFailHeader match files
// "<a>.py:<b>" as FAILED; then each stripped line that starts with "test_"
// and ends in " E", " F" or " ok" files its first field as ERROR, FAILED
// or PASSED. Other verdicts (s, f, X, w) are not read.
func parseSympy(log string, out *parsed) {
	for _, sm := range sympyFailHeader.FindAllStringSubmatch(log, -1) {
		out.set(sm[2]+".py:"+sm[3], StatusFailed)
	}
	eachLine(log, func(_ int, line string) {
		line = pyStrip(line)
		if !strings.HasPrefix(line, "test_") {
			return
		}
		name, _ := pyField(line, 0)
		if strings.HasSuffix(line, " E") {
			out.set(name, StatusError)
		}
		if strings.HasSuffix(line, " F") {
			out.set(name, StatusFailed)
		}
		if strings.HasSuffix(line, " ok") {
			out.set(name, StatusPassed)
		}
	})
}

// parseSeaborn is parse_log_seaborn (the same in v4.1 and v5), on
// unstripped lines: a line starting "FAILED" fails its second field; else
// a line containing " PASSED " passes its first field when its second is
// "PASSED"; else a line starting "PASSED" passes its second field. The
// harness raises IndexError when the field it reads is missing (a bare
// "FAILED", a line whose only field is PASSED).
func parseSeaborn(log string, out *parsed) {
	eachLine(log, func(n int, line string) {
		switch {
		case strings.HasPrefix(line, "FAILED"):
			if f, ok := pyField(line, 1); ok {
				out.set(f, StatusFailed)
			} else {
				out.raises("parse_log_seaborn", n, line)
			}
		case strings.Contains(line, " PASSED "):
			parts := pySplit(line)
			if len(parts) < 2 {
				out.raises("parse_log_seaborn", n, line)
			} else if parts[1] == "PASSED" {
				out.set(parts[0], StatusPassed)
			}
		case strings.HasPrefix(line, "PASSED"):
			if f, ok := pyField(line, 1); ok {
				out.set(f, StatusPassed)
			} else {
				out.raises("parse_log_seaborn", n, line)
			}
		}
	})
}
