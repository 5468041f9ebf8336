package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/pflag"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/internal/polling"
)

// redrawInterval is how often the in-place status line shows the new elapsed time.
const redrawInterval = 200 * time.Millisecond

// cancelTimeout bounds the Cancel Flow Instance call of --cancel-on-interrupt.
const cancelTimeout = 15 * time.Second

// waitOptions are the flags of wait and trigger --wait.
type waitOptions struct {
	poll, maxPoll     time.Duration
	cancelOnInterrupt bool
	quiet             bool
}

// register defines the waiting flags on fs.
func (o *waitOptions) register(fs *pflag.FlagSet) {
	fs.DurationVar(&o.poll, "poll", time.Second, "first pause between two polls (at least 1ms); it grows while nothing changes")
	fs.DurationVar(&o.maxPoll, "max-poll", 30*time.Second, "longest pause between two polls")
	fs.BoolVar(&o.cancelOnInterrupt, "cancel-on-interrupt", false,
		"cancel the flow instance when waiting stops early (Ctrl-C, SIGTERM, --timeout); by default it goes on")
	fs.BoolVar(&o.quiet, "quiet", false, "show no progress on stderr")
}

// check validates the options.
func (o *waitOptions) check() error {
	switch {
	case o.poll < batchprocessing.MinPollInterval || o.maxPoll < batchprocessing.MinPollInterval:
		return usagef("--poll and --max-poll must be at least %v: a shorter pause would only spin on the gateway", batchprocessing.MinPollInterval)
	case o.maxPoll < o.poll:
		return usagef("--max-poll %v is shorter than --poll %v: it is the longest pause, --poll the first", o.maxPoll, o.poll)
	}
	return nil
}

// waitFor polls the instance id until it ends, showing progress on stderr, and returns it.
// The pause between polls starts at --poll, grows by half while neither the status nor a
// task's state changes, up to --max-poll, and starts again after a change. When ctx ends
// first (Ctrl-C, SIGTERM, --timeout) it returns the last instance seen and a stoppedError,
// after cancelling the instance if --cancel-on-interrupt is given. Once the instance has
// been seen, a poll that fails as a passing outage does (no answer, a 5xx, 429, 62109) is
// shown as a note and waiting goes on, the pauses growing, until the instance ends or ctx
// does: a gateway restart must not fail a cron job while the flow runs on. Any other
// failure, or one of the first poll, ends the wait.
func (s *session) waitFor(ctx context.Context, c *batchprocessing.Client, id batchprocessing.FlowInstanceID,
	o waitOptions, since time.Time) (*batchprocessing.FlowInstance, error) {
	p := newProgress(s.stderr, s.getenv, o.quiet, since)
	s.showing(p)
	defer s.showing(nil)
	var redraw <-chan time.Time
	if p.tty {
		t := time.NewTicker(redrawInterval)
		defer t.Stop()
		redraw = t.C
	}
	var last *batchprocessing.FlowInstance
	lastLine := ""
	pauses := polling.NewSchedule(o.poll, o.maxPoll)
	for {
		fi, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
		var pause time.Duration
		switch {
		case err != nil && ctx.Err() != nil:
			return s.stopWaiting(ctx, c, id, last, o, p)
		case err != nil && last != nil && outagePasses(err):
			pause = pauses.Next(false)
			s.notify(fmt.Sprintf("polling %s failed, trying again in %s: %v", id, pause.Round(time.Millisecond), err))
		case err != nil:
			p.clear()
			return last, waitFailed(id, last, err)
		default:
			p.update(fi)
			last = fi
			if fi.Status.IsTerminal() {
				p.clear()
				return fi, nil
			}
			pause = pauses.Next(p.line != lastLine)
			lastLine = p.line
		}
		if !sleep(ctx, pause, redraw, p.tick) {
			return s.stopWaiting(ctx, c, id, last, o, p)
		}
	}
}

// outagePasses reports whether a poll failed as a passing outage of the gateway does: no
// answer (a *TransportError), an HTTP 5xx or 429, or 62109, the service's internal error.
func outagePasses(err error) bool {
	var transportErr *batchprocessing.TransportError
	var apiErr *batchprocessing.APIError
	switch {
	case errors.As(err, &transportErr):
		return true
	case errors.As(err, &apiErr):
		return apiErr.HTTPStatus >= 500 || apiErr.HTTPStatus == http.StatusTooManyRequests || apiErr.Code == batchprocessing.CodeInternalServer
	}
	return false
}

// waitFailed is the error of a wait that a failed poll ended: it says that the instance,
// once seen, goes on, and how to wait for it again.
func waitFailed(id batchprocessing.FlowInstanceID, last *batchprocessing.FlowInstance, err error) error {
	if last == nil {
		return fmt.Errorf("waiting for %s: %w", id, err)
	}
	return fmt.Errorf("waiting for %s (%s; it goes on, 'enosbatch wait %s' resumes): %w", id, last.Status, id, err)
}

// sleep waits for d, calling tick at each tick of redraw. It reports false when ctx ends
// first.
func sleep(ctx context.Context, d time.Duration, redraw <-chan time.Time, tick func()) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return true
		case <-redraw:
			tick()
		}
	}
}

// stopWaiting ends a wait that ctx stopped: it cancels the instance if asked, and returns
// the latest instance known with a stoppedError that says what happened.
func (s *session) stopWaiting(ctx context.Context, c *batchprocessing.Client, id batchprocessing.FlowInstanceID,
	last *batchprocessing.FlowInstance, o waitOptions, p *progress) (*batchprocessing.FlowInstance, error) {
	p.clear()
	why := s.stopReason(ctx.Err())
	state := "in an unknown state"
	if last != nil {
		state = last.Status.String()
	}
	if !o.cancelOnInterrupt {
		return last, &stoppedError{msg: fmt.Sprintf("%s: stopped waiting; %s is %s and goes on (not cancelled; 'enosbatch wait %s' resumes)",
			why, id, state, id)}
	}
	s.notify(fmt.Sprintf("%s: cancelling %s (waiting up to %s for the answer)", why, id, cancelTimeout))
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelTimeout)
	defer cancel()
	if err := c.CancelFlowInstance(cctx, batchprocessing.CancelFlowInstanceRequest{FlowInstanceID: id}); err != nil {
		if !cancelRefused(err) {
			return last, &stoppedError{msg: fmt.Sprintf("%s: stopped waiting; cancelling %s (%s): outcome unknown, it may or may not be cancelled "+
				"('enosbatch status %s' tells): %v", why, id, state, id, err)}
		}
		return last, &stoppedError{msg: fmt.Sprintf("%s: stopped waiting; cancelling %s (%s) failed: %v", why, id, state, err)}
	}
	if fi, err := c.GetFlowInstance(cctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id}); err == nil {
		last = fi
	}
	return last, &stoppedError{msg: fmt.Sprintf("%s: cancelled %s", why, id)}
}

// cancelRefused reports whether a cancel that failed is known not to have been done: it
// was never sent (an invalid request), or the service or the gateway refused it (an
// APIError below HTTP 500, other than 62109). Otherwise (no answer in time, a broken
// connection, a 5xx, an internal error) the instance may have been cancelled or not.
func cancelRefused(err error) bool {
	var apiErr *batchprocessing.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatus < 500 && apiErr.Code != batchprocessing.CodeInternalServer && !apiErr.Unexpected
	}
	return errors.Is(err, batchprocessing.ErrInvalidRequest)
}

// finishWait prints the outcome of a wait on stdout: the instance (--json) or a summary line,
// and returns the error that gives the exit code: a flowEndedError for an instance that did
// not succeed.
func (s *session) finishWait(fi *batchprocessing.FlowInstance, err error, since time.Time, text timeText) error {
	if fi != nil && (err == nil || exitCode(err) == exitInterrupted) {
		if s.g.json {
			if perr := s.printJSON(newInstanceView(fi, text)); perr != nil && err == nil {
				err = perr
			}
		} else if err == nil {
			head := fmt.Sprintf("%s %s after %.1fs", fi.FlowInstanceID, fi.Status, time.Since(since).Seconds())
			fmt.Fprintln(s.stdout, statusLine(head, taskSummary(taskStates(fi))))
		}
	}
	if err != nil {
		return err
	}
	if fi.Status != batchprocessing.StatusSuccess {
		return &flowEndedError{id: fi.FlowInstanceID, status: fi.Status}
	}
	return nil
}
