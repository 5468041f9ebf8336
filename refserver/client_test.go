package refserver_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// TestClientInProcess: the HTTP client made by Client reaches the server without a socket,
// with any endpoint, a server made WithoutListener too, and honours its request's context.
func TestClientInProcess(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoServer(refserver.WithoutListener())
	defer srv.Close()
	hc := srv.Client()
	body := strings.NewReader(`{"appKey":"` + refserver.DemoAccessKey + `"}`)
	resp, err := hc.Post("https://gateway.test/apim-token-service/v2.0/token/get", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(raw), `"status"`) {
		t.Errorf("answer %d %s, want the token service's", resp.StatusCode, raw)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://gateway.test/", nil)
	if _, err := hc.Do(req); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled request: err = %v", err)
	}
}

// TestFlowInstanceIDFor: the id a test can compute is the one the server gives.
func TestFlowInstanceIDFor(t *testing.T) {
	t.Parallel()
	gmt8 := time.FixedZone("GMT+8", 8*3600)
	at := time.Date(2026, 11, 30, 8, 0, 42, 0, time.UTC)
	srv := refserver.NewDemoBackend(refserver.WithLocation(gmt8), refserver.WithClock(func() time.Time { return at.Add(time.Hour) }))
	c, err := batchprocessing.NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithHTTPClient(srv.Client()), batchprocessing.WithOrgID(refserver.DemoOrgID),
		batchprocessing.WithUserID(refserver.DemoUserID), batchprocessing.WithClock(func() time.Time { return at.Add(time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	id, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID, TriggerTime: at})
	want := refserver.FlowInstanceIDFor(refserver.DemoFlowID, at, gmt8)
	if err != nil || string(id) != want || want != "3377-20261130160000" {
		t.Errorf("triggered %s (%v), FlowInstanceIDFor %s", id, err, want)
	}
	if _, ok := srv.FlowInstance(want); !ok {
		t.Errorf("no instance %s on the server", want)
	}
	if got := refserver.FlowInstanceIDFor(3377, at, nil); got != "3377-20261130080000" {
		t.Errorf("FlowInstanceIDFor in UTC = %s", got)
	}
}

// TestInjectFaultOddValues: a Status that is not an HTTP status answers 500 rather than
// panicking in the caller's goroutine; a negative Delay is none.
func TestInjectFaultOddValues(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoBackend()
	srv.InjectFault(refserver.RouteGetTimezone, refserver.Fault{Status: 99, Delay: -time.Hour})
	resp, err := srv.Client().Get("https://gateway.test/batch-processing-service/v2.1/time?action=getTimeZone")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
}

// TestClientDropAfterProcessing: a request dropped after processing (DropAfterProcessing)
// reaches the caller of the in-process client as a transport error, as a dropped connection
// would, after the server served it (its request log says so): never a panic in the
// caller's goroutine, never an answer. The fault is used up, so the next request is answered.
func TestClientDropAfterProcessing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		route refserver.Route
		send  func(*http.Client) (*http.Response, error)
	}{
		{"token get", refserver.RouteTokenGet, func(hc *http.Client) (*http.Response, error) {
			return hc.Post("https://gateway.test/apim-token-service/v2.0/token/get", "application/json",
				strings.NewReader(`{"appKey":"`+refserver.DemoAccessKey+`"}`))
		}},
		{"unsigned trigger", refserver.RouteTriggerFlow, func(hc *http.Client) (*http.Response, error) {
			return hc.Post("https://gateway.test/batch-processing-service/v2.1/flows?action=trigger", "application/json", strings.NewReader(`{}`))
		}},
		{"get timezone, no body", refserver.RouteGetTimezone, func(hc *http.Client) (*http.Response, error) {
			return hc.Get("https://gateway.test/batch-processing-service/v2.1/time?action=getTimeZone")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := refserver.NewDemoBackend()
			srv.InjectFault(tt.route, refserver.Fault{Times: 1, DropAfterProcessing: true})
			resp, err := sendRecovering(t, tt.send, srv.Client())
			if err == nil {
				resp.Body.Close()
				t.Fatalf("answer %d to a dropped request, want a transport error", resp.StatusCode)
			}
			if !errors.Is(err, io.EOF) {
				t.Errorf("err = %v, want one matching io.EOF, as a dropped connection gives", err)
			}
			if log := srv.Requests(1); len(log) != 1 || !strings.Contains(log[0].Reason, "dropped") {
				t.Errorf("request log %+v, want the request served, then dropped", log)
			}
			resp, err = tt.send(srv.Client())
			if err != nil {
				t.Fatalf("after the fault: %v", err)
			}
			resp.Body.Close()
		})
	}
}

// sendRecovering calls send with hc and fails the test, rather than the test binary, when a
// panic escapes the transport into the caller's goroutine.
func sendRecovering(t *testing.T, send func(*http.Client) (*http.Response, error), hc *http.Client) (*http.Response, error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("the client's call panicked: %v", p)
		}
	}()
	return send(hc)
}
