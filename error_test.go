package shuttle

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestErrorLine(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{InFile("a.yaml", 12, "parties[1].strategy", "unknown strategy %q", "x"), `a.yaml:12: parties[1].strategy: unknown strategy "x"`},
		{InFile("d.xml", 0, "", "no domain"), "d.xml: no domain"},
		{&Error{Code: EInternal, Message: "two\nlines"}, "two lines"},
		{&Error{Code: ENotFound, File: "f", Message: "cannot read", Err: errors.New("no such file")}, "f: cannot read: no such file"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestCodeMapping(t *testing.T) {
	wrapped := fmt.Errorf("load: %w", Errorf(ENotFound, "case %d", 3))
	tests := []struct {
		err    error
		code   string
		exit   int
		status int
	}{
		{nil, "", 0, http.StatusOK},
		{wrapped, ENotFound, 2, http.StatusNotFound},
		{errors.New("plain"), EInternal, 1, http.StatusInternalServerError},
		{Errorf(EInvalid, "x"), EInvalid, 2, http.StatusBadRequest},
		{Errorf(EUnauthorized, "x"), EUnauthorized, 3, http.StatusUnauthorized},
		{Errorf(EConflict, "x"), EConflict, 2, http.StatusConflict},
		{Errorf(EUnsupported, "x"), EUnsupported, 2, http.StatusUnprocessableEntity},
		{Errorf(ETooLarge, "x"), ETooLarge, 2, http.StatusRequestEntityTooLarge},
		{Errorf(ERateLimited, "x"), ERateLimited, 3, http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		code := ErrorCode(tt.err)
		if code != tt.code || ExitCode(code) != tt.exit || HTTPStatus(code) != tt.status {
			t.Errorf("%v: code %q exit %d status %d; want %q %d %d", tt.err, code, ExitCode(code), HTTPStatus(code), tt.code, tt.exit, tt.status)
		}
	}
}
