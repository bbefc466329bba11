package sweep

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Conversions from YAML-decoded values (string, int, int64, uint64, float64,
// bool, []any, map[string]any) and plain Go values to RunConfig field types.

func isList(v any) bool {
	k := reflect.ValueOf(v).Kind()
	return k == reflect.Slice || k == reflect.Array
}

func isMap(v any) bool { return reflect.ValueOf(v).Kind() == reflect.Map }

// describe renders a value for error messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	}
	switch {
	case isList(v):
		return fmt.Sprintf("%v (a list)", v)
	case isMap(v):
		return fmt.Sprintf("%v (a mapping)", v)
	}
	return fmt.Sprintf("%v", v)
}

// intValue reports the integer held by any Go integer type.
func intValue(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return 0, false
		}
		return int64(u), true
	}
	return 0, false
}

func floatValue(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	}
	return 0, false
}

// pyStr formats a scalar number the way Python's str() would for the common
// cases (3 → "3", 3.0 → "3.0", 0.5 → "0.5").
func pyStr(v any) (string, bool) {
	if n, ok := intValue(v); ok {
		return strconv.FormatInt(n, 10), true
	}
	if f, ok := floatValue(v); ok {
		if f == math.Trunc(f) && math.Abs(f) < 1e16 {
			return strconv.FormatFloat(f, 'f', 1, 64), true
		}
		return strconv.FormatFloat(f, 'g', -1, 64), true
	}
	return "", false
}

func asString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	if s, ok := pyStr(v); ok {
		return s, nil
	}
	return "", errors.New("want a string")
}

func asInt(v any) (int, error) {
	if n, ok := intValue(v); ok {
		if int64(int(n)) != n {
			return 0, errors.New("integer out of range")
		}
		return int(n), nil
	}
	if s, ok := v.(string); ok {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return 0, errors.New("want an integer")
		}
		return n, nil
	}
	return 0, errors.New("want an integer")
}

func asFloat(v any) (float64, error) {
	if n, ok := intValue(v); ok {
		return float64(n), nil
	}
	if f, ok := floatValue(v); ok {
		return f, nil
	}
	if s, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return 0, errors.New("want a number")
		}
		return f, nil
	}
	return 0, errors.New("want a number")
}

// str2bool is the seed's string-to-bool conversion.
func str2bool(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "yes", "y":
		return true
	}
	return false
}

func asBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "1", "true", "t", "yes", "y", "0", "false", "f", "no", "n":
			return str2bool(x), nil
		}
		// The seed's str2bool reads any other string as false: a typo
		// would silently turn the option off, so it is refused.
		return false, errors.New("want a boolean: true/false, yes/no, t/f, y/n or 1/0 (the seed would silently read it as false)")
	}
	if n, ok := intValue(v); ok {
		if n != 0 && n != 1 {
			return false, errors.New("want a boolean: true/false or 1/0")
		}
		return n == 1, nil
	}
	return false, errors.New("want a boolean")
}

func asStrings(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return strings.Fields(x), nil
	case []string:
		return append([]string(nil), x...), nil
	}
	if !isList(v) {
		return nil, errors.New("want a list of strings")
	}
	rv := reflect.ValueOf(v)
	out := make([]string, 0, rv.Len())
	for i := 0; i < rv.Len(); i++ {
		s, err := asString(rv.Index(i).Interface())
		if err != nil {
			return nil, fmt.Errorf("element %d: %v", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}
