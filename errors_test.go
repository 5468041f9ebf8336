package batchprocessing

import (
	"errors"
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
