package assess

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to exactly one HTTP status in sync/server and back
// again in sync/client.
const (
	EInvalid      = "invalid"          // the input is malformed or out of range
	EUnauthorized = "unauthorized"     // not logged in, or the session has ended
	EForbidden    = "forbidden"        // logged in, but not allowed to do this
	ENotFound     = "not_found"        // no such record (or not visible to the caller)
	EConflict     = "conflict"         // the record changed meanwhile, or its state forbids this
	EClosed       = "year_closed"      // the assessment year is closed and frozen
	ETooLarge     = "too_large"        // the body or file is larger than allowed
	ETooMany      = "too_many"         // too many attempts; wait and try again
	EInternal     = "internal"         // a fault on our side
	EUnavailable  = "unavailable"      // the server cannot be reached
	EMissing      = "missing_evidence" // evidence named by a change is not on the server yet: upload, then retry
)

// Error is an error a user can read: a machine code and a Chinese message
// that says what to fix.
type Error struct {
	Code    string
	Message string
}

// Error returns the message with its code.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain,
// EInternal for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain; any other error is reported as an internal fault without its details.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "系统内部错误，请稍后重试或联系管理员 (internal error)"
}
