package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// httpRecord remembers the last HTTP response of one call, so failures are
// classified from the status, headers and body the provider actually sent,
// whatever the SDK makes of them (an SDK may not parse a non-JSON error
// page into its error type).
type httpRecord struct {
	status int
	header http.Header
	body   []byte // error bodies only, at most 64 KiB
}

// middleware has the shape both the OpenAI and Anthropic SDKs accept.
func (r *httpRecord) middleware(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	res, err := next(req)
	if res == nil {
		return res, err
	}
	r.status, r.header, r.body = res.StatusCode, res.Header.Clone(), nil
	if res.StatusCode >= 400 && res.Body != nil {
		data, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
		_ = res.Body.Close()
		r.body = data
		res.Body = io.NopCloser(bytes.NewReader(data))
	}
	return res, err
}

// classify turns a failed call into an *Error, or returns the context's
// error when the caller gave up.
func (r *httpRecord) classify(ctx context.Context, provider, model string, err error, secrets []string) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if r.status >= 400 {
		code, msg := errorBody(r.body)
		return httpError(provider, model, r.status, r.header, code, msg, secrets)
	}
	if r.status >= 200 && r.status < 300 {
		// A success status whose body the SDK could not read.
		return &Error{Provider: provider, Model: model, Kind: KindBadResponse, Status: r.status,
			Code: "unreadable reply", Message: clip(redact(err.Error(), secrets))}
	}
	return transportError(ctx, provider, model, err, secrets)
}

// errorBody extracts a code and message from the error bodies providers
// send: {"error":{"message","type","code"}} (OpenAI, Anthropic, OpenRouter,
// vLLM), {"error":"text"}, {"message","code"|"type"|"__type"} (Bedrock and
// others); anything else is returned as the message.
func errorBody(body []byte) (code, msg string) {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return "", string(body)
	}
	if raw, ok := doc["error"]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return "", s
		}
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) == nil {
			doc = inner
		}
	}
	msg = jsonText(doc["message"])
	for _, k := range []string{"code", "type", "__type"} {
		if c := jsonText(doc[k]); c != "" && c != "error" {
			if code != "" {
				code += " "
			}
			code += c
		}
	}
	if msg == "" {
		msg = string(body)
	}
	return code, msg
}

// jsonText is a JSON string's value, or the raw text of a number.
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}
