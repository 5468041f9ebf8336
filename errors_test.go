package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestZeroErrorsPrint: the zero value of each error type, as a caller's fake might build
// one, prints and answers errors.Is without panicking.
func TestZeroErrorsPrint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		err  error
		is   error
		want string
	}{
		{&APIError{}, nil, "batchprocessing"},
		{&RequestError{}, ErrInvalidRequest, "batchprocessing: : invalid"},
		{&TransportError{}, nil, "unknown cause"},
		{&FlowInstanceFailedError{}, ErrFlowInstanceFailed, ErrFlowInstanceFailed.Error()},
		{&OutcomeUnknownError{}, ErrOutcomeUnknown, "unknown cause; outcome unknown"},
	} {
		if got := tt.err.Error(); !strings.Contains(got, tt.want) {
			t.Errorf("%T{}.Error() = %q, want it to hold %q", tt.err, got, tt.want)
		}
		if tt.is != nil && !errors.Is(tt.err, tt.is) {
			t.Errorf("errors.Is(%T{}, %v) = false", tt.err, tt.is)
		}
		_ = errors.Unwrap(tt.err)
	}
	if (&TransportError{}).Timeout() {
		t.Error("a zero TransportError reports a timeout")
	}
}

// timeoutError is a network error that timed out, its text holding a secret.
type timeoutError struct{ text string }

func (e timeoutError) Error() string { return e.text }
func (e timeoutError) Timeout() bool { return true }

// TestMaskedCauseKeepsItsKind: a cause whose text held a secret is replaced by its masked
// text, and still reports a timeout and matches the context's errors as the cause did.
func TestMaskedCauseKeepsItsKind(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cause   error
		timeout bool
		is      error
	}{
		{errors.New("malformed HTTP status code \"secret\""), false, nil},
		{timeoutError{"read secret: i/o timeout"}, true, nil},
		{fmt.Errorf("secret: %w", context.DeadlineExceeded), true, context.DeadlineExceeded},
		{fmt.Errorf("secret: %w", context.Canceled), false, context.Canceled},
	} {
		r := &response{op: "GetFlow", method: "GET", path: "/p"}
		r.keepSecret("secret-token-value", "", "")
		cause := fmt.Errorf("%w (secret-token-value)", tt.cause)
		te := transportError(context.Background(), r, cause).(*TransportError)
		if strings.Contains(te.Err.Error(), "secret-token-value") || te.Timeout() != tt.timeout {
			t.Errorf("%v: Err %q, Timeout %t; want it masked, Timeout %t", tt.cause, te.Err, te.Timeout(), tt.timeout)
		}
		for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
			if errors.Is(te, ctxErr) != (ctxErr == tt.is) {
				t.Errorf("%v: errors.Is(err, %v) = %t", tt.cause, ctxErr, errors.Is(te, ctxErr))
			}
		}
	}
}
