package batchprocessing

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/enos-go/batchprocessing/internal/polling"
)

// Polling defaults of WaitForFlowInstance.
const (
	DefaultPollInterval    = time.Second
	DefaultMaxPollInterval = 30 * time.Second
	// MinPollInterval, a millisecond, is the shortest pause WithPollInterval takes: a
	// shorter one is raised to it, so that a wait never spins on the gateway (a pause of a
	// nanosecond would not even grow, half of it being nothing). Like every pause, it is cut
	// by up to a tenth at random: polls come at least 0.9 ms apart.
	MinPollInterval = polling.MinInterval
)

// WaitOption configures Client.WaitForFlowInstance.
type WaitOption func(*waitSettings)

type waitSettings struct {
	first, max    time.Duration
	onChange      func(*FlowInstance)
	orgID, userID string
}

// WithPollInterval sets the first pause between two polls and its cap: the pause grows by
// half after each poll without a change, up to max, and starts again from first after a
// change. Values <= 0 keep the defaults (DefaultPollInterval, DefaultMaxPollInterval),
// values under MinPollInterval (1 ms) are raised to it, and a first above max raises the
// cap to first. The cap is how late the end of a quiet run may be seen. Each waiter sends
// one Get Flow Instance request per pause, and each pause is cut by up to a tenth at random
// so that waiters do not poll in step: a cap of 1 s means 60 to 67 requests a minute per
// run waited for, the default cap of 30 s two or three.
func WithPollInterval(first, max time.Duration) WaitOption {
	return func(s *waitSettings) {
		if first > 0 {
			s.first = first
		}
		if max > 0 {
			s.max = max
		}
	}
}

// WithStatusChange makes WaitForFlowInstance call fn with the instance when it first sees
// it and each time its status changes, the terminal status included. fn runs on the
// waiting goroutine; it must not keep the instance after it returns.
func WithStatusChange(fn func(*FlowInstance)) WaitOption {
	return func(s *waitSettings) { s.onChange = fn }
}

// WithWaitIdentity sets the orgId and userId of the polls; by default the client's.
func WithWaitIdentity(orgID, userID string) WaitOption {
	return func(s *waitSettings) { s.orgID, s.userID = orgID, userID }
}

// WaitForFlowInstance polls Get Flow Instance until the instance reaches a terminal status
// (FlowInstanceStatus.IsTerminal) and returns it:
//
//   - SUCCESS: the instance and a nil error;
//   - FAIL, CANCEL, TIMEOUT, SKIP or INTERNAL_ERROR: the instance and a
//     *FlowInstanceFailedError, which matches ErrFlowInstanceFailed, so that
//     `if err != nil` catches a run that did not succeed;
//   - a poll that fails, or ctx ending: the last instance seen (nil if none) and the error.
//
// The pause between polls grows by half after each poll without a change, from the first to
// the maximum poll interval (WithPollInterval: 1 s and 30 s by default), and restarts from
// the first after a status change. So a run that has been quiet for a while is polled every
// 30 s, and its end is seen up to 30 s late; a shorter maximum sees it sooner, at one Get
// Flow Instance request per interval for each waiting caller.
//
// EnOS API docs: https://support.enos-iot.com/docs/batch-processing-api/en/2.3.0/v2.1/get_flow_instance.html
func (c *Client) WaitForFlowInstance(ctx context.Context, id FlowInstanceID, opts ...WaitOption) (*FlowInstance, error) {
	const op = "WaitForFlowInstance"
	if ctx == nil {
		return nil, invalid(op, "context", "nil context.Context")
	}
	if err := checkFlowInstanceID(op, id); err != nil {
		return nil, err
	}
	s := waitSettings{first: DefaultPollInterval, max: DefaultMaxPollInterval}
	for _, opt := range opts {
		if opt != nil {
			opt(&s)
		}
	}

	var last *FlowInstance
	pauses := polling.NewSchedule(s.first, s.max)
	for {
		fi, err := c.GetFlowInstance(ctx, GetFlowInstanceRequest{FlowInstanceID: id, OrgID: s.orgID, UserID: s.userID})
		if err != nil {
			return last, err
		}
		changed := last == nil || fi.Status != last.Status
		if changed && s.onChange != nil {
			s.onChange(fi)
		}
		last = fi
		if fi.Status.IsTerminal() {
			if fi.Status != StatusSuccess {
				return fi, &FlowInstanceFailedError{Instance: fi}
			}
			return fi, nil
		}
		if err := sleep(ctx, jitter(pauses.Next(changed))); err != nil {
			return last, contextEnded(op, http.MethodGet, flowInstancesPath, err)
		}
	}
}

// jitter spreads a pause over [90%, 100%] of d, so that many waiters do not poll in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d - time.Duration(rand.Int64N(int64(d)/10+1))
}

// sleep waits for d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
