package batchprocessing

import (
	"context"
	"net/http"
	"time"
)

// exchange sends req through s and reads the response into r, at most limit bytes of body,
// all within the per-attempt timeout t. answered reports that a response came: r then
// holds its status and headers, and its body unless err says why not.
func exchange(ctx context.Context, s sender, t attemptTimeout, req outgoing, limit int, r *response) (answered bool, err error) {
	ctx, release := t.bound(ctx)
	defer release()
	var raw *http.Response
	if raw, err = s.send(ctx, req); err != nil {
		return false, err
	}
	return true, readResponse(raw, limit, r)
}

// attemptTimeout is the per-attempt timeout: WithTimeout's, else the Timeout of the
// WithHTTPClient client, else DefaultTimeout; zero for none (a WithHTTPClient client
// without a Timeout, and no WithTimeout).
//
// The request path applies it itself, as a deadline on the context of each attempt that
// covers sending the request and reading the whole body, and NewClient sets the Timeout
// of its copy of the *http.Client to zero. The bound is the one http.Client.Timeout would
// set, but net/http implements that with a copy of every request, a wrapper around every
// body and two closures; a context deadline costs a timer. The error of an attempt that
// runs out of time says which timeout it was (timedOut).
type attemptTimeout struct {
	limit time.Duration
	cause error // a timedOut of limit, made once: the context's cause when the deadline passes
}

// newAttemptTimeout returns the per-attempt timeout of limit, zero for none.
func newAttemptTimeout(limit time.Duration) attemptTimeout {
	if limit <= 0 {
		return attemptTimeout{}
	}
	return attemptTimeout{limit: limit, cause: timedOut{limit}}
}

// bound returns ctx with the attempt's deadline, and the function that releases its timer
// once the response's body is read (or the request failed).
func (t attemptTimeout) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if t.limit <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, t.limit, t.cause)
}

// timedOut is the cause of an attempt that ran out of its time. net/http returns it as the
// error of the request (inside a *url.Error) or of the body's read. Like the errors of
// http.Client.Timeout, it is a timeout (a *TransportError holding it reports Timeout) and
// it matches context.DeadlineExceeded.
type timedOut struct{ limit time.Duration }

func (e timedOut) Error() string {
	return "no complete answer within the per-attempt timeout of " + e.limit.String()
}

// Timeout reports true: the attempt ran out of time.
func (timedOut) Timeout() bool { return true }

// Is reports whether target is context.DeadlineExceeded, as the error of a context
// deadline without a cause would be.
func (timedOut) Is(target error) bool { return target == context.DeadlineExceeded }
