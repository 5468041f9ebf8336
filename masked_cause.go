package batchprocessing

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"slices"

	"github.com/enos-go/batchprocessing/internal/ctxerr"
)

// A hostile server can put a secret of the attempt (the access token it was sent) where
// Go's transport quotes it in an error: a malformed status line, a malformed header. The
// TransportError's text is masked, and so is its cause, so that no caller who unwraps it
// finds the secret; what callers test a transport error for is kept.

// maskedSentinels are the errors a masked cause still matches with errors.Is when the
// original did: the context's, the network's deadline, the ends of a connection.
var maskedSentinels = []error{context.Canceled, context.DeadlineExceeded, os.ErrDeadlineExceeded,
	io.EOF, io.ErrUnexpectedEOF, net.ErrClosed}

// masked returns err with its text masked of ss: a *url.Error stays a *url.Error (its URL
// and its cause masked), anything else becomes a maskedCause.
func masked(err error, ss secrets) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: ss.redact(ue.URL), Err: newMaskedCause(ue.Err, ss)}
	}
	return newMaskedCause(err, ss)
}

// maskedCause stands in for an error whose text held a secret.
type maskedCause struct {
	text      string
	timeout   bool
	temporary bool
	matches   []error // the maskedSentinels the original matched
	// held is the context's error when the original held it itself, not only matched it:
	// an attempt's timeout matches context.DeadlineExceeded without being the context's.
	held error
}

// newMaskedCause returns the stand-in of err, masked of ss.
func newMaskedCause(err error, ss secrets) *maskedCause {
	if err == nil {
		return &maskedCause{text: "unknown cause"}
	}
	m := &maskedCause{text: ss.redact(err.Error())}
	var timeout interface{ Timeout() bool }
	m.timeout = errors.As(err, &timeout) && timeout.Timeout()
	var temporary interface{ Temporary() bool }
	m.temporary = errors.As(err, &temporary) && temporary.Temporary()
	for _, sentinel := range maskedSentinels {
		if errors.Is(err, sentinel) {
			m.matches = append(m.matches, sentinel)
		}
	}
	m.held = ctxerr.Held(err)
	return m
}

func (m *maskedCause) Error() string { return m.text }

// Timeout reports whether the original was a timeout.
func (m *maskedCause) Timeout() bool { return m.timeout }

// Temporary reports what the original's Temporary did (net.Error).
func (m *maskedCause) Temporary() bool { return m.temporary }

// Is matches the sentinels the original matched.
func (m *maskedCause) Is(target error) bool { return slices.Contains(m.matches, target) }

// Unwrap returns the context's error the original held itself, or nil.
func (m *maskedCause) Unwrap() error { return m.held }
