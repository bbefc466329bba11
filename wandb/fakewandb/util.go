package fakewandb

import (
	"encoding/base64"
	"net/url"
	"strings"
)

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i := range parts {
		parts[i] = url.PathEscape(parts[i])
	}
	return strings.Join(parts, "/")
}

func vstr(v map[string]any, k string) string { s, _ := v[k].(string); return s }

func setStr(v map[string]any, k string, dst *string) {
	if s, ok := v[k].(string); ok {
		*dst = s
	}
}

func strList(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, x...)
	}
	return out
}

func appendNew(list []string, items ...string) []string {
	for _, it := range items {
		found := false
		for _, e := range list {
			found = found || e == it
		}
		if !found {
			list = append(list, it)
		}
	}
	return list
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
