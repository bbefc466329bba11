package swebench

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
)

var errNotObject = errors.New("row is not a JSON object")

// textFields maps the text columns to their Instance fields.
var textFields = map[string]func(*Instance) *string{
	"instance_id":              func(i *Instance) *string { return &i.InstanceID },
	"repo":                     func(i *Instance) *string { return &i.Repo },
	"base_commit":              func(i *Instance) *string { return &i.BaseCommit },
	"patch":                    func(i *Instance) *string { return &i.Patch },
	"test_patch":               func(i *Instance) *string { return &i.TestPatch },
	"problem_statement":        func(i *Instance) *string { return &i.ProblemStatement },
	"hints_text":               func(i *Instance) *string { return &i.HintsText },
	"created_at":               func(i *Instance) *string { return &i.CreatedAt },
	"version":                  func(i *Instance) *string { return &i.Version },
	"environment_setup_commit": func(i *Instance) *string { return &i.EnvironmentSetupCommit },
	"difficulty":               func(i *Instance) *string { return &i.Difficulty },
	"image_name":               func(i *Instance) *string { return &i.ImageName },
	"docker_image":             func(i *Instance) *string { return &i.DockerImage },
	"image":                    func(i *Instance) *string { return &i.ImageRef },
	"eval_script":              func(i *Instance) *string { return &i.EvalScript },
	"log_parser":               func(i *Instance) *string { return &i.LogParser },
	"eval_type":                func(i *Instance) *string { return &i.EvalType },
	"test_cmd":                 func(i *Instance) *string { return &i.TestCmd },
}

// listFields maps the test-list columns to their Instance fields.
var listFields = map[string]func(*Instance) *[]string{
	"FAIL_TO_PASS": func(i *Instance) *[]string { return &i.FailToPass },
	"PASS_TO_PASS": func(i *Instance) *[]string { return &i.PassToPass },
}

// FieldError reports a column whose value has the wrong shape.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %v", e.Field, e.Err) }
func (e *FieldError) Unwrap() error { return e.Err }

// decodeRow converts one row (column name → value as decoded by
// encoding/json with UseNumber, or as read from parquet: string, []string or
// nil) into an Instance. Unknown columns are ignored; instance_id is
// required.
func decodeRow(row map[string]any) (Instance, error) {
	var in Instance
	for _, name := range slices.Sorted(maps.Keys(row)) { // sorted: stable error reports
		v := row[name]
		if f, ok := textFields[name]; ok {
			s, err := asText(v)
			if err != nil {
				return in, &FieldError{name, err}
			}
			*f(&in) = s
		} else if f, ok := listFields[name]; ok {
			l, err := asList(v)
			if err != nil {
				return in, &FieldError{name, err}
			}
			*f(&in) = l
		}
	}
	if in.InstanceID == "" {
		return in, &FieldError{"instance_id", errors.New("missing or empty (every row needs an instance_id)")}
	}
	return in, nil
}

// asText accepts a string, a number (kept as written) or null.
func asText(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case json.Number:
		return x.String(), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
		return strconv.FormatFloat(x, 'g', -1, 64), nil
	default:
		return "", fmt.Errorf("want a string, got %s", kindOf(v))
	}
}

// asList accepts a list of strings, a string holding a JSON list of strings
// (the Hugging Face layout; "" means empty), or null.
func asList(v any) ([]string, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []string:
		return x, nil
	case string:
		if x == "" {
			return nil, nil
		}
		var l []string
		if err := json.Unmarshal([]byte(x), &l); err != nil {
			return nil, fmt.Errorf("string is not a JSON list of strings: %v", err)
		}
		return l, nil
	case []any:
		l := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("element %d: want a string, got %s", i, kindOf(e))
			}
			l[i] = s
		}
		return l, nil
	default:
		return nil, fmt.Errorf("want a list of strings or a JSON string, got %s", kindOf(v))
	}
}

// kindOf names a decoded JSON value's type for error messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
