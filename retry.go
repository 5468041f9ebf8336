package batchprocessing

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// RetryPolicy says how the client retries a call that failed for a passing reason: a
// connection error, HTTP 429 (honouring Retry-After), 502, 503, 504, or code 62109. Pauses
// grow exponentially from MinBackoff to MaxBackoff, with jitter, and end at once when the
// call's context ends.
//
// Calls that create a flow instance (TriggerFlow, TriggerFlowFromTask,
// UpdateAndTriggerFlow) are never resent blindly: when a request may have reached the
// service (a timeout, a connection lost after sending, a 5xx), the client first looks
// for the instance it would have created, and resends only if there is none. Calls that
// change state without being safe to repeat (CancelFlowInstance, DeleteFlow, ImportFlow,
// CreateDirectory) are resent only when the request certainly did not reach the service:
// the connection was refused, or the gateway answered 429.
type RetryPolicy struct {
	// MaxRetries is the number of attempts after the first: 0 takes the default (3), a
	// negative number turns retries off (as WithMaxRetries(0) does).
	MaxRetries int
	// MinBackoff is the first pause; each further pause doubles, up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a longer one ends
	// the call with the 429.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns the policy of a client made without WithRetryPolicy: 3
// retries, pauses from 250 ms to 8 s, Retry-After up to a minute.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:    3,
		MinBackoff:    250 * time.Millisecond,
		MaxBackoff:    8 * time.Second,
		MaxRetryAfter: time.Minute,
	}
}

// WithRetryPolicy sets the retry policy. Its zero fields take DefaultRetryPolicy's values.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MinBackoff < 0 || p.MaxBackoff < 0 || p.MaxRetryAfter < 0 {
			return errors.New("WithRetryPolicy: negative duration")
		}
		d := DefaultRetryPolicy()
		switch {
		case p.MaxRetries == 0:
			p.MaxRetries = d.MaxRetries
		case p.MaxRetries < 0:
			p.MaxRetries = 0
		}
		if p.MinBackoff == 0 {
			p.MinBackoff = d.MinBackoff
		}
		if p.MaxBackoff == 0 {
			p.MaxBackoff = max(d.MaxBackoff, p.MinBackoff)
		}
		if p.MaxRetryAfter == 0 {
			p.MaxRetryAfter = d.MaxRetryAfter
		}
		if p.MaxBackoff < p.MinBackoff {
			return errors.New("WithRetryPolicy: MaxBackoff below MinBackoff")
		}
		s.retry = p
		return nil
	}
}

// WithMaxRetries sets the number of retries, keeping the rest of the policy; 0 turns
// retries off.
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		if n < 0 {
			return errors.New("WithMaxRetries: negative count")
		}
		s.retry.MaxRetries = n
		return nil
	}
}

// sideEffect classifies what sending a call twice would do.
type sideEffect int

const (
	// oneShot calls change state and are not safe to repeat; the zero value, the safe default.
	oneShot sideEffect = iota
	// readOnly calls change nothing.
	readOnly
	// idempotent calls leave the same state however often they are sent.
	idempotent
	// creating calls create a flow instance whose id the client can compute.
	creating
)

// verdict is what the request path does after a failed attempt.
type verdict int

const (
	giveUp      verdict = iota // return the error
	retry                      // pause, then send again
	renewAuth                  // renew the token (and the clock's offset), then send again at once
	findCreated                // the attempt may have created the instance: look for it before resending
)

// attemptResult is what one attempt produced.
type attemptResult struct {
	err      error
	status   int         // HTTP status, 0 if no answer came
	header   http.Header // the answer's headers, nil if none
	reached  bool        // the request may have reached the service
	start    time.Time   // the client's clock when the attempt started and ended (skew)
	end      time.Time
	apiError *APIError // err as an *APIError, if it is one
}

// judge decides what to do after a failed attempt of a call.
func judge(cl call, res *attemptResult) verdict {
	kind := cl.kind
	if res.apiError == nil && permanentTransportError(res.err) {
		return giveUp // sending again would fail the same way
	}
	if !res.reached {
		// Refused connection, failed DNS lookup, no token: the service never saw it. A
		// token-service refusal of the credentials is final.
		if res.apiError != nil && !transientStatus(res.apiError.HTTPStatus) {
			return giveUp
		}
		return retry
	}
	e := res.apiError
	switch {
	case e == nil: // no answer: timeout, connection lost after sending
		return afterUnknownOutcome(kind)
	case e.HTTPStatus == http.StatusUnauthorized || e.Code == CodeTokenExpired:
		return renewAuth // the gateway refused the request before the service saw it
	case e.HTTPStatus == http.StatusTooManyRequests:
		return retry // refused by the gateway's rate limit
	case e.Code == CodeInternalServer && cl.internalErrorIsFinal:
		return giveUp
	case e.HTTPStatus == http.StatusBadGateway, e.HTTPStatus == http.StatusServiceUnavailable,
		e.HTTPStatus == http.StatusGatewayTimeout, e.Code == CodeInternalServer:
		return afterUnknownOutcome(kind)
	case kind == creating && (e.HTTPStatus >= 500 || (e.Unexpected && isSuccessStatus(e.HTTPStatus))):
		// Another server error, or a success status with an answer that is not the
		// documented one: the service may well have created the instance.
		return findCreated
	}
	return giveUp
}

// permanentTransportError reports a failure that sending again cannot mend: the server's
// certificate is refused.
func permanentTransportError(err error) bool {
	var verify *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &unknownAuthority) || errors.As(err, &hostname) || errors.As(err, &invalid)
}

// afterUnknownOutcome is the verdict for an attempt that may or may not have been processed.
func afterUnknownOutcome(kind sideEffect) verdict {
	switch kind {
	case readOnly, idempotent:
		return retry
	case creating:
		return findCreated
	}
	return giveUp
}

func transientStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// neverSent reports whether a transport error happened before the request could reach
// the server: the connection was refused or the host could not be resolved.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// pause returns how long to wait before attempt number next (2 for the first retry):
// the server's Retry-After if it gave one, else exponential backoff with jitter. ok is
// false when the server asks for longer than the policy allows.
func (p RetryPolicy) pause(next int, res *attemptResult, now time.Time) (d time.Duration, ok bool) {
	if res.status == http.StatusTooManyRequests || res.status == http.StatusServiceUnavailable {
		if after, found := retryAfter(res.header, now); found {
			if after > p.MaxRetryAfter {
				return 0, false
			}
			return after, true
		}
	}
	d = p.MinBackoff
	for i := 2; i < next && d < p.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, p.MaxBackoff)
	// Jitter over [d/2, d], so that many clients do not retry in step.
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1)), true
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// wait sleeps for d, or returns ctx's error as soon as ctx ends; it does not start a
// pause that the context's deadline would cut short.
func wait(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return context.DeadlineExceeded
	}
	return sleep(ctx, d)
}

// stoppedError is the error of a call whose retries were cut short: the last attempt's
// error, and why the client stopped (the context ended, or the outcome is unknown).
type stoppedError struct {
	last   error
	reason error
}

func (e *stoppedError) Error() string {
	if errors.Is(e.reason, ErrOutcomeUnknown) {
		return e.last.Error() + "; " + e.reason.Error()
	}
	return fmt.Sprintf("%v (stopped retrying: %v)", e.last, e.reason)
}

// Unwrap gives both the last error and the reason, for errors.Is and errors.As.
func (e *stoppedError) Unwrap() []error { return []error{e.last, e.reason} }

// outcomeUnknown is the error of a creating call that gave up not knowing whether the
// service created the instance: the last attempt's error, and why the lookup did not tell.
func outcomeUnknown(last, lookup error) error {
	return &stoppedError{last: last, reason: fmt.Errorf("%w (looking for it: %w)", ErrOutcomeUnknown, lookup)}
}

// ErrOutcomeUnknown matches the error of a call that creates a flow instance when the
// client could not find out whether the service created it: an attempt got no answer, or
// one from which the service may have acted (a 5xx, 62109, a success it could not read),
// and looking for the instance did not find it or failed. Look for the instance
// (FlowInstanceIDFor, GetFlowInstance) before triggering again.
var ErrOutcomeUnknown = errors.New("outcome unknown: the flow instance may have been created")
