package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctxresearch/ctxsweep/agent"
)

// orderTool has its arguments out of alphabetical order, an enum and
// items, so a schema built from Go maps would come out differently.
var orderTool = agent.Tool{Name: "open", Description: "opens <path>", Params: []agent.Param{
	{Name: "path", Type: "string", Description: "the path", Required: true},
	{Name: "mode", Type: "string", Description: "how", Enum: []string{"r", "a"}},
	{Name: "lines", Type: "array", Description: "which", Items: []agent.KV{{Key: "type", Value: "integer"}}},
}}

// keyOrder lists the object keys of a JSON text in the order they appear
// (depth first).
func keyOrder(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	var keys []string
	var walk func() error
	walk = func() error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				keys = append(keys, k.(string))
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		case json.Delim('['):
			for dec.More() {
				if err := walk(); err != nil {
					return err
				}
			}
			_, err = dec.Token()
		}
		return err
	}
	require.NoError(t, walk())
	return keys
}

func TestToolKeyOrderOnTheWire(t *testing.T) {
	params := []string{"type", "properties", "path", "type", "description", "mode", "type", "description", "enum",
		"lines", "type", "description", "items", "type", "required"}
	want := append([]string{"type", "function", "name", "description", "parameters"}, params...)
	require.Equal(t, want, keyOrder(t, orderTool.Function()))

	f := newFake(t, func(int, seen) reply { return reply{Body: chatReply} })
	req := request()
	req.Tools = []agent.Tool{orderTool}
	_, err := chatModel(t, f.URL).Complete(context.Background(), req)
	require.NoError(t, err)
	var body struct {
		Tools []json.RawMessage `json:"tools"`
	}
	require.NoError(t, json.Unmarshal([]byte(f.last().Raw), &body))
	require.Len(t, body.Tools, 1)
	require.Equal(t, want, keyOrder(t, body.Tools[0]), "chat completions")
	require.JSONEq(t, string(orderTool.Function()), string(body.Tools[0]))

	fb := newFakeTLS(t, func(int, seen) reply { return reply{Body: bedrockReply} })
	_, err = bearerModel(t, fb).Complete(context.Background(), req)
	require.NoError(t, err)
	var conv struct {
		ToolConfig struct {
			Tools []struct {
				ToolSpec struct {
					InputSchema struct {
						JSON json.RawMessage `json:"json"`
					} `json:"inputSchema"`
				} `json:"toolSpec"`
			} `json:"tools"`
		} `json:"toolConfig"`
	}
	require.NoError(t, json.Unmarshal([]byte(fb.last().Raw), &conv))
	schema := conv.ToolConfig.Tools[0].ToolSpec.InputSchema.JSON
	require.Equal(t, params, keyOrder(t, schema), "Bedrock Converse")
	require.JSONEq(t, string(orderTool.Parameters()), string(schema))
}

func TestAnthropicToolArgumentOrder(t *testing.T) {
	f := newFake(t, func(int, seen) reply { return reply{Body: anthropicReply} })
	req := request()
	req.Tools = []agent.Tool{orderTool}
	_, err := anthropicModel(t, f.URL).Complete(context.Background(), req)
	require.NoError(t, err)
	var body struct {
		Tools []struct {
			InputSchema struct {
				Properties json.RawMessage `json:"properties"`
				Required   []string        `json:"required"`
			} `json:"input_schema"`
		} `json:"tools"`
	}
	require.NoError(t, json.Unmarshal([]byte(f.last().Raw), &body))
	require.Equal(t, []string{"path", "type", "description", "mode", "type", "description", "enum", "lines", "type", "description", "items", "type"},
		keyOrder(t, body.Tools[0].InputSchema.Properties))
	require.Equal(t, []string{"path"}, body.Tools[0].InputSchema.Required)
}

func TestResponsesToolKeyOrder(t *testing.T) {
	f := newFake(t, func(int, seen) reply { return reply{Body: responsesReply} })
	req := request()
	req.Tools = []agent.Tool{orderTool}
	_, err := responsesModel(t, f.URL).Complete(context.Background(), req)
	require.NoError(t, err)
	var body struct {
		Tools []json.RawMessage `json:"tools"`
	}
	require.NoError(t, json.Unmarshal([]byte(f.last().Raw), &body))
	keys := keyOrder(t, body.Tools[0])
	require.Equal(t, []string{"type", "name", "description", "parameters", "type", "properties", "path"}, keys[:7])
	require.Equal(t, "strict", keys[len(keys)-1])
}

func TestChatBody(t *testing.T) {
	sys := agent.Message{Role: agent.RoleSystem, Content: "be <brief>"}
	user := agent.Message{Role: agent.RoleUser, Content: "fix it"}
	b, err := ChatBody("m1", Request{Messages: []agent.Message{sys, user}, Tools: []agent.Tool{orderTool}})
	require.NoError(t, err)
	var body struct {
		Messages []map[string]any `json:"messages"`
		Tools    []json.RawMessage
	}
	require.NoError(t, json.Unmarshal(b, &body))
	require.Equal(t, []map[string]any{{"role": "system", "content": "be <brief>"}, {"role": "user", "content": "fix it"}}, body.Messages)
	require.True(t, strings.Contains(string(b), `"model":"m1"`))
	require.JSONEq(t, string(orderTool.Function()), string(body.Tools[0]))
}
