package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"

	"github.com/ctxresearch/ctxsweep/agent"
)

// Tool definitions go on the wire with their keys in the seed's order
// (agent.Tool.Function): providers that render tools into the prompt (chat
// templates, e.g. Qwen on vLLM or Bedrock) then show the model the seed's
// text. Go maps would sort the keys.

// chatTools are the tools of a chat-completions request.
func chatTools(tools []agent.Tool) []openai.ChatCompletionToolUnionParam {
	out := make([]openai.ChatCompletionToolUnionParam, 0, len(tools))
	for _, t := range tools {
		f := param.Override[openai.ChatCompletionFunctionToolParam](t.Function())
		out = append(out, openai.ChatCompletionToolUnionParam{OfFunction: &f})
	}
	return out
}

// responsesTool is the tool of a Responses request: {"type": "function",
// "name", "description", "parameters", "strict": false}.
func responsesTool(t agent.Tool) responses.ToolUnionParam {
	var b bytes.Buffer
	b.WriteString(`{"type":"function","name":`)
	b.Write(mustJSON(t.Name))
	b.WriteString(`,"description":`)
	b.Write(mustJSON(t.Description))
	b.WriteString(`,"parameters":`)
	b.Write(t.Parameters())
	b.WriteString(`,"strict":false}`)
	f := param.Override[responses.FunctionToolParam](json.RawMessage(b.Bytes()))
	return responses.ToolUnionParam{OfFunction: &f}
}

func mustJSON(s string) []byte {
	b, _ := json.Marshal(s) // a string always encodes
	return b
}

// ChatBody is the body of the chat-completions request the OpenAI-compatible
// client sends for req (messages and tools as on the wire), for
// `starter prompt`.
func ChatBody(modelID string, req Request) ([]byte, error) {
	params := openai.ChatCompletionNewParams{Model: shared.ChatModel(modelID), Messages: chatMessages(req.Messages)}
	if len(req.Tools) > 0 {
		params.Tools = chatTools(req.Tools)
	}
	return json.Marshal(params)
}

// orderedProperties is the "properties" object of the tool's schema, its
// arguments in declared order (for SDKs that take the schema apart).
func orderedProperties(t agent.Tool) json.RawMessage {
	var s struct {
		Properties json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(t.Parameters(), &s) // Parameters is always an object with properties
	return s.Properties
}

// orderedDocument turns JSON into a value that keeps its object keys in
// order when the AWS SDK encodes it as a document (it encodes struct fields
// in order, map keys sorted): objects become structs built at run time.
func orderedDocument(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return orderedValue(dec)
}

func orderedValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch d := tok.(type) {
	case json.Delim:
		switch d {
		case '[':
			out := []any{}
			for dec.More() {
				v, err := orderedValue(dec)
				if err != nil {
					return nil, err
				}
				out = append(out, v)
			}
			_, err := dec.Token()
			return out, err
		case '{':
			var fields []reflect.StructField
			var vals []any
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := orderedValue(dec)
				if err != nil {
					return nil, err
				}
				fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", len(fields)),
					Type: reflect.TypeFor[any](), Tag: reflect.StructTag(fmt.Sprintf("document:%q", k))})
				vals = append(vals, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			s := reflect.New(reflect.StructOf(fields)).Elem()
			for i, v := range vals {
				if v != nil {
					s.Field(i).Set(reflect.ValueOf(v))
				}
			}
			return s.Interface(), nil
		}
		return nil, fmt.Errorf("unexpected %v", d)
	case json.Number:
		if i, err := d.Int64(); err == nil {
			return i, nil
		}
		return d.Float64()
	default:
		return d, nil // string, bool or nil
	}
}
