package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/yiwangtong/yiwangtong/assess"
	"github.com/yiwangtong/yiwangtong/sync/wire"
)

// OfflineMessage is what the user reads when the server cannot be reached.
const OfflineMessage = "无法连接服务器，已转为离线工作，恢复后将自动同步 (cannot reach the server; working offline)"

// RemoteError is a failed exchange with the server: an error answer, or no
// answer at all (Status 0). It unwraps to the *assess.Error a user reads and
// to the network error behind it, if any.
type RemoteError struct {
	Status     int           // the HTTP status; 0 when no answer came
	RetryAfter time.Duration // the wait the server asked for (429, 503), if any
	Err        *assess.Error // the code and the Chinese message
	Cause      error         // the network error when no answer came
}

// Error returns the code and message.
func (e *RemoteError) Error() string { return e.Err.Error() }

// Unwrap returns the user-facing error and the network cause.
func (e *RemoteError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Err, e.Cause}
	}
	return []error{e.Err}
}

// defaultMessages are shown when the server's answer carried no message of
// its own.
var defaultMessages = map[string]string{
	assess.EInvalid:      "服务器拒绝了请求：内容不符合要求 (the server refused the request as invalid)",
	assess.EUnauthorized: "登录已失效，请重新登录 (the session has ended; log in again)",
	assess.EForbidden:    "没有权限执行此操作，请联系管理员 (not allowed)",
	assess.ENotFound:     "服务器上没有找到该记录 (not found on the server)",
	assess.EConflict:     "数据已被他人修改，请同步后再试 (changed meanwhile; sync and try again)",
	assess.EClosed:       "考核年度已关闭，数据已冻结 (the year is closed)",
	assess.ETooLarge:     "内容超过服务器允许的大小，请压缩或拆分后再试 (too large)",
	assess.ETooMany:      "操作过于频繁，请稍后再试 (too many requests; wait and try again)",
	assess.EInternal:     "服务器内部错误，请稍后重试或联系管理员 (server error)",
	assess.EUnavailable:  OfflineMessage,
	assess.EMissing:      "服务器上还没有所需的佐证材料，将先上传再重试 (evidence not on the server yet)",
}

// statusError turns an error answer into a *RemoteError: the wire.Error
// body when there is one, else the code the status maps to.
func statusError(status int, h http.Header, body []byte) error {
	e := &RemoteError{Status: status, RetryAfter: retryAfter(h)}
	var we wire.Error
	if json.Unmarshal(body, &we) == nil && we.Code != "" {
		msg := we.Message
		if msg == "" {
			msg = defaultMessages[we.Code]
		}
		if msg == "" {
			msg = defaultMessages[wire.CodeOf(status)]
		}
		e.Err = &assess.Error{Code: we.Code, Message: msg}
		return e
	}
	code := wire.CodeOf(status)
	msg := defaultMessages[code]
	if text := plainText(body); text != "" {
		msg += "：" + text
	}
	e.Err = &assess.Error{Code: code, Message: msg}
	return e
}

// plainText returns a short, printable excerpt of a non-JSON error body.
func plainText(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	if strings.HasPrefix(s, "<") { // an HTML page from a proxy says nothing useful
		return ""
	}
	return strings.TrimSpace(s)
}

// retryAfter reads a Retry-After header given in seconds or as a date.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// networkError turns a failed round trip into a *RemoteError with
// EUnavailable, or returns the context's error when the caller gave up.
func networkError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	msg := OfflineMessage
	var unknown x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown) || errors.As(err, &verify):
		msg = "服务器证书不受信任：请在系统管理中指定单位的 CA 证书文件，或联系管理员 (the server certificate is not trusted; set the CA file)"
	case errors.As(err, &host):
		msg = "服务器证书与服务器地址不符，请核对服务器地址 (the server certificate does not match the address)"
	}
	return &RemoteError{Err: &assess.Error{Code: assess.EUnavailable, Message: msg}, Cause: err}
}

// Retryable reports whether err is a failure worth retrying later: no
// answer, a server fault, or "too many requests".
func Retryable(err error) bool {
	var re *RemoteError
	if !errors.As(err, &re) {
		return false
	}
	if re.Status == 0 || re.Status >= 500 || re.Status == http.StatusTooManyRequests {
		return true
	}
	return re.Err.Code == assess.EUnavailable
}

// Offline reports whether err means the server could not be reached.
func Offline(err error) bool {
	var re *RemoteError
	return errors.As(err, &re) && (re.Status == 0 || re.Err.Code == assess.EUnavailable)
}
