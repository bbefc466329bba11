package swebench

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ReadFile reads instances from a local file, chosen by extension:
//   - .json: a list of rows, or an object keyed by instance id whose values
//     are rows (a row without instance_id takes its key);
//   - .jsonl: one row per line, blank lines skipped;
//   - .parquet: the Hugging Face layout (see ReadParquet).
//
// Rows keep file order. Errors name the file and the row, line and field.
func ReadFile(path string) ([]Instance, error) {
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".parquet":
		return ReadParquet(path)
	case ".json", ".jsonl":
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("swebench: instances file: %w", err)
		}
		if ext == ".jsonl" {
			return parseJSONL(path, data)
		}
		return parseJSON(path, data)
	default:
		return nil, fmt.Errorf("swebench: instances file %s: unknown extension %q: want .json, .jsonl or .parquet", path, ext)
	}
}

// parseJSONL decodes one row per non-blank line.
func parseJSONL(path string, data []byte) ([]Instance, error) {
	var out []Instance
	for n, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		row, err := decodeObject(line)
		if err != nil {
			return nil, fmt.Errorf("swebench: %s:%d: %s", path, n+1, describe(err))
		}
		in, err := decodeRow(row)
		if err != nil {
			return nil, fmt.Errorf("swebench: %s:%d (row %d): %w", path, n+1, len(out), err)
		}
		out = append(out, in)
	}
	return out, nil
}

// parseJSON decodes a list of rows or an object keyed by instance id,
// keeping the file's order.
func parseJSON(path string, data []byte) ([]Instance, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	bad := func(err error) error {
		return fmt.Errorf("swebench: %s: %s", path, describeAt(err, data, dec.InputOffset()))
	}
	tok, err := dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("swebench: %s: empty file: want a JSON list of instances", path)
		}
		return nil, bad(err)
	}
	open, _ := tok.(json.Delim)
	if open != '[' && open != '{' {
		return nil, fmt.Errorf("swebench: %s:1: want a JSON list of instances or an object keyed by instance_id", path)
	}
	var out []Instance
	for dec.More() {
		var key string
		if open == '{' {
			k, err := dec.Token()
			if err != nil {
				return nil, bad(err)
			}
			key, _ = k.(string)
		}
		line := lineAt(data, dec.InputOffset())
		var raw any
		if err := dec.Decode(&raw); err != nil {
			return nil, bad(err)
		}
		where := fmt.Sprintf("%s:%d (row %d)", path, line, len(out))
		if open == '{' {
			where = fmt.Sprintf("%s:%d (key %q)", path, line, key)
		}
		row, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("swebench: %s: row is %s, want an object", where, kindOf(raw))
		}
		if open == '{' {
			if id, has := row["instance_id"]; !has || id == nil || id == "" {
				row["instance_id"] = key
			} else if id != key {
				return nil, fmt.Errorf("swebench: %s: instance_id %q differs from its key", where, fmt.Sprint(id))
			}
		}
		in, err := decodeRow(row)
		if err != nil {
			return nil, fmt.Errorf("swebench: %s: %w", where, err)
		}
		out = append(out, in)
	}
	if _, err := dec.Token(); err != nil {
		return nil, bad(err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("swebench: %s:%d: unexpected data after the top-level value", path, lineAt(data, dec.InputOffset()))
	}
	return out, nil
}

// decodeObject decodes one JSON object with numbers kept as written.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the row's object")
	}
	row, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("row is %s, want an object", kindOf(v))
	}
	return row, nil
}

// describe turns a JSON error on one line into "col N: message".
func describe(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("column %d: invalid JSON: %v", se.Offset, err)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "invalid JSON: the line ends inside a value"
	}
	return err.Error()
}

// describeAt turns a JSON error in a whole file into "line N: message".
func describeAt(err error, data []byte, fallback int64) string {
	off := fallback
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Sprintf("line %d: invalid JSON: unexpected end of file", lineOf(data, int64(len(data))))
	}
	return fmt.Sprintf("line %d: invalid JSON: %v", lineOf(data, off), err)
}

// lineAt returns the 1-based line of the first non-separator byte at or
// after off.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return lineOf(data, off)
}

// lineOf returns the 1-based line of byte offset off.
func lineOf(data []byte, off int64) int {
	off = max(0, min(off, int64(len(data))))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}
