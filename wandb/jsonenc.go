package wandb

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
)

// W&B writes non-finite floats as the bare tokens NaN, Infinity and
// -Infinity, which encoding/json refuses. marshalLine and decodeLenient
// translate them through marker strings.
var nonFiniteTokens = map[string]string{
	"\x00wandb:NaN":  "NaN",
	"\x00wandb:+Inf": "Infinity",
	"\x00wandb:-Inf": "-Infinity",
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// marshalLine encodes v as one line of JSON, writing non-finite floats as
// W&B's bare tokens. Map keys are sorted, so equal values give equal bytes.
func marshalLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(sanitize(reflect.ValueOf(v))); err != nil {
		return nil, err
	}
	out := bytes.TrimRight(buf.Bytes(), "\n")
	for marker, tok := range nonFiniteTokens {
		quoted, _ := json.Marshal(marker)
		out = bytes.ReplaceAll(out, quoted, []byte(tok))
	}
	return out, nil
}

// sanitize copies maps and slices, replacing non-finite floats with markers.
func sanitize(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type().Implements(marshalerType) && v.Kind() != reflect.Interface {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return sanitize(v.Elem())
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			return "\x00wandb:NaN"
		case math.IsInf(f, 1):
			return "\x00wandb:+Inf"
		case math.IsInf(f, -1):
			return "\x00wandb:-Inf"
		}
		return v.Interface()
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.IsNil() {
			return v.Interface()
		}
		m := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			m[it.Key().String()] = sanitize(it.Value())
		}
		return m
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && (v.IsNil() || v.Type().Elem().Kind() == reflect.Uint8) {
			return v.Interface()
		}
		s := make([]any, v.Len())
		for i := range s {
			s[i] = sanitize(v.Index(i))
		}
		return s
	}
	return v.Interface()
}

// decodeLenient decodes JSON that may contain bare NaN/Infinity tokens,
// restoring them as float64 values.
func decodeLenient(data []byte, out *any) error {
	if err := json.Unmarshal(substituteTokens(data), out); err != nil {
		return err
	}
	*out = restore(*out)
	return nil
}

// substituteTokens quotes bare non-finite tokens outside string literals.
func substituteTokens(data []byte) []byte {
	if !bytes.Contains(data, []byte("NaN")) && !bytes.Contains(data, []byte("Infinity")) {
		return data
	}
	var out bytes.Buffer
	inStr, esc := false, false
	for i := 0; i < len(data); i++ {
		ch := data[i]
		if inStr {
			out.WriteByte(ch)
			switch {
			case esc:
				esc = false
			case ch == '\\':
				esc = true
			case ch == '"':
				inStr = false
			}
			continue
		}
		replaced := false
		for marker, tok := range nonFiniteTokens {
			if bytes.HasPrefix(data[i:], []byte(tok)) {
				q, _ := json.Marshal(marker)
				out.Write(q)
				i += len(tok) - 1
				replaced = true
				break
			}
		}
		if !replaced {
			if ch == '"' {
				inStr = true
			}
			out.WriteByte(ch)
		}
	}
	return out.Bytes()
}

// restore turns marker strings back into non-finite floats.
func restore(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = restore(e)
		}
	case []any:
		for i, e := range x {
			x[i] = restore(e)
		}
	case string:
		if strings.HasPrefix(x, "\x00wandb:") {
			switch x {
			case "\x00wandb:NaN":
				return math.NaN()
			case "\x00wandb:+Inf":
				return math.Inf(1)
			case "\x00wandb:-Inf":
				return math.Inf(-1)
			}
		}
	}
	return v
}

// cloneJSON deep-copies a decoded JSON value.
func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = cloneJSON(e)
		}
		return s
	}
	return v
}

// normalize round-trips v through JSON so Go values (structs, typed maps,
// ints) become the decoded form a server would store.
func normalize(v any) (any, error) {
	b, err := marshalLine(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = decodeLenient(b, &out)
	return out, err
}

// asAPIError is errors.As for *APIError.
func asAPIError(err error, target **APIError) bool { return errors.As(err, target) }
