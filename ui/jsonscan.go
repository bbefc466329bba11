package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// span is the bytes [lo, hi) of one JSON value in a document; the zero
// span is an absent value.
type span struct{ lo, hi int }

func (s span) ok() bool { return s.hi > s.lo }

// scanner walks a JSON document once, without decoding it: it checks the
// structure and hands out the spans of the values a caller asks for, so
// only what a page shows is ever unescaped (a 36 MB .traj is scanned in
// tens of milliseconds; encoding/json takes about a second to decode it).
type scanner struct {
	b     []byte
	depth int
}

const maxDepth = 10000

func (sc *scanner) errAt(i int, format string, a ...any) error {
	return fmt.Errorf("offset %d: %s", i, fmt.Sprintf(format, a...))
}

// unexpected names the end of the data, or what was wanted at i.
func (sc *scanner) unexpected(i int, want string) error {
	if i >= len(sc.b) {
		return sc.errAt(i, "unexpected end of data")
	}
	return sc.errAt(i, "%s", want)
}

func (sc *scanner) ws(i int) int {
	for i < len(sc.b) {
		switch sc.b[i] {
		case ' ', '\n', '\t', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// str skips the string starting at b[i] == '"' and returns the index after
// its closing quote.
func (sc *scanner) str(i int) (int, error) {
	j := i + 1
	for {
		k := bytes.IndexByte(sc.b[j:], '"')
		if k < 0 {
			return 0, sc.errAt(i, "unterminated string")
		}
		j += k
		n := 0
		for p := j - 1; p > i && sc.b[p] == '\\'; p-- {
			n++
		}
		j++
		if n%2 == 0 {
			return j, nil
		}
	}
}

// value skips the value at i (after optional white space) and returns
// the index after it.
func (sc *scanner) value(i int) (int, error) {
	i = sc.ws(i)
	if i >= len(sc.b) {
		return 0, sc.errAt(i, "unexpected end of data")
	}
	switch c := sc.b[i]; c {
	case '"':
		return sc.str(i)
	case '{':
		return sc.object(i, func(_ []byte, at int) (int, error) { return sc.value(at) })
	case '[':
		return sc.array(i, sc.value)
	default:
		j := i
		for j < len(sc.b) && literalByte(sc.b[j]) {
			j++
		}
		if j == i {
			return 0, sc.errAt(i, "unexpected character %q", c)
		}
		return j, nil
	}
}

func literalByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-' || c == '+' || c == '.' || c == 'E'
}

// object walks the object at i: field parses each member's value (at the
// index after the colon) and returns the index after it.
func (sc *scanner) object(i int, field func(key []byte, at int) (int, error)) (int, error) {
	i = sc.ws(i)
	if i >= len(sc.b) || sc.b[i] != '{' {
		return 0, sc.errAt(i, "want an object")
	}
	if sc.depth++; sc.depth > maxDepth {
		return 0, sc.errAt(i, "nested too deeply")
	}
	defer func() { sc.depth-- }()
	i = sc.ws(i + 1)
	if i < len(sc.b) && sc.b[i] == '}' {
		return i + 1, nil
	}
	for {
		i = sc.ws(i)
		if i >= len(sc.b) || sc.b[i] != '"' {
			return 0, sc.errAt(i, "want a member name")
		}
		ke, err := sc.str(i)
		if err != nil {
			return 0, err
		}
		key := sc.b[i+1 : ke-1]
		i = sc.ws(ke)
		if i >= len(sc.b) || sc.b[i] != ':' {
			return 0, sc.errAt(i, "want ':' after a member name")
		}
		if i, err = field(key, sc.ws(i+1)); err != nil {
			return 0, err
		}
		i = sc.ws(i)
		if i < len(sc.b) && sc.b[i] == ',' {
			i++
			continue
		}
		if i < len(sc.b) && sc.b[i] == '}' {
			return i + 1, nil
		}
		return 0, sc.unexpected(i, "want ',' or '}' in an object")
	}
}

// array walks the array at i: elem parses each element and returns the
// index after it.
func (sc *scanner) array(i int, elem func(at int) (int, error)) (int, error) {
	i = sc.ws(i)
	if i >= len(sc.b) || sc.b[i] != '[' {
		return 0, sc.errAt(i, "want a list")
	}
	if sc.depth++; sc.depth > maxDepth {
		return 0, sc.errAt(i, "nested too deeply")
	}
	defer func() { sc.depth-- }()
	i = sc.ws(i + 1)
	if i < len(sc.b) && sc.b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = elem(sc.ws(i)); err != nil {
			return 0, err
		}
		i = sc.ws(i)
		if i < len(sc.b) && sc.b[i] == ',' {
			i++
			continue
		}
		if i < len(sc.b) && sc.b[i] == ']' {
			return i + 1, nil
		}
		return 0, sc.unexpected(i, "want ',' or ']' in a list")
	}
}

// keep records the span of the value at i.
func (sc *scanner) keep(dst *span, at int) (int, error) {
	end, err := sc.value(at)
	if err == nil {
		*dst = span{at, end}
	}
	return end, err
}

// decodeString decodes a string value; other values (null, numbers,
// absent) give "". It unescapes directly, falling back on encoding/json
// for what it does not handle itself (invalid escapes or UTF-8).
func decodeString(b []byte, s span) string {
	if !s.ok() || b[s.lo] != '"' || s.hi-s.lo < 2 {
		return ""
	}
	raw := b[s.lo+1 : s.hi-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw)
	}
	if out, ok := unescape(raw); ok {
		return out
	}
	var out string
	_ = json.Unmarshal(b[s.lo:s.hi], &out)
	return out
}

// unescape decodes the JSON escapes of a string's bytes (without quotes).
func unescape(raw []byte) (string, bool) {
	out := make([]byte, 0, len(raw))
	for {
		k := bytes.IndexByte(raw, '\\')
		if k < 0 {
			out = append(out, raw...)
			break
		}
		out = append(out, raw[:k]...)
		raw = raw[k:]
		if len(raw) < 2 {
			return "", false
		}
		switch c := raw[1]; c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw[2:])
			if !ok {
				return "", false
			}
			raw = raw[6:]
			if utf16.IsSurrogate(r) {
				r2, ok := rune(-1), false
				if len(raw) >= 6 && raw[0] == '\\' && raw[1] == 'u' {
					r2, ok = hex4(raw[2:])
				}
				if d := utf16.DecodeRune(r, r2); ok && d != utf8.RuneError {
					r, raw = d, raw[6:]
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return "", false
		}
		raw = raw[2:]
	}
	if !utf8.Valid(out) {
		return "", false
	}
	return string(out), true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
