package batchprocessing

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestWithMetadata: a success tells its request id (the one the reference server sent),
// status, headers and attempts; so does a failure.
func TestWithMetadata(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoBackend()
	srv.InjectFault(refserver.RouteTriggerFlow, refserver.Fault{Times: 1, Status: http.StatusTooManyRequests})
	c, err := NewClient("https://gateway.test", refserver.DemoAccessKey, refserver.DemoSecretKey, WithHTTPClient(srv.Client()),
		WithOrgID(refserver.DemoOrgID), WithUserID(refserver.DemoUserID),
		WithRetryPolicy(RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	var md ResponseMetadata
	id, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: refserver.DemoFlowID}, WithMetadata(&md))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(md.RequestID) || md.HTTPStatus != 200 || md.Attempts != 2 || md.Header.Get("Date") == "" {
		t.Errorf("metadata of %s: %+v, want the server's request id, http 200, 2 attempts (after a 429)", id, md)
	}
	var failed ResponseMetadata
	_, err = c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: refserver.DemoEmptyFlowID}, WithMetadata(&failed))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || failed.RequestID == "" || failed.RequestID != apiErr.RequestID || failed.Attempts != 1 {
		t.Errorf("metadata of a failure: %+v, err %v", failed, err)
	}
	// A call refused before anything is sent leaves the metadata as it was, as documented.
	kept := failed
	if _, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{}, WithMetadata(&failed)); !errors.Is(err, ErrInvalidRequest) ||
		!reflect.DeepEqual(failed, kept) {
		t.Errorf("metadata of a refused call: %+v, err %v; want it as it was", failed, err)
	}
}

// TestWithCallRetryPolicy: one call's policy overrides the client's, and an invalid one
// fails before anything is sent.
func TestWithCallRetryPolicy(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t, fastRetries)
	mt.RegisterResponder(http.MethodGet, getInstanceURL, gatewayError(503))
	get := func(opts ...CallOption) int {
		mt.ZeroCallCounters()
		_, _ = c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"}, opts...)
		return mt.GetCallCountInfo()["GET "+getInstanceURL]
	}
	if n := get(); n != 4 {
		t.Errorf("the client's policy: %d attempts, want 4", n)
	}
	if n := get(WithCallRetryPolicy(RetryPolicy{MaxRetries: NoRetries})); n != 1 {
		t.Errorf("NoRetries for one call: %d attempts, want 1", n)
	}
	if n := get(WithCallRetryPolicy(RetryPolicy{MaxRetries: 1, MinBackoff: time.Millisecond})); n != 2 {
		t.Errorf("one retry for one call: %d attempts, want 2", n)
	}
	_, err := c.GetFlowInstance(context.Background(), GetFlowInstanceRequest{FlowInstanceID: "1-20191122012300"},
		WithCallRetryPolicy(RetryPolicy{MinBackoff: -time.Second}))
	if !errors.Is(err, ErrInvalidRequest) {
		t.Errorf("invalid policy: err = %v", err)
	}
}

// TestOutcomeUnknownErrorFields: the error names the flow and minute, reaches the
// trigger's own error with errors.As, and keeps the lookup's apart.
func TestOutcomeUnknownErrorFields(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	mt.RegisterResponder(http.MethodPost, searchURL, gatewayError(400))
	mt.RegisterResponder(http.MethodPost, flowsURL, gatewayError(503))
	at := time.Date(2026, 11, 30, 8, 0, 42, 0, time.UTC)
	_, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: at})
	var unknown *OutcomeUnknownError
	var apiErr *APIError
	if !errors.As(err, &unknown) || !errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &apiErr) || apiErr.HTTPStatus != 503 {
		t.Fatalf("err = %v", err)
	}
	if unknown.Operation != "TriggerFlow" || unknown.FlowID != 3377 || !unknown.Minute.Equal(at.Truncate(time.Minute)) || unknown.Lookup == nil {
		t.Errorf("fields %+v", unknown)
	}
	if want := "batchprocessing: TriggerFlow: POST " + flowsPath; err.Error()[:len(want)] != want {
		t.Errorf("Error() = %q", err)
	}
}

// TestClientTime: a server time is one call from a time.Time, in the server's zone.
func TestClientTime(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	mt.RegisterResponder(http.MethodGet, testEndpoint+timePath, okData(`{"timezone":"GMT+8"}`))
	got, err := c.Time(context.Background(), ServerTime("2019-08-08 09:32:12"))
	if want := time.Date(2019, 8, 8, 1, 32, 12, 0, time.UTC); err != nil || !got.Equal(want) {
		t.Errorf("Time = %v, %v; want %v", got, err, want)
	}
	if zero, err := c.Time(context.Background(), ""); err != nil || !zero.IsZero() {
		t.Errorf("zero ServerTime: %v, %v", zero, err)
	}
}
