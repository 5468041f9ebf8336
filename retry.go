package batchprocessing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
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
	// MaxRetries is the number of attempts after the first. Like every field of a
	// RetryPolicy, 0 takes the default (3): the zero RetryPolicy is the default policy.
	// NoRetries turns retries off (WithoutRetries says it for a whole client).
	MaxRetries int
	// MinBackoff is the first pause; each further pause doubles, up to MaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a longer one ends
	// the call with the 429.
	MaxRetryAfter time.Duration
}

// NoRetries is the RetryPolicy.MaxRetries that turns retries off.
const NoRetries = -1

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
		complete, err := p.complete()
		if err != nil {
			return fmt.Errorf("WithRetryPolicy: %w", err)
		}
		s.retry = complete
		return nil
	}
}

// WithoutRetries turns retries off: every call is sent once (a refused token is still
// renewed once, and a trigger whose response was lost still looks for its instance before it
// reports that its outcome is unknown).
func WithoutRetries() Option {
	return WithRetryPolicy(RetryPolicy{MaxRetries: NoRetries})
}

// WithMaxRetries sets RetryPolicy.MaxRetries, keeping the rest of the policy, with the
// field's meaning: 0 takes the default (3), NoRetries turns retries off.
//
// Deprecated: WithMaxRetries(0) reads as "no retries" but, like a zero RetryPolicy, means
// the default. Use WithoutRetries to turn retries off, or WithRetryPolicy.
func WithMaxRetries(n int) Option {
	return func(s *settings) error {
		p := s.retry
		p.MaxRetries = n
		complete, err := p.complete()
		if err != nil {
			return fmt.Errorf("WithMaxRetries: %w", err)
		}
		s.retry = complete
		return nil
	}
}

// complete checks p and fills its zero fields with the defaults; MaxRetries NoRetries (or
// any negative number) becomes 0.
func (p RetryPolicy) complete() (RetryPolicy, error) {
	if p.MinBackoff < 0 || p.MaxBackoff < 0 || p.MaxRetryAfter < 0 {
		return RetryPolicy{}, errors.New("negative duration")
	}
	d := DefaultRetryPolicy()
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = d.MaxRetries
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	p.MinBackoff = cmp.Or(p.MinBackoff, d.MinBackoff)
	p.MaxBackoff = cmp.Or(p.MaxBackoff, max(d.MaxBackoff, p.MinBackoff))
	p.MaxRetryAfter = cmp.Or(p.MaxRetryAfter, d.MaxRetryAfter)
	if p.MaxBackoff < p.MinBackoff {
		return RetryPolicy{}, errors.New("MaxBackoff below MinBackoff")
	}
	return p, nil
}

// pause returns how long to wait before attempt number next (2 for the first retry):
// the server's Retry-After if it gave one (with a 429 or 503), else exponential backoff
// with jitter. ok is false when the server asks for longer than the policy allows.
func (p RetryPolicy) pause(next int, resp *response, now time.Time) (d time.Duration, ok bool) {
	if resp != nil && (resp.status == http.StatusTooManyRequests || resp.status == http.StatusServiceUnavailable) {
		if after, found := retryAfter(resp.header, now); found {
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
	// Seconds (1*DIGIT): a number too large for a Duration asks for the longest pause.
	if secs, err := strconv.ParseUint(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if secs > math.MaxInt64/uint64(time.Second) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleepWithin sleeps for d, or returns ctx's error as soon as ctx ends; it does not start
// a pause that the context's deadline would cut short.
func sleepWithin(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return context.DeadlineExceeded
	}
	return sleep(ctx, d)
}

// stoppedError is the error of a call whose retries the context cut short: the last
// attempt's error, and the context's.
type stoppedError struct {
	last   error
	reason error
}

func (e *stoppedError) Error() string {
	return fmt.Sprintf("%v (stopped retrying: %v)", e.last, e.reason)
}

// Unwrap gives both the last error and the reason, for errors.Is and errors.As.
func (e *stoppedError) Unwrap() []error { return []error{e.last, e.reason} }
