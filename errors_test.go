package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/internal/ctxerr"
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

func (e timeoutError) Error() string   { return e.text }
func (e timeoutError) Timeout() bool   { return true }
func (e timeoutError) Temporary() bool { return true }

// deadlineLike matches context.DeadlineExceeded without holding it, as net/http's
// Client.Timeout error does.
type deadlineLike struct{ text string }

func (e deadlineLike) Error() string        { return e.text }
func (e deadlineLike) Is(target error) bool { return target == context.DeadlineExceeded }

// TestMaskedCauseKeepsItsKind: a cause whose text held a secret is replaced by a copy with
// its text masked, which keeps what callers test a transport error for: a *url.Error stays
// one, a timeout is a timeout (net.Error), and the sentinels match as they did, the
// context's held only when the cause held it itself.
func TestMaskedCauseKeepsItsKind(t *testing.T) {
	t.Parallel()
	const secret = "secret-token-value"
	for _, tt := range []struct {
		name    string
		cause   error
		urlErr  bool
		timeout bool
		is      []error
		held    error
	}{
		{"plain", errors.New("malformed HTTP status code \"" + secret + "\""), false, false, nil, nil},
		{"url.Error timeout", &url.Error{Op: "Get", URL: "http://gw/p", Err: timeoutError{"read " + secret + ": i/o timeout"}}, true, true, nil, nil},
		{"network deadline", fmt.Errorf("%s: %w", secret, os.ErrDeadlineExceeded), false, false, []error{os.ErrDeadlineExceeded}, nil},
		{"matches a deadline", deadlineLike{secret + " (Client.Timeout exceeded)"}, false, false, []error{context.DeadlineExceeded}, nil},
		{"holds a deadline", fmt.Errorf("%s: %w", secret, context.DeadlineExceeded), false, true, []error{context.DeadlineExceeded}, context.DeadlineExceeded},
		{"holds a cancel", fmt.Errorf("%s: %w", secret, context.Canceled), false, false, []error{context.Canceled}, context.Canceled},
		{"unexpected EOF", fmt.Errorf("%s: %w", secret, io.ErrUnexpectedEOF), false, false, []error{io.ErrUnexpectedEOF}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &response{op: "GetFlow", method: "GET", path: "/p"}
			r.keepSecret(secret)
			te := transportError(context.Background(), r, tt.cause).(*TransportError)
			if strings.Contains(te.Err.Error(), secret) || strings.Contains(te.Error(), secret) {
				t.Errorf("Err %q, error %q: the secret shown", te.Err, te)
			}
			var ue *url.Error
			if errors.As(te, &ue) != tt.urlErr {
				t.Errorf("errors.As(*url.Error) = %t, want %t", !tt.urlErr, tt.urlErr)
			}
			var ne net.Error
			if isNet := errors.As(te, &ne); tt.timeout && (!isNet || !ne.Timeout()) {
				t.Errorf("errors.As(net.Error) = %t, want a timeout", isNet)
			}
			for _, sentinel := range maskedSentinels {
				if want := slices.Contains(tt.is, sentinel); errors.Is(te, sentinel) != want {
					t.Errorf("errors.Is(err, %v) = %t, want %t", sentinel, !want, want)
				}
			}
			if held := ctxerr.Held(te); held != tt.held {
				t.Errorf("context error held itself: %v, want %v", held, tt.held)
			}
		})
	}
}
