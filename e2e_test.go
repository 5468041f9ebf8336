package batchprocessing_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
	"github.com/jarcoal/httpmock"
)

// End-to-end tests of the client and the gateway: refusals, clock skew, token renewal, one
// client shared, and the ways a user's test reaches the reference server (a socket, or its
// Handler through httpmock). The server's wire types are its own, so these check the
// client against an independent implementation of the documentation.

// demoMinute is a trigger time in the past, so instances run at once.
var demoMinute = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func demoClient(t *testing.T, url string, opts ...batchprocessing.Option) *batchprocessing.Client {
	t.Helper()
	all := append([]batchprocessing.Option{
		batchprocessing.WithOrgID(refserver.DemoOrgID),
		batchprocessing.WithUserID(refserver.DemoUserID),
	}, opts...)
	c, err := batchprocessing.NewClient(url, refserver.DemoAccessKey, refserver.DemoSecretKey, all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func triggerAt(c *batchprocessing.Client, flowID int64, at time.Time) (batchprocessing.FlowInstanceID, error) {
	return c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: flowID, TriggerTime: at})
}

// TestEndToEndRefusals: the refusals of the reference gateway's token service (an unknown
// app, a wrong secret) and of the service (a flow without tasks) reach the caller typed,
// with their code, and the service's with the gateway's request id.
func TestEndToEndRefusals(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoBackend()
	for _, tt := range []struct {
		name, accessKey, secretKey string
		flowID                     int64
		sentinel                   error
		code                       int
		requestID                  bool // the service's answers carry one; the token service's do not
	}{
		{"unknown app", "someoneElse", refserver.DemoSecretKey, refserver.DemoFlowID, batchprocessing.ErrUnauthorized, 1002, false},
		{"wrong secret", refserver.DemoAccessKey, "notTheSecret", refserver.DemoFlowID, batchprocessing.ErrUnauthorized, 1003, false},
		{"flow without task", refserver.DemoAccessKey, refserver.DemoSecretKey, refserver.DemoEmptyFlowID, batchprocessing.ErrFlowHasNoTask, 62104, true},
	} {
		c, err := batchprocessing.NewClient("https://gateway.test", tt.accessKey, tt.secretKey, batchprocessing.WithHTTPClient(srv.Client()),
			batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID))
		if err != nil {
			t.Fatal(err)
		}
		_, err = triggerAt(c, tt.flowID, demoMinute)
		var apiErr *batchprocessing.APIError
		if !errors.Is(err, tt.sentinel) || !errors.As(err, &apiErr) || apiErr.Code != tt.code ||
			(apiErr.RequestID != "") != tt.requestID {
			t.Errorf("%s: err = %v, want %v (code %d, a request id %v)", tt.name, err, tt.sentinel, tt.code, tt.requestID)
		}
	}
}

// TestEndToEndClockSkewCorrected: when the client's clock drifts beyond the gateway's
// window, the gateway refuses the call with 401 and its Date; the client corrects its
// timestamps from it and the same call succeeds, once.
func TestEndToEndClockSkewCorrected(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(time.Now())
	srv := refserver.NewDemoServer()
	defer srv.Close()
	c := demoClient(t, srv.URL, batchprocessing.WithClock(clk.Now))
	if _, err := triggerAt(c, refserver.DemoFlowID, demoMinute); err != nil {
		t.Fatal(err)
	}
	clk.Advance(20 * time.Minute) // beyond the gateway's ±15 min window
	if _, err := triggerAt(c, refserver.DemoFlowID, demoMinute.Add(time.Minute)); err != nil {
		t.Fatalf("err = %v, want success after the clock correction", err)
	}
	if n := len(srv.FlowInstances(refserver.DemoFlowID)); n != 2 {
		t.Errorf("%d instances, want 2", n)
	}
}

// TestEndToEndTokenClockCorrected: a client whose clock is an hour off the gateway's, either
// way, gets its first token after one correction from the token service's Date. A clock an
// hour ahead must step its timestamps back, below the one it just used.
func TestEndToEndTokenClockCorrected(t *testing.T) {
	t.Parallel()
	for _, off := range []time.Duration{time.Hour, -time.Hour} {
		srvClock := refserver.NewManualClock(demoMinute)
		srv := refserver.NewDemoServer(refserver.WithClock(srvClock.Now))
		c := demoClient(t, srv.URL, batchprocessing.WithClock(func() time.Time { return srvClock.Now().Add(off) }))
		if _, err := triggerAt(c, refserver.DemoFlowID, demoMinute); err != nil {
			t.Errorf("clock %v off: err = %v, want success after the correction", off, err)
		}
		srv.Close()
	}
}

// TestEndToEndTokenRenewal runs client and server on one clock through several token
// lifetimes: the client renews ahead of expiry and never sends an expired token.
func TestEndToEndTokenRenewal(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(demoMinute)
	srv := refserver.NewDemoServer(refserver.WithClock(clk.Now), refserver.WithTokenLifetime(10*time.Minute))
	defer srv.Close()
	var tokenCalls atomic.Int32
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/apim-token-service/") {
			tokenCalls.Add(1)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer counting.Close()
	c := demoClient(t, counting.URL, batchprocessing.WithClock(clk.Now))
	for i := 0; i < 40; i++ { // 40 minutes: four token lifetimes
		if _, err := triggerAt(c, refserver.DemoFlowID, clk.Now()); err != nil {
			t.Fatalf("minute %d: %v", i, err)
		}
		clk.Advance(time.Minute)
	}
	if n := tokenCalls.Load(); n < 4 || n > 6 {
		t.Errorf("%d token requests over four lifetimes, want about 4", n)
	}
}

// TestEndToEndSharedClient has 64 goroutines share one client: every trigger succeeds,
// each minute gets one instance, and the client fetches one token.
func TestEndToEndSharedClient(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoServer()
	defer srv.Close()
	var tokenCalls atomic.Int32
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/apim-token-service/") {
			tokenCalls.Add(1)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer counting.Close()
	c := demoClient(t, counting.URL)
	const n = 64
	var wg sync.WaitGroup
	ids := make([]batchprocessing.FlowInstanceID, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ids[i], errs[i] = triggerAt(c, refserver.DemoFlowID, demoMinute.Add(time.Duration(i)*time.Minute))
		}(i)
	}
	wg.Wait()
	seen := map[batchprocessing.FlowInstanceID]bool{}
	for i := range ids {
		if errs[i] != nil {
			t.Fatalf("trigger %d: %v", i, errs[i])
		}
		seen[ids[i]] = true
	}
	if len(seen) != n || len(srv.FlowInstances(refserver.DemoFlowID)) != n {
		t.Errorf("%d distinct ids and %d instances, want %d", len(seen), len(srv.FlowInstances(refserver.DemoFlowID)), n)
	}
	if got := tokenCalls.Load(); got != 1 {
		t.Errorf("%d token requests, want 1", got)
	}
}

// TestEndToEndWithoutSockets plugs the reference server's Handler into httpmock, as a
// user's unit test can: no port is opened.
func TestEndToEndWithoutSockets(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoServer()
	defer srv.Close()
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		resp := rec.Result()
		resp.Request = req
		return resp, nil
	})
	c := demoClient(t, "https://gateway.invalid", batchprocessing.WithHTTPClient(&http.Client{Transport: mt}))
	id, err := triggerAt(c, refserver.DemoFlowID, demoMinute)
	if err != nil || id != "3377-20261101080000" {
		t.Fatalf("id %q, err %v", id, err)
	}
	if n := mt.GetTotalCallCount(); n != 2 {
		t.Errorf("%d round trips, want 2 (token, trigger)", n)
	}
}

// TestEndToEndNewClientsInOneMillisecond: clients of one app that ask for a token in the
// same millisecond collide on the encryption (the gateway answers 1001 to all but the
// first); each resends with a later timestamp and gets its token.
func TestEndToEndNewClientsInOneMillisecond(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(time.Now()) // stands still: every request in one millisecond
	srv := refserver.NewDemoServer(refserver.WithClock(clk.Now))
	defer srv.Close()
	for i := 0; i < 5; i++ {
		c := demoClient(t, srv.URL, batchprocessing.WithClock(clk.Now))
		if _, err := c.GetCurrentTime(context.Background()); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
	}
}

// clientOff starts a demo server on a manual clock at demoMinute, closed when the test ends,
// and returns it, its clock, and a fresh client whose clock is off from the server's.
func clientOff(t *testing.T, off time.Duration) (*refserver.Server, *refserver.ManualClock, *batchprocessing.Client) {
	t.Helper()
	srvClock := refserver.NewManualClock(demoMinute)
	srv := refserver.NewDemoServer(refserver.WithClock(srvClock.Now))
	t.Cleanup(srv.Close)
	return srv, srvClock, demoClient(t, srv.URL, batchprocessing.WithClock(func() time.Time { return srvClock.Now().Add(off) }))
}

// TestEndToEndTriggerNowOnTheGatewaysClock: a trigger "now" from a fresh client whose clock
// is off, either way, runs at the gateway's minute: the time follows the correction its own
// token request brings, from the Date of the answer: a refusal of its timestamp when the
// clock is an hour off, the token itself when it is off by less than the gateway's window
// (the reference server's is 15 minutes) but by a minute or more. The correction by a
// refused call is TestTriggerNowFollowsTheClock's.
func TestEndToEndTriggerNowOnTheGatewaysClock(t *testing.T) {
	t.Parallel()
	for _, off := range []time.Duration{time.Hour, -time.Hour, 10 * time.Minute, -10 * time.Minute, 90 * time.Second, -90 * time.Second} {
		t.Run(off.String(), func(t *testing.T) {
			t.Parallel()
			_, _, c := clientOff(t, off)
			id, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
			if err != nil {
				t.Fatal(err)
			}
			if at, err := id.Time(time.UTC); err != nil || !at.Equal(demoMinute) {
				t.Errorf("instance %s runs at %v (%v), want the gateway's minute %v", id, at, err, demoMinute)
			}
		})
	}
}

// TestEndToEndTriggerNowToTheMillisecond: a Date holds whole seconds. A fresh client an
// hour off reads now 0.3 s into the gateway's minute, and its token request takes half a
// second, answered with a Date of the minute's first second: corrected from the Date
// alone, now would fall 0.25 s into the minute before. The client makes the correction
// exact with Get Current Time (a round trip of 20 ms), and the trigger runs at the minute
// it was made in; also when another call of the fresh client that reads the time as now
// (a listing), which sent the token request and signs first, started the refinement: the
// trigger waits for that one refinement.
func TestEndToEndTriggerNowToTheMillisecond(t *testing.T) {
	t.Parallel()
	for _, beside := range []bool{false, true} {
		srvClock := refserver.NewManualClock(demoMinute.Add(300 * time.Millisecond))
		backend := refserver.NewDemoBackend(refserver.WithClock(srvClock.Now))
		var tokenRequests, refinements atomic.Int32
		tokenAsked := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case strings.HasPrefix(r.URL.Path, "/apim-token-service/") && tokenRequests.Add(1) == 1:
				if beside {
					close(tokenAsked)
					time.Sleep(50 * time.Millisecond) // the trigger reads now, and waits for this token
				}
				srvClock.Advance(500 * time.Millisecond) // the first token request takes half a second
			case r.URL.Query().Get("action") == "getCurrentTime":
				refinements.Add(1)
				if beside {
					time.Sleep(50 * time.Millisecond) // the trigger signs meanwhile, unless it waits
				}
				srvClock.Advance(20 * time.Millisecond)
			}
			backend.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		c := demoClient(t, srv.URL, batchprocessing.WithClock(func() time.Time { return srvClock.Now().Add(time.Hour) }))
		var wg sync.WaitGroup
		if beside {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.ListFlowInstances(context.Background(), batchprocessing.ListFlowInstancesRequest{}); err != nil {
					t.Error(err)
				}
			}()
			<-tokenAsked
		}
		id, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if at, err := id.Time(time.UTC); err != nil || !at.Equal(demoMinute) {
			t.Errorf("a call beside it %v: instance %s runs at %v (%v), want the minute of the call %v", beside, id, at, err, demoMinute)
		}
		if n := refinements.Load(); n != 1 {
			t.Errorf("a call beside it %v: %d Get Current Time requests, want one refinement", beside, n)
		}
	}
}

// TestEndToEndRefinementNeverFailsACall: a Get Current Time that never answers, or that is
// refused, leaves the correction read from the Date, and the trigger that waits for the
// refinement goes on (it gives up after a second); nothing is logged above debug level.
func TestEndToEndRefinementNeverFailsACall(t *testing.T) {
	t.Parallel()
	for _, answer := range []func(http.ResponseWriter, *http.Request){
		func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
		func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) },
	} {
		srvClock := refserver.NewManualClock(demoMinute)
		backend := refserver.NewDemoBackend(refserver.WithClock(srvClock.Now))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("action") == "getCurrentTime" {
				answer(w, r)
				return
			}
			backend.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		var logged strings.Builder
		c := demoClient(t, srv.URL, batchprocessing.WithClock(func() time.Time { return srvClock.Now().Add(time.Hour) }),
			batchprocessing.WithLogger(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))))
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
		cancel()
		if err != nil {
			t.Errorf("TriggerFlow: %v", err)
		}
		if strings.Contains(logged.String(), "GetCurrentTime") {
			t.Errorf("the refinement logged above debug level:\n%s", logged.String())
		}
	}
}

// TestEndToEndClockSteppedAfterTheDate: a clock 40 s behind is corrected from the token
// answer's Date; then it is stepped a minute ahead (NTP, a resumed VM). The trigger "now"
// that follows takes Get Current Time's answer, though it is far from what the stale Date
// says, and runs at the gateway's minute.
func TestEndToEndClockSteppedAfterTheDate(t *testing.T) {
	t.Parallel()
	srvClock := refserver.NewManualClock(demoMinute.Add(20 * time.Second))
	srv := refserver.NewDemoServer(refserver.WithClock(srvClock.Now))
	t.Cleanup(srv.Close)
	var off atomic.Int64
	off.Store(int64(-40 * time.Second))
	c := demoClient(t, srv.URL, batchprocessing.WithClock(func() time.Time { return srvClock.Now().Add(time.Duration(off.Load())) }))
	if _, err := c.ServerLocation(context.Background()); err != nil { // the token answer's Date corrects the clock
		t.Fatal(err)
	}
	off.Store(int64(20 * time.Second)) // stepped a minute ahead
	id, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
	if err != nil {
		t.Fatal(err)
	}
	if at, err := id.Time(time.UTC); err != nil || !at.Equal(demoMinute) {
		t.Errorf("instance %s runs at %v (%v), want the gateway's minute %v", id, at, err, demoMinute)
	}
}

// TestEndToEndListingOnTheGatewaysClock: a fresh client whose clock is off, either way,
// lists the last week on the gateway's clock: its first request's token request corrects
// the clock, refused (an hour off) or not (ten minutes off), and the range follows.
func TestEndToEndListingOnTheGatewaysClock(t *testing.T) {
	t.Parallel()
	week := 7 * 24 * time.Hour
	for _, off := range []time.Duration{time.Hour, -time.Hour, 10 * time.Minute, -10 * time.Minute} {
		t.Run(off.String(), func(t *testing.T) {
			t.Parallel()
			srv, srvClock, c := clientOff(t, off)
			synced := demoClient(t, srv.URL, batchprocessing.WithClock(srvClock.Now))
			var want []string
			// Five minutes inside either end: a range on the client's clock leaves one out.
			for _, at := range []time.Time{demoMinute.Add(-5 * time.Minute), demoMinute.Add(-week + 5*time.Minute)} {
				id, err := triggerAt(synced, refserver.DemoFlowID, at)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, id.String())
			}
			page, err := c.ListFlowInstances(context.Background(), batchprocessing.ListFlowInstancesRequest{}) // newest first
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, fi := range page.FlowInstances {
				got = append(got, fi.InstanceID.String())
			}
			if !slices.Equal(got, want) {
				t.Errorf("the last week holds %v, want %v", got, want)
			}
		})
	}
}
