package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// statusSequence answers Get Flow Instance with the given statuses, one per poll, and
// repeats the last.
func statusSequence(statuses ...FlowInstanceStatus) (httpmock.Responder, *atomic.Int32) {
	var polls atomic.Int32
	return func(req *http.Request) (*http.Response, error) {
		n := int(polls.Add(1)) - 1
		s := statuses[min(n, len(statuses)-1)]
		return okData(fmt.Sprintf(`{"instanceId":"3377-20191122012300","flowId":3377,"status":%d}`, int(s)))(req)
	}, &polls
}

func TestWaitForFlowInstance(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	responder, polls := statusSequence(StatusWait, StatusWait, StatusRunning, StatusRunning, StatusRunning, StatusSuccess)
	mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath, responder)
	var seen []FlowInstanceStatus
	fi, err := c.WaitForFlowInstance(context.Background(), "3377-20191122012300",
		WithPollInterval(time.Millisecond, 4*time.Millisecond),
		WithStatusChange(func(fi *FlowInstance) { seen = append(seen, fi.Status) }))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Status != StatusSuccess || polls.Load() != 6 {
		t.Errorf("ended %v after %d polls, want SUCCESS after 6", fi.Status, polls.Load())
	}
	if want := []FlowInstanceStatus{StatusWait, StatusRunning, StatusSuccess}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("status changes %v, want %v", seen, want)
	}
}

// TestWaitForFlowInstanceIdentity: WithWaitIdentity makes the polls ask as that user.
func TestWaitForFlowInstanceIdentity(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	var rec recorder
	responder, _ := statusSequence(StatusRunning, StatusSuccess)
	mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath, rec.wrap(responder))
	if _, err := c.WaitForFlowInstance(context.Background(), "3377-20191122012300",
		WithWaitIdentity("o2", "u2"), WithPollInterval(time.Millisecond, time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	for _, r := range reqs {
		if u, err := url.Parse(r.url); err != nil || u.Query().Get("orgId") != "o2" || u.Query().Get("userId") != "u2" {
			t.Errorf("poll %s, want orgId o2 and userId u2", r.url)
		}
	}
	if len(reqs) != 2 {
		t.Errorf("%d polls, want 2", len(reqs))
	}
}

// TestWaitForFlowInstanceFailedRun: every terminal status but SUCCESS is an error that
// matches ErrFlowInstanceFailed and carries the final instance.
func TestWaitForFlowInstanceFailedRun(t *testing.T) {
	t.Parallel()
	for _, status := range []FlowInstanceStatus{StatusFail, StatusCancel, StatusTimeout, StatusSkip, StatusInternalError} {
		c, mt, _ := newTestClient(t)
		responder, _ := statusSequence(StatusRunning, status)
		mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath, responder)
		fi, err := c.WaitForFlowInstance(context.Background(), "3377-20191122012300", WithPollInterval(time.Millisecond, time.Millisecond))
		var failed *FlowInstanceFailedError
		if !errors.Is(err, ErrFlowInstanceFailed) || !errors.As(err, &failed) || failed.Instance.Status != status ||
			fi == nil || fi.Status != status {
			t.Errorf("%v: instance %+v, err %v; want the instance and ErrFlowInstanceFailed", status, fi, err)
		}
		if err != nil && err.Error() != "batchprocessing: flow instance 3377-20191122012300 ended "+status.String() {
			t.Errorf("%v: Error() = %q", status, err)
		}
	}
}

func TestWaitForFlowInstanceStops(t *testing.T) {
	t.Parallel()
	t.Run("context ends", func(t *testing.T) {
		t.Parallel()
		w := waitOnRunning(t, 30*time.Millisecond, WithPollInterval(time.Millisecond, 5*time.Millisecond))
		if !errors.Is(w.err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", w.err)
		}
		if w.last == nil || w.last.Status != StatusRunning {
			t.Errorf("last instance %+v, want the running one", w.last)
		}
		if w.took > 2*time.Second {
			t.Error("waited past the context")
		}
	})
	t.Run("long pause cut by the context", func(t *testing.T) {
		t.Parallel()
		w := waitOnRunning(t, 50*time.Millisecond, WithPollInterval(time.Hour, time.Hour))
		err := w.err
		if !errors.Is(err, context.DeadlineExceeded) || w.polls != 1 || w.took > 2*time.Second {
			t.Errorf("err = %v after %d polls and %v", err, w.polls, w.took)
		}
		// Between polls too, the error is one of the SDK's types.
		var te *TransportError
		if !errors.As(err, &te) || te.Operation != "WaitForFlowInstance" || te.Timeout() {
			t.Errorf("err = %#v, want a *TransportError of WaitForFlowInstance that is not a Timeout", err)
		}
	})
	t.Run("poll error", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath,
			httpmock.NewStringResponder(200, `{"code":62102,"msg":"Instance not found"}`))
		_, err := c.WaitForFlowInstance(context.Background(), "3377-20191122012300", WithPollInterval(time.Millisecond, time.Millisecond))
		if !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("bad id", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		_, err := c.WaitForFlowInstance(context.Background(), "3377")
		if !errors.Is(err, ErrInvalidRequest) || mt.GetTotalCallCount() != 0 {
			t.Errorf("err = %v", err)
		}
	})
}

func TestWaitBackoffGrowsAndCaps(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	responder, _ := statusSequence(StatusRunning, StatusRunning, StatusRunning, StatusRunning, StatusRunning, StatusRunning, StatusSuccess)
	var stamps []time.Time
	mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath, func(req *http.Request) (*http.Response, error) {
		stamps = append(stamps, time.Now())
		return responder(req)
	})
	if _, err := c.WaitForFlowInstance(context.Background(), "3377-20191122012300", WithPollInterval(10*time.Millisecond, 20*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	// Pauses: 10, 15, 20, 20, 20, 20 ms (minus up to 10% jitter): never above the cap,
	// never below 90% of the first.
	for i := 1; i < len(stamps); i++ {
		if d := stamps[i].Sub(stamps[i-1]); d < 9*time.Millisecond {
			t.Errorf("pause %d = %v, shorter than the first interval", i, d)
		}
	}
	if total := stamps[len(stamps)-1].Sub(stamps[0]); total < 90*time.Millisecond {
		t.Errorf("six pauses took %v; the backoff did not grow", total)
	}
}

// TestWaitForFlowInstanceNeverSpins: a wait given a pause of a nanosecond polls at most
// once a millisecond (MinPollInterval, less a tenth of jitter), not as fast as answers come.
func TestWaitForFlowInstanceNeverSpins(t *testing.T) {
	t.Parallel()
	w := waitOnRunning(t, 50*time.Millisecond, WithPollInterval(time.Nanosecond, time.Nanosecond))
	if !errors.Is(w.err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", w.err)
	}
	// One poll, then one per pause of at least 0.9 ms: a count, never more on a slow machine.
	if most := 1 + int32(w.took/(900*time.Microsecond)); w.polls > most {
		t.Errorf("%d polls in %v, want at most %d", w.polls, w.took, most)
	}
}

// waitOutcome is what a wait returned, how many polls it made and how long it took.
type waitOutcome struct {
	last  *FlowInstance
	err   error
	polls int32
	took  time.Duration
}

// waitOnRunning waits, with opts, for an instance that stays RUNNING, under a context that
// ends after d.
func waitOnRunning(t *testing.T, d time.Duration, opts ...WaitOption) waitOutcome {
	t.Helper()
	c, mt, _ := newTestClient(t)
	responder, polls := statusSequence(StatusRunning)
	mt.RegisterResponder(http.MethodGet, testEndpoint+flowInstancesPath, responder)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	last, err := c.WaitForFlowInstance(ctx, "3377-20191122012300", opts...)
	return waitOutcome{last: last, err: err, polls: polls.Load(), took: time.Since(start)}
}
