package fakewandb

import (
	"bytes"
	"encoding/json"
	"regexp"
)

// File names of the file_stream protocol.
const (
	historyFile = "wandb-history.jsonl"
	eventsFile  = "wandb-events.jsonl"
	summaryFile = "wandb-summary.json"
	consoleFile = "output.log"
)

// Limits the real server imposes (§3.8).
const (
	maxLineBytes    = 10383360
	maxRequestBytes = 10 << 20
)

// decodeLenient decodes JSON in which bare NaN, Infinity and -Infinity
// tokens (as W&B clients write them) become the strings "NaN",
// "Infinity" and "-Infinity", so decoded values stay comparable.
func decodeLenient(data []byte, out any) error {
	return json.Unmarshal(quoteNonFinite(data), out)
}

// quoteNonFinite quotes bare non-finite tokens outside string literals.
func quoteNonFinite(data []byte) []byte {
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
		matched := false
		for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
			if bytes.HasPrefix(data[i:], []byte(tok)) {
				out.WriteString(`"` + tok + `"`)
				i += len(tok) - 1
				matched = true
				break
			}
		}
		if !matched {
			inStr = ch == '"'
			out.WriteByte(ch)
		}
	}
	return out.Bytes()
}

// decodeObject decodes one JSON object line.
func decodeObject(line string) (map[string]any, bool) {
	var m map[string]any
	if decodeLenient([]byte(line), &m) != nil || m == nil {
		return nil, false
	}
	return m, true
}

// without returns a shallow copy of m without keys.
func without(m map[string]any, keys ...string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// mustJSON encodes v (which must be encodable).
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// consoleStamp matches the "<time> " prefix (and "ERROR ") of console lines.
var consoleStamp = regexp.MustCompile(`^(ERROR )?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6} `)
