package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// exchange sends req through s and reads the response into r, at most limit bytes of body,
// all within the per-attempt timeout t. answered reports that a response came: r then
// holds its status and headers, and its body unless err says why not.
func exchange(ctx context.Context, s sender, t attemptTimeout, req outgoing, limit int, r *response) (answered bool, err error) {
	actx, release := t.bound(ctx)
	defer release()
	var raw *http.Response
	if raw, err = s.send(actx, req); err == nil {
		answered, err = true, readResponse(raw, limit, r)
	}
	if err != nil && ctx.Err() == nil && t.cause != nil && context.Cause(actx) == t.cause {
		err = t.ranOut(err)
	}
	return answered, err
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
	return attemptTimeout{limit: limit, cause: timedOut{limit: limit}}
}

// bound returns ctx with the attempt's deadline, and the function that releases its timer
// once the response's body is read (or the request failed).
func (t attemptTimeout) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if t.limit <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, t.limit, t.cause)
}

// ranOut returns err, the error of an attempt whose deadline passed, as the error of an
// attempt that ran out of its time: one that holds timedOut and not the context's own
// error. net/http's HTTP/1 transport returns the context's cause, timedOut, inside a
// *url.Error or from the body's read; its HTTP/2 transport, test transports (httpmock) and
// a dial return context.DeadlineExceeded itself or a network timeout, which would read as
// the caller's context having ended. An *APIError (a body too large) stays as it is.
func (t attemptTimeout) ranOut(err error) error {
	var apiErr *APIError
	if errors.Is(err, t.cause) || errors.As(err, &apiErr) {
		return err
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return &url.Error{Op: urlErr.Op, URL: urlErr.URL, Err: timedOut{t.limit, detail(urlErr.Err)}}
	}
	return timedOut{t.limit, detail(err)}
}

// detail is the text of what a transport said when an attempt ran out of time, unless it
// only said that a deadline passed.
func detail(err error) string {
	if err == nil || err == context.DeadlineExceeded {
		return ""
	}
	return err.Error()
}

// timedOut is the error of an attempt that ran out of its time, and the cause of its
// context's end. Like the errors of http.Client.Timeout, it is a timeout (a *TransportError
// holding it reports Timeout) and it matches context.DeadlineExceeded without being it.
type timedOut struct {
	limit time.Duration
	// during is what the transport said, if more than that a deadline passed (a dial's
	// "i/o timeout"); text only, so that no chain finds the context's error in it.
	during string
}

func (e timedOut) Error() string {
	msg := "no complete answer within the per-attempt timeout of " + e.limit.String()
	if e.during != "" {
		msg += " (" + e.during + ")"
	}
	return msg
}

// Timeout reports true: the attempt ran out of time.
func (timedOut) Timeout() bool { return true }

// Is reports whether target is context.DeadlineExceeded, as the error of a context
// deadline without a cause would be.
func (timedOut) Is(target error) bool { return target == context.DeadlineExceeded }
