package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// writeJSON answers with status and v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(wire.Error{Code: assess.EInternal, Message: assess.ErrorMessage(err)})
	}
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// errorBody returns the wire form of err and the HTTP status its code maps to.
func errorBody(err error) (int, wire.Error) {
	code := assess.ErrorCode(err)
	return wire.Status(code), wire.Error{Code: code, Message: assess.ErrorMessage(err)}
}

// writeError answers with err as a wire.Error. Errors that are not an
// *assess.Error are internal faults: they are logged with their details and
// answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *assess.Error
	if !errors.As(err, &ae) {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	status, body := errorBody(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="yiwangtong"`)
	}
	writeJSON(w, status, body)
}

// decodeJSON reads a JSON request body into v strictly: at most
// wire.MaxBodyBytes, no unknown fields, nothing after the value. Every
// failure is an *assess.Error with a Chinese message.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeStrict(http.MaxBytesReader(w, r.Body, wire.MaxBodyBytes), v)
}

// decodeStrict decodes exactly one JSON value from rd into v.
func decodeStrict(rd io.Reader, v any) error {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	var extra json.RawMessage
	err := dec.Decode(&extra)
	if errors.Is(err, io.EOF) {
		return nil
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return jsonError(err)
	}
	return assess.Errorf(assess.EInvalid, "请求内容在 JSON 之后还有多余的数据，请只发送一个 JSON 对象 (trailing data after the JSON value)")
}

// jsonError turns a decoding error into a message a user can act on.
func jsonError(err error) error {
	var (
		tooLarge *http.MaxBytesError
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return assess.Errorf(assess.ETooLarge, "请求内容超过 %d MB 上限，请分批提交 (request body larger than %d bytes)", wire.MaxBodyBytes>>20, wire.MaxBodyBytes)
	case errors.Is(err, io.EOF):
		return assess.Errorf(assess.EInvalid, "请求内容为空，应为一个 JSON 对象 (empty request body)")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return assess.Errorf(assess.EInvalid, "请求内容不完整，JSON 提前结束 (truncated JSON)")
	case errors.As(err, &syntax):
		return assess.Errorf(assess.EInvalid, "请求内容不是有效的 JSON（第 %d 字节附近）(malformed JSON at byte %d)", syntax.Offset, syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return assess.Errorf(assess.EInvalid, "请求内容应为 JSON 对象，而不是 %s (the body must be a JSON object)", typ.Value)
		}
		return assess.Errorf(assess.EInvalid, "字段“%s”的类型不正确：收到 %s，应为 %s (wrong type for field %q)", field, typ.Value, jsonKind(typ.Type.Kind().String()), field)
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return assess.Errorf(assess.EInvalid, "请求含有未知字段 %s，请检查字段名 (unknown field %s)", name, name)
	}
	return assess.Errorf(assess.EInvalid, "请求内容的某个字段值格式不正确：%s (invalid value)", sanitize(msg))
}

// jsonKind names a Go kind the way a JSON user knows it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "字符串 (string)"
	case "bool":
		return "true/false (boolean)"
	case "slice", "array":
		return "数组 (array)"
	case "struct", "map":
		return "对象 (object)"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "数字 (number)"
	}
	return kind
}

// sanitize keeps a message to one short line of printable text.
func sanitize(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// mustJSON encodes v for a fixed response body.
func mustJSON(v any) string {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(v); err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b.String()
}

// errorJSON returns a wire error body.
func errorJSON(code, message string) wire.Error {
	return wire.Error{Code: code, Message: message}
}
