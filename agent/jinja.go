package agent

import (
	"fmt"
	"strconv"
	"strings"
)

// The subset of Jinja2 the seed's templates can use besides {{name}}
// substitution: the function-calling parser's format-error template
// branches on error_code with {% if %} / {% elif %} / {% else %} /
// {% endif %}. Conditions are `name`, `not name`, `name == "text"` and
// `name != "text"`; {{- -}} and {%- -%} strip the white space next to
// them, {# ... #} is a comment, as in Jinja2 with its default settings.
// An undefined variable renders empty in these templates, as in Jinja2.

type jnode struct {
	text     string // literal text, when not an expression or a block
	expr     string // {{ name }}
	branches []jbranch
}

type jbranch struct {
	cond string // "" for else
	body []jnode
}

type jtoken struct {
	kind   byte // 't' text, 'e' expression, 'b' block tag
	val    string
	lstrip bool
	rstrip bool
}

// hasJinjaBlocks reports whether a template needs the Jinja subset.
func hasJinjaBlocks(tmpl string) bool {
	return strings.Contains(tmpl, "{%") || strings.Contains(tmpl, "{#") ||
		strings.Contains(tmpl, "{{-") || strings.Contains(tmpl, "-}}")
}

func jinjaTokens(tmpl string) ([]jtoken, error) {
	var toks []jtoken
	rest := tmpl
	for rest != "" {
		i := -1
		for _, open := range []string{"{{", "{%", "{#"} {
			if j := strings.Index(rest, open); j >= 0 && (i < 0 || j < i) {
				i = j
			}
		}
		if i < 0 {
			toks = append(toks, jtoken{kind: 't', val: rest})
			break
		}
		if i > 0 {
			toks = append(toks, jtoken{kind: 't', val: rest[:i]})
		}
		open := rest[i : i+2]
		closer := map[string]string{"{{": "}}", "{%": "%}", "{#": "#}"}[open]
		end := strings.Index(rest[i+2:], closer)
		if end < 0 {
			return nil, fmt.Errorf("unclosed %s", open)
		}
		inner := rest[i+2 : i+2+end]
		rest = rest[i+2+end+2:]
		t := jtoken{kind: map[string]byte{"{{": 'e', "{%": 'b', "{#": 'c'}[open]}
		if strings.HasPrefix(inner, "-") {
			t.lstrip, inner = true, inner[1:]
		}
		if strings.HasSuffix(inner, "-") {
			t.rstrip, inner = true, inner[:len(inner)-1]
		}
		t.val = strings.TrimSpace(inner)
		toks = append(toks, t)
	}
	// White-space control.
	for i, t := range toks {
		if t.kind == 't' {
			continue
		}
		if t.lstrip && i > 0 && toks[i-1].kind == 't' {
			toks[i-1].val = strings.TrimRight(toks[i-1].val, " \t\r\n")
		}
		if t.rstrip && i+1 < len(toks) && toks[i+1].kind == 't' {
			toks[i+1].val = strings.TrimLeft(toks[i+1].val, " \t\r\n")
		}
	}
	return toks, nil
}

// parseJinja builds the template's tree.
func parseJinja(tmpl string) ([]jnode, error) {
	toks, err := jinjaTokens(tmpl)
	if err != nil {
		return nil, err
	}
	nodes, i, stop, err := parseJinjaNodes(toks, 0)
	if err != nil {
		return nil, err
	}
	if stop != "" || i != len(toks) {
		return nil, fmt.Errorf("{%% %s %%} without {%% if %%}", stop)
	}
	return nodes, nil
}

// parseJinjaNodes parses until an elif/else/endif tag, which it returns.
func parseJinjaNodes(toks []jtoken, i int) ([]jnode, int, string, error) {
	var out []jnode
	for i < len(toks) {
		t := toks[i]
		switch t.kind {
		case 't':
			out = append(out, jnode{text: t.val})
		case 'c':
		case 'e':
			if !isJinjaName(t.val) {
				return nil, i, "", fmt.Errorf("{{ %s }}: only variable names are supported", t.val)
			}
			out = append(out, jnode{expr: t.val})
		case 'b':
			word, arg, _ := strings.Cut(t.val, " ")
			switch word {
			case "elif", "else", "endif":
				return out, i, t.val, nil
			case "if":
				n, next, err := parseJinjaIf(toks, i, strings.TrimSpace(arg))
				if err != nil {
					return nil, i, "", err
				}
				out, i = append(out, n), next
				continue
			default:
				return nil, i, "", fmt.Errorf("{%% %s %%}: only if, elif, else and endif are supported", t.val)
			}
		}
		i++
	}
	return out, i, "", nil
}

func parseJinjaIf(toks []jtoken, i int, cond string) (jnode, int, error) {
	var n jnode
	for {
		if err := checkJinjaCond(cond); err != nil {
			return n, i, err
		}
		body, j, stop, err := parseJinjaNodes(toks, i+1)
		if err != nil {
			return n, i, err
		}
		n.branches = append(n.branches, jbranch{cond: cond, body: body})
		word, arg, _ := strings.Cut(stop, " ")
		switch word {
		case "endif":
			return n, j + 1, nil
		case "elif":
			cond, i = strings.TrimSpace(arg), j
		case "else":
			body, k, stop2, err := parseJinjaNodes(toks, j+1)
			if err != nil {
				return n, i, err
			}
			if stop2 != "endif" {
				return n, i, fmt.Errorf("{%% else %%} not followed by {%% endif %%}")
			}
			n.branches = append(n.branches, jbranch{body: body})
			return n, k + 1, nil
		default:
			return n, i, fmt.Errorf("{%% if %s %%} without {%% endif %%}", cond)
		}
	}
}

func isJinjaName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// jinjaCond splits a condition: name, operator ("", "not", "==", "!="), literal.
func jinjaCond(c string) (name, op, lit string, err error) {
	if rest, ok := strings.CutPrefix(c, "not "); ok {
		name, op = strings.TrimSpace(rest), "not"
	} else if a, b, ok := strings.Cut(c, "=="); ok {
		name, op, lit = strings.TrimSpace(a), "==", strings.TrimSpace(b)
	} else if a, b, ok := strings.Cut(c, "!="); ok {
		name, op, lit = strings.TrimSpace(a), "!=", strings.TrimSpace(b)
	} else {
		name = c
	}
	if !isJinjaName(name) {
		return "", "", "", fmt.Errorf("{%% if %s %%}: conditions are `name`, `not name`, `name == \"text\"` or `name != \"text\"`", c)
	}
	if op == "==" || op == "!=" {
		if len(lit) >= 2 && lit[0] == '\'' && lit[len(lit)-1] == '\'' {
			lit = `"` + strings.ReplaceAll(lit[1:len(lit)-1], `"`, `\"`) + `"`
		}
		if lit, err = strconv.Unquote(lit); err != nil {
			return "", "", "", fmt.Errorf("{%% if %s %%}: compare with a quoted string", c)
		}
	}
	return name, op, lit, nil
}

func checkJinjaCond(c string) error { _, _, _, err := jinjaCond(c); return err }

func renderJinja(nodes []jnode, vars map[string]string, b *strings.Builder) {
	for _, n := range nodes {
		switch {
		case n.branches != nil:
			for _, br := range n.branches {
				if br.cond == "" || jinjaTrue(br.cond, vars) {
					renderJinja(br.body, vars, b)
					break
				}
			}
		case n.expr != "":
			b.WriteString(vars[n.expr])
		default:
			b.WriteString(n.text)
		}
	}
}

func jinjaTrue(c string, vars map[string]string) bool {
	name, op, lit, _ := jinjaCond(c) // checked when parsed
	v, ok := vars[name]
	switch op {
	case "not":
		return !ok || v == ""
	case "==":
		return ok && v == lit
	case "!=":
		return !ok || v != lit
	}
	return ok && v != ""
}
