package ui

import (
	"fmt"
	"html/template"

	"github.com/ctxresearch/ctxsweep/stats"
)

var funcs = template.FuncMap{
	"pct": func(iv *stats.Interval) string {
		if iv == nil {
			return "–"
		}
		return fmt.Sprintf("%.1f%% [%.1f, %.1f]", 100*iv.Point, 100*iv.Lo, 100*iv.Hi)
	},
	"usd": func(iv *stats.Interval) string {
		if iv == nil {
			return "–"
		}
		return fmt.Sprintf("$%.4f [%.4f, %.4f]", iv.Point, iv.Lo, iv.Hi)
	},
	"money": func(v float64) string { return fmt.Sprintf("$%.4f", v) },
	"optf": func(v *float64, format string) string {
		if v == nil {
			return "–"
		}
		return fmt.Sprintf(format, *v)
	},
	"resolved": func(b *bool) string {
		switch {
		case b == nil:
			return "not evaluated"
		case *b:
			return "✔ resolved"
		}
		return "✘ not resolved"
	},
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
	"f1":  func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"total": func(n int) string {
		if n == 0 {
			return "?"
		}
		return fmt.Sprint(n)
	},
}
