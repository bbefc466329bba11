package agent

import (
	"bytes"
	"encoding/json"
)

// Parameters is the tool's JSON schema for the "parameters" field of a
// function-calling request, with its keys in the seed's order (seed-system
// §4.2): {"type": "object", "properties": {<argument>: {"type",
// "description"[, "items"][, "enum"]}, ...}, "required": [...]}, the
// arguments in their declared order. Go maps would sort the keys, and
// providers that render tools into the prompt (chat templates) would then
// show the model other text than the seed's.
func (t Tool) Parameters() json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"type":"object","properties":{`)
	required := []string{}
	for i, p := range t.Params {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(p.Name))
		b.WriteString(`:{"type":`)
		b.Write(jsonString(p.Type))
		b.WriteString(`,"description":`)
		b.Write(jsonString(p.Description))
		if len(p.Items) > 0 {
			b.WriteString(`,"items":{`)
			for j, kv := range p.Items {
				if j > 0 {
					b.WriteByte(',')
				}
				b.Write(jsonString(kv.Key))
				b.WriteByte(':')
				b.Write(jsonString(kv.Value))
			}
			b.WriteByte('}')
		}
		if len(p.Enum) > 0 {
			b.WriteString(`,"enum":`)
			b.Write(jsonValue(p.Enum))
		}
		b.WriteByte('}')
		if p.Required {
			required = append(required, p.Name)
		}
	}
	b.WriteString(`},"required":`)
	b.Write(jsonValue(required))
	b.WriteByte('}')
	return b.Bytes()
}

// Function is the tool as an OpenAI chat-completions tool, keys in the
// seed's order: {"type": "function", "function": {"name", "description",
// "parameters"}}.
func (t Tool) Function() json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"type":"function","function":{"name":`)
	b.Write(jsonString(t.Name))
	b.WriteString(`,"description":`)
	b.Write(jsonString(t.Description))
	b.WriteString(`,"parameters":`)
	b.Write(t.Parameters())
	b.WriteString(`}}`)
	return b.Bytes()
}

// Functions is Function of each tool, as a JSON array.
func Functions(tools []Tool) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, t := range tools {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(t.Function())
	}
	b.WriteByte(']')
	return b.Bytes()
}

func jsonString(s string) []byte { return jsonValue(s) }

// jsonValue encodes v without escaping <, > and & (the tools' texts are
// full of them; escaped or not they decode the same).
func jsonValue(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // strings and string slices always encode
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
