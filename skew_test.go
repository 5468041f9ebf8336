package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// TestSkewClockRefine: a correction read from a Date is marked coarse; Get Current Time's
// answer makes it exact when its round trip is short and it lies within ten minutes of the
// Date's second, give or take half the round trip that brought the Date and its own round
// trip (the client's clock may have drifted or been stepped since), and is ignored
// otherwise (another unit, a local time).
func TestSkewClockRefine(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 1, 0, 10, 0, 0, time.UTC)
	server := base.Add(time.Hour + 400*time.Millisecond) // the gateway an hour and 0.4 s ahead
	ms := time.Millisecond
	for _, tt := range []struct {
		name       string
		dateTrip   time.Duration // of the response whose Date made the correction
		answer     time.Time     // Get Current Time's, at the middle of its round trip
		start, end time.Time
		refined    bool
	}{
		{"exact", 0, server, base.Add(-10 * ms), base.Add(10 * ms), true},
		{"a round trip over a second", 0, server, base.Add(-600 * ms), base.Add(600 * ms), false},
		{"a round trip backwards", 0, server, base.Add(10 * ms), base.Add(-10 * ms), false},
		{"seconds, not milliseconds", 0, time.UnixMilli(server.Unix()), base, base, false},
		{"a local time eight hours ahead", 0, server.Add(8 * time.Hour), base, base, false},
		{"a local time a quarter of an hour behind", 0, server.Add(-15 * time.Minute), base, base, false},
		{"the client stepped a minute ahead since the Date", 0, server.Add(-time.Minute), base, base, true},
		{"the client stepped nine minutes behind since the Date", 0, server.Add(9 * time.Minute), base, base, true},
		{"eleven minutes past the Date's second", 0, server.Add(11 * time.Minute), base, base, false},
		{"ten minutes and two seconds past, the Date having taken three", 3 * time.Second, server.Add(10*time.Minute + 2*time.Second), base, base, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &skewClock{base: func() time.Time { return base }}
			date := http.Header{"Date": {server.Format(http.TimeFormat)}} // 0.4 s cut off
			if !s.observe(date, base.Add(-tt.dateTrip/2), base.Add(tt.dateTrip/2)) || s.coarse() == nil || s.Offset() != time.Hour {
				t.Fatalf("observe: offset %v, coarse %v; want an hour, coarse", s.Offset(), s.coarse())
			}
			want := time.Hour
			if tt.refined {
				want = tt.answer.Sub(tt.start.Add(tt.end.Sub(tt.start) / 2))
			}
			coarse := s.coarse()
			if got := s.refine(coarse, tt.answer, tt.start, tt.end); got != tt.refined || s.Offset() != want || (s.coarse() == nil) != tt.refined {
				t.Errorf("refine: %v, offset %v, coarse %v; want %v, %v", got, s.Offset(), s.coarse(), tt.refined, want)
			}
		})
	}
}

// TestSkewClockRefinesOnlyItsCorrection: a correction a Date makes while another is being
// refined is neither replaced by that refinement nor settled by its failure: it stays
// coarse, for the next refinement.
func TestSkewClockRefinesOnlyItsCorrection(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 1, 0, 10, 0, 0, time.UTC)
	s := &skewClock{base: func() time.Time { return base }}
	dateAhead := func(d time.Duration) http.Header { return http.Header{"Date": {base.Add(d).Format(http.TimeFormat)}} }
	s.observe(dateAhead(time.Hour), base, base)
	refining := s.coarse()
	s.observe(dateAhead(2*time.Hour), base, base) // meanwhile
	if s.refine(refining, base.Add(time.Hour), base, base) || s.Offset() != 2*time.Hour || s.coarse() == nil {
		t.Errorf("a refinement of the replaced correction: offset %v, coarse %v; want two hours, coarse", s.Offset(), s.coarse())
	}
	s.settle(refining)
	if s.coarse() == nil {
		t.Error("settling the replaced correction settled the new one")
	}
	s.settle(s.coarse())
	if s.coarse() != nil || s.Offset() != 2*time.Hour {
		t.Errorf("settled: offset %v, coarse %v; want two hours, final", s.Offset(), s.coarse())
	}
}

// refinementClient returns a client whose first token request brings a Date an hour ahead
// of its clock, with Get Timezone and List Flow Instances answering, and Get Current Time
// answering as currentTime does.
func refinementClient(t *testing.T, currentTime httpmock.Responder) (*Client, *httpmock.MockTransport) {
	t.Helper()
	c, mt, _ := newTestClient(t)
	hourAhead := time.UnixMilli(testNowMillis).Add(time.Hour).Format(http.TimeFormat)
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder(testToken, 7200).HeaderSet(http.Header{"Date": {hourAhead}}))
	mt.RegisterResponder(http.MethodGet, testEndpoint+timePath, func(r *http.Request) (*http.Response, error) {
		if r.URL.Query().Get("action") == "getCurrentTime" {
			return currentTime(r)
		}
		return okData(`{"timezone":"GMT+8"}`)(r)
	})
	mt.RegisterResponder(http.MethodPost, searchURL, okData(`{"flowInsts":[],"count":0}`))
	return c, mt
}

// listNow lists the last week, a call that reads the time as now.
func listNow(ctx context.Context, c *Client) error {
	_, err := c.ListFlowInstances(ctx, ListFlowInstancesRequest{Types: []FlowType{FlowTypeManual}})
	return err
}

// TestRefinementRefusesACachedAnswer: a Get Current Time answer from a cache (an Age
// header) says nothing of the clock now: the correction read from the Date stays.
func TestRefinementRefusesACachedAnswer(t *testing.T) {
	t.Parallel()
	later := strconv.FormatInt(testNowMillis+time.Hour.Milliseconds()+400, 10) // in the Date's second
	for _, tt := range []struct {
		age  string
		want time.Duration
	}{
		{"", time.Hour + 400*time.Millisecond},
		{"1", time.Hour},
	} {
		answer := okData(later)
		if tt.age != "" {
			answer = answer.HeaderSet(http.Header{"Age": {tt.age}})
		}
		c, _ := refinementClient(t, answer)
		if err := listNow(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		if got := c.clock.Offset(); got != tt.want || c.clock.coarse() != nil {
			t.Errorf("Age %q: offset %v, coarse %v; want %v, settled", tt.age, got, c.clock.coarse(), tt.want)
		}
	}
}

// TestRefinementOnlyForNow: only a call that reads the time as now refines a correction
// read from a Date, and waits for it; the refinement runs on its own: it ends, and settles
// or refines the correction, though the calls that waited for it ended first. Calls
// waiting for it stop at their contexts' ends.
func TestRefinementOnlyForNow(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var asked atomic.Int32
	exact := strconv.FormatInt(testNowMillis+time.Hour.Milliseconds()+400, 10)
	c, _ := refinementClient(t, func(r *http.Request) (*http.Response, error) {
		asked.Add(1)
		select {
		case <-release: // answered once the waiting calls below have given up
			return okData(exact)(r)
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	})
	if _, err := c.ServerLocation(context.Background()); err != nil || c.clock.coarse() == nil || asked.Load() != 0 {
		t.Fatalf("a call without now: %v, coarse %v, %d refinements; want no refinement", err, c.clock.coarse(), asked.Load())
	}
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := listNow(ctx, c)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a call with now, waiting: %v; want its context's end", err)
		}
	}
	close(release)
	if err := listNow(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if n, got := asked.Load(), c.clock.Offset(); n != 1 || got != time.Hour+400*time.Millisecond || c.clock.coarse() != nil {
		t.Errorf("%d Get Current Time requests, offset %v; want one refinement, to an hour and 0.4 s", n, got)
	}
}

// TestRefinementOfTheCorrectionInForce: a Date that corrects the clock again while a
// refinement runs makes the calls waiting for it refine the new correction, not take it
// as it came from the Date.
func TestRefinementOfTheCorrectionInForce(t *testing.T) {
	t.Parallel()
	reached, release := make(chan struct{}), make(chan struct{})
	var asked atomic.Int32
	c, _ := refinementClient(t, func(r *http.Request) (*http.Response, error) {
		if asked.Add(1) == 1 {
			close(reached)
			<-release
			return okData(strconv.FormatInt(testNowMillis+time.Hour.Milliseconds()+400, 10))(r)
		}
		return okData(strconv.FormatInt(testNowMillis+2*time.Hour.Milliseconds()+300, 10))(r)
	})
	first := make(chan error, 1)
	go func() { first <- listNow(context.Background(), c) }()
	<-reached // refining the first correction, an hour
	now := time.UnixMilli(testNowMillis)
	c.clock.observe(http.Header{"Date": {now.Add(2 * time.Hour).Format(http.TimeFormat)}}, now, now)
	second := make(chan error, 1)
	go func() { second <- listNow(context.Background(), c) }()
	time.Sleep(20 * time.Millisecond) // the second call waits for the first refinement (or starts its own)
	close(release)
	if err := errors.Join(<-first, <-second); err != nil {
		t.Fatal(err)
	}
	if n, got := asked.Load(), c.clock.Offset(); n != 2 || got != 2*time.Hour+300*time.Millisecond || c.clock.coarse() != nil {
		t.Errorf("%d refinements, offset %v, coarse %v; want two, two hours and 0.3 s, final", n, got, c.clock.coarse())
	}
}

// TestRefinementPassesBounded: Dates that keep replacing the correction during each
// refinement hold a call for maxRefinePasses refinements, not for ever.
func TestRefinementPassesBounded(t *testing.T) {
	t.Parallel()
	var asked atomic.Int32
	var c *Client
	c, _ = refinementClient(t, func(r *http.Request) (*http.Response, error) {
		n := asked.Add(1)
		now := time.UnixMilli(testNowMillis)
		off := time.Hour + time.Duration(n)*time.Minute // another Date, a minute further each time
		c.clock.observe(http.Header{"Date": {now.Add(off).Format(http.TimeFormat)}}, now, now)
		return okData(strconv.FormatInt(testNowMillis+off.Milliseconds(), 10))(r)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := listNow(ctx, c); err != nil || asked.Load() != maxRefinePasses {
		t.Errorf("listing: %v after %d refinements; want it done after %d", err, asked.Load(), maxRefinePasses)
	}
}
