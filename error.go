package shuttle

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Error codes. They are part of the JSON and HTTP contracts: never rename one.
const (
	EInvalid      = "invalid"      // bad input: a file, a flag, a request body
	ENotFound     = "not_found"    // no such thing, or not visible to the caller
	EConflict     = "conflict"     // the action does not fit the current state
	EUnauthorized = "unauthorized" // no valid credentials
	EUnsupported  = "unsupported"  // well-formed input of a kind not supported
	ETooLarge     = "too_large"    // input over a limit
	ERateLimited  = "rate_limited" // too many requests
	EInternal     = "internal"     // a bug or an environment failure
)

// Error is shuttle's one error type. Where the fault lies in a file, File and
// Line (or Field) say where, so that the message fits on one line and can be
// acted on.
type Error struct {
	Code    string
	File    string // file at fault, if any
	Line    int    // 1-based line, if known
	Field   string // element, field or flag at fault, if any
	Message string
	Err     error // underlying cause, if any
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	if e.Err != nil {
		if e.Message != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	return strings.ReplaceAll(b.String(), "\n", " ")
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an Error with a code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InFile makes an invalid-input Error located in a file.
func InFile(file string, line int, field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, File: file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode is the code of the first *Error in err's chain, EInternal for
// other errors and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return EInternal
}

// ExitCode is the process exit status for an error code.
func ExitCode(code string) int {
	switch code {
	case "":
		return 0
	case EInvalid, ENotFound, EConflict, EUnsupported, ETooLarge:
		return 2
	case EUnauthorized, ERateLimited:
		return 3
	}
	return 1
}

// HTTPStatus is the HTTP status for an error code.
func HTTPStatus(code string) int {
	switch code {
	case "":
		return http.StatusOK
	case EInvalid:
		return http.StatusBadRequest
	case ENotFound:
		return http.StatusNotFound
	case EConflict:
		return http.StatusConflict
	case EUnauthorized:
		return http.StatusUnauthorized
	case EUnsupported:
		return http.StatusUnprocessableEntity
	case ETooLarge:
		return http.StatusRequestEntityTooLarge
	case ERateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}
