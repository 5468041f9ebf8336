package batchprocessing_test

import (
	"context"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// berlin is a zone with daylight saving: GMT+1 in winter, GMT+2 from 2026-03-29 01:00 UTC
// to 2026-10-25 01:00 UTC. Get Timezone answers the offset in force on the server's clock.
func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	return loc
}

// berlinServer starts a demo server in Berlin on a manual clock at at, closed when the test
// ends, and returns the zone, the clock and the server.
func berlinServer(t *testing.T, at time.Time) (*time.Location, *refserver.ManualClock, *refserver.Server) {
	t.Helper()
	loc := berlin(t)
	clk := refserver.NewManualClock(at)
	srv := refserver.NewDemoServer(refserver.WithClock(clk.Now), refserver.WithLocation(loc))
	t.Cleanup(srv.Close)
	return loc, clk, srv
}

// checkTriggered checks the invariant of every successful trigger: the id returned is that
// of an instance that exists and was created for the minute asked for.
func checkTriggered(t *testing.T, srv interface {
	FlowInstances(int64) []refserver.FlowInstance
}, loc *time.Location, at time.Time, id batchprocessing.FlowInstanceID) {
	t.Helper()
	if want := batchprocessing.FlowInstanceIDFor(refserver.DemoFlowID, at, loc); id != want {
		t.Errorf("trigger of %s returned %s, want %s", at.UTC().Format(time.RFC3339), id, want)
	}
	for _, in := range srv.FlowInstances(refserver.DemoFlowID) {
		if in.ID == string(id) {
			if got := in.TriggerTime.Truncate(time.Minute); !got.Equal(at.Truncate(time.Minute)) {
				t.Errorf("%s was triggered for %s, not %s", id, got.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
			}
			return
		}
	}
	t.Errorf("%s does not exist", id)
}

// TestDaylightSavingBackfill: from a winter clock, a backfill of a summer minute whose
// first attempt is refused unprocessed (502) must create that minute's instance, not
// return the instance an hour earlier that a winter offset would name.
func TestDaylightSavingBackfill(t *testing.T) {
	t.Parallel()
	loc, clk, srv := berlinServer(t, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
	c := demoClient(t, srv.URL, batchprocessing.WithClock(clk.Now),
		batchprocessing.WithRetryPolicy(batchprocessing.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	if _, err := c.ServerLocation(context.Background()); err != nil { // the client learns "GMT+1"
		t.Fatal(err)
	}

	earlier := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) // 11:00 CEST, 10:00 in GMT+1
	id, err := triggerAt(c, refserver.DemoFlowID, earlier)
	if err != nil {
		t.Fatal(err)
	}
	checkTriggered(t, srv, loc, earlier, id)

	at := earlier.Add(time.Hour) // 12:00 CEST, 11:00 in GMT+1: the id of the earlier instance
	srv.InjectFault(refserver.RouteTriggerFlow, refserver.Fault{Times: 1, Status: 502})
	id, err = triggerAt(c, refserver.DemoFlowID, at)
	if err != nil {
		t.Fatal(err)
	}
	checkTriggered(t, srv, loc, at, id)
	if n := len(srv.FlowInstances(refserver.DemoFlowID)); n != 2 {
		t.Errorf("%d instances for two triggers", n)
	}
}

// TestDaylightSavingHourly: an hourly job, triggering now, across the spring switch, whose
// answers are all lost after the service processed them: each trigger finds its own
// instance, before and after the offset changes.
func TestDaylightSavingHourly(t *testing.T) {
	t.Parallel()
	loc, clk, srv := berlinServer(t, time.Date(2026, 3, 28, 22, 10, 0, 0, time.UTC))
	c := demoClient(t, srv.URL, batchprocessing.WithClock(clk.Now))
	for hour := 0; hour < 6; hour++ {
		at := clk.Now()
		srv.InjectFault(refserver.RouteTriggerFlow, refserver.Fault{Times: 1, DropAfterProcessing: true})
		id, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
		if err != nil {
			t.Fatalf("%s: %v", at.UTC().Format(time.RFC3339), err)
		}
		checkTriggered(t, srv, loc, at, id)
		clk.Advance(time.Hour)
	}
	// The demo flow is also scheduled daily: its run of the Berlin midnight the clock
	// crossed (id "3377-20260329", no minute) is not one of the triggers'.
	manual := 0
	for _, in := range srv.FlowInstances(refserver.DemoFlowID) {
		if len(in.ID) == len("3377-20260329000000") {
			manual++
		}
	}
	if manual != 6 {
		t.Errorf("%d manual instances for six triggers", manual)
	}
}

// TestServerLocationGiven: from a winter clock, a summer instance's times read with the
// zone Get Timezone names (GMT+1) are an hour off; read with the IANA zone the client was
// given (WithServerLocation), they are the instants the service meant, and the client never
// asks Get Timezone.
func TestServerLocationGiven(t *testing.T) {
	t.Parallel()
	loc, clk, srv := berlinServer(t, time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
	summer := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) // 11:00 CEST
	id, err := triggerAt(demoClient(t, srv.URL, batchprocessing.WithClock(clk.Now), batchprocessing.WithServerLocation(loc)), refserver.DemoFlowID, summer)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		opts []batchprocessing.Option
		want time.Time
	}{
		{"asked", nil, summer.Add(time.Hour)},
		{"given", []batchprocessing.Option{batchprocessing.WithServerLocation(loc)}, summer},
	} {
		c := demoClient(t, srv.URL, append(tt.opts, batchprocessing.WithClock(clk.Now))...)
		fi, err := c.GetFlowInstance(context.Background(), batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
		if err != nil {
			t.Fatal(err)
		}
		if at, err := c.Time(context.Background(), fi.TriggerTime); err != nil || !at.Equal(tt.want) {
			t.Errorf("%s: trigger time %s read as %v (%v), want %v", tt.name, fi.TriggerTime, at, err, tt.want)
		}
	}
	asked := 0
	for _, r := range srv.Requests(200) {
		if r.Action == "getTimeZone" {
			asked++
		}
	}
	if asked != 1 {
		t.Errorf("Get Timezone asked %d times, want once (by the client without a location)", asked)
	}
}
