package batchprocessing_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// TestEndToEndTriggersSurviveDroppedAnswers sends 1000 triggers, each for its own minute,
// while the server drops the connection after processing a fifth of them: every trigger
// returns its instance id, and each minute has exactly one instance.
func TestEndToEndTriggersSurviveDroppedAnswers(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoServer(refserver.WithLocation(time.FixedZone("GMT+8", 8*3600)))
	defer srv.Close()
	srv.InjectFault(refserver.RouteTriggerFlow, refserver.Fault{Probability: 0.2, DropAfterProcessing: true})
	c := demoClient(t, srv.URL)
	const n = 1000
	for i := 0; i < n; i++ {
		at := demoMinute.Add(time.Duration(i) * time.Minute)
		id, err := triggerAt(c, refserver.DemoFlowID, at)
		if err != nil {
			t.Fatalf("trigger %d: %v", i, err)
		}
		if want := batchprocessing.FlowInstanceIDFor(refserver.DemoFlowID, at, time.FixedZone("GMT+8", 8*3600)); id != want {
			t.Fatalf("trigger %d: id %s, want %s", i, id, want)
		}
	}
	insts := srv.FlowInstances(refserver.DemoFlowID)
	if len(insts) != n {
		t.Fatalf("%d instances for %d triggers", len(insts), n)
	}
	seen := map[string]bool{}
	for _, in := range insts {
		if seen[in.ID] {
			t.Fatalf("instance %s twice", in.ID)
		}
		seen[in.ID] = true
	}
	// A user's own second trigger of a minute still gets its 62102.
	if _, err := triggerAt(c, refserver.DemoFlowID, demoMinute); !errors.Is(err, batchprocessing.ErrInvalidParameter) {
		t.Errorf("second trigger of a minute: err = %v, want 62102", err)
	}
}

// routeListFlowInstances is List Flow Instances, which a trigger asks when its answer is lost.
var routeListFlowInstances = refserver.Route{Method: http.MethodPost, Path: "/batch-processing-service/v2.1/flowInstances", Action: "search"}

// TestEndToEndFaultsAndRetries runs triggers against injected gateway faults: the client
// retries what is safe to retry, resolves what it cannot know by looking, and never
// creates a second instance.
func TestEndToEndFaultsAndRetries(t *testing.T) {
	t.Parallel()
	fast := batchprocessing.WithRetryPolicy(batchprocessing.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	drop := refserver.Fault{Times: 1, DropAfterProcessing: true}
	tests := []struct {
		name    string
		faults  map[refserver.Route]refserver.Fault
		wantErr error // nil: success
	}{
		{"token service rate-limited twice", map[refserver.Route]refserver.Fault{refserver.RouteTokenGet: {Times: 2, Status: 429}}, nil},
		{"trigger answered 503 twice", map[refserver.Route]refserver.Fault{refserver.RouteTriggerFlow: {Times: 2, Status: 503}}, nil},
		{"trigger answered 62109 three times", map[refserver.Route]refserver.Fault{refserver.RouteTriggerFlow: {Times: 3, Code: 62109}}, nil},
		{"trigger always 503", map[refserver.Route]refserver.Fault{refserver.RouteTriggerFlow: {Status: 503}}, batchprocessing.ErrOutcomeUnknown},
		{"answer dropped, lookups fail twice", map[refserver.Route]refserver.Fault{
			refserver.RouteTriggerFlow: drop, routeListFlowInstances: {Times: 2, Status: 502}}, nil},
		{"answer dropped, lookups always fail", map[refserver.Route]refserver.Fault{
			refserver.RouteTriggerFlow: drop, routeListFlowInstances: {Status: 502}}, batchprocessing.ErrOutcomeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := refserver.NewDemoServer()
			defer srv.Close()
			for route, f := range tt.faults {
				srv.InjectFault(route, f)
			}
			c := demoClient(t, srv.URL, fast)
			id, err := triggerAt(c, refserver.DemoFlowID, demoMinute)
			if tt.wantErr == nil && (err != nil || id != "3377-20261101080000") {
				t.Fatalf("id %q, err %v", id, err)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if n := len(srv.FlowInstances(refserver.DemoFlowID)); n > 1 {
				t.Fatalf("%d instances for one trigger", n)
			}
		})
	}
}

// TestEndToEndTransportNeverResendsWhatIsNotSafeToRepeat drops the connection after the
// service served a call, on a connection an earlier call left open. net/http's transport
// resends a GET on its own in that case; Delete Flow is a GET that is not safe to repeat,
// and resent it would be answered "Flow not found" for the flow this call deleted. It must
// reach the service once and fail with the transport's error, while a read, safe to repeat,
// is still resent by the transport and succeeds.
func TestEndToEndTransportNeverResendsWhatIsNotSafeToRepeat(t *testing.T) {
	t.Parallel()
	req := batchprocessing.FlowRequest{FlowID: refserver.DemoEmptyFlowID}
	tests := []struct {
		name  string
		route refserver.Route
		call  func(context.Context, *batchprocessing.Client) error
		sent  int // times the service served the call
	}{
		{"Delete Flow, not safe to repeat", refserver.RouteDeleteFlow,
			func(ctx context.Context, c *batchprocessing.Client) error { return c.DeleteFlow(ctx, req) }, 1},
		{"Get Flow, a read", refserver.RouteGetFlow,
			func(ctx context.Context, c *batchprocessing.Client) error { _, err := c.GetFlow(ctx, req); return err }, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := refserver.NewDemoServer()
			defer srv.Close()
			c := demoClient(t, srv.URL, batchprocessing.WithoutRetries())
			if _, err := c.GetMyFlows(context.Background(), batchprocessing.GetMyFlowsRequest{}); err != nil {
				t.Fatal(err) // leaves a connection open for the call
			}
			time.Sleep(20 * time.Millisecond) // for the transport to put the connection back as idle
			var reused atomic.Bool            // the transport resends only on a reused connection
			ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
				GotConn: func(info httptrace.GotConnInfo) { reused.CompareAndSwap(false, info.Reused) },
			})
			srv.InjectFault(tt.route, refserver.Fault{Times: 1, DropAfterProcessing: true})
			err := tt.call(ctx, c)
			if !reused.Load() {
				t.Fatal("the call went out on a new connection: nothing for the transport to resend")
			}
			served := 0
			for _, r := range srv.Requests(10) {
				if r.Method == tt.route.Method && r.Path == tt.route.Path && r.Action == tt.route.Action {
					served++
				}
			}
			var te *batchprocessing.TransportError
			if served != tt.sent || (tt.sent == 1) != errors.As(err, &te) {
				t.Errorf("served %d times, err %v; want %d, and a TransportError when served once", served, err, tt.sent)
			}
		})
	}
}
