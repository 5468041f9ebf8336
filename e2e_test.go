package batchprocessing_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
	"github.com/jarcoal/httpmock"
)

// End-to-end tests: the client against the reference server over real sockets. The
// server's wire types are its own, so these check the client's encoding and decoding
// against an independent implementation of the documented API.

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

func TestEndToEndTriggerFlow(t *testing.T) {
	// A clock that stands still: the demo's one-second tasks stay running between calls.
	clk := refserver.NewManualClock(time.Now())
	srv := refserver.NewDemoServer(refserver.WithClock(clk.Now))
	defer srv.Close()
	c := demoClient(t, srv.URL, batchprocessing.WithClock(clk.Now))

	id, err := triggerAt(c, refserver.DemoFlowID, demoMinute.Add(42*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if id != "3377-20261101080000" {
		t.Errorf("id = %q, want 3377-20261101080000", id)
	}
	insts := srv.FlowInstances(refserver.DemoFlowID)
	if len(insts) != 1 || insts[0].ID != string(id) || insts[0].Status != refserver.StatusRunning {
		t.Fatalf("server instances = %+v", insts)
	}

	// The same minute again: refused with 62102.
	_, err = triggerAt(c, refserver.DemoFlowID, demoMinute.Add(10*time.Second))
	var apiErr *batchprocessing.APIError
	if !errors.Is(err, batchprocessing.ErrInvalidParameter) || !errors.As(err, &apiErr) || apiErr.Code != 62102 ||
		!strings.Contains(apiErr.Message, "do not trigger the same workflow repeatedly in 1 minute") || apiErr.RequestID == "" {
		t.Errorf("duplicate minute: err = %v", err)
	}

	// The next minute waits behind the running instance.
	id2, err := triggerAt(c, refserver.DemoFlowID, demoMinute.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	insts = srv.FlowInstances(refserver.DemoFlowID)
	if len(insts) != 2 || insts[1].ID != string(id2) || insts[1].Status != refserver.StatusWait {
		t.Errorf("second instance = %+v, want %s waiting", insts, id2)
	}
}

// TestEndToEndErrors triggers against every prerequisite of the service and gateway.
func TestEndToEndErrors(t *testing.T) {
	srv := refserver.NewDemoServer()
	defer srv.Close()
	srv.AddUser(refserver.DemoOrgID, "not-the-owner")
	srv.AddUser(refserver.DemoOrgID, "locked-user")
	srv.LockUser("locked-user")
	srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey, "otherOrg") // apps act only in their orgs
	srv.AddFlow(refserver.Flow{ID: 4000, Name: "locked", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Tasks: []refserver.Task{{ID: 1, Name: "t"}}, Locked: true})

	tests := []struct {
		name      string
		accessKey string
		secretKey string
		req       batchprocessing.TriggerFlowRequest
		sentinel  error
		code      int
		status    int
	}{
		{"flow without task", "", "", batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoEmptyFlowID}, batchprocessing.ErrFlowHasNoTask, 62104, 200},
		{"unknown flow", "", "", batchprocessing.TriggerFlowRequest{FlowID: 999}, batchprocessing.ErrInvalidParameter, 62102, 200},
		{"not the owner", "", "", batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID, UserID: "not-the-owner"}, batchprocessing.ErrNoPrivilege, 62103, 200},
		{"unknown user", "", "", batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID, UserID: "nobody"}, batchprocessing.ErrUserNotFound, 62101, 200},
		{"user in another org", "", "", batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID, OrgID: "otherOrg"}, batchprocessing.ErrUserNotFound, 62101, 200},
		{"locked user", "", "", batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID, UserID: "locked-user"}, batchprocessing.ErrAccountLocked, 62105, 200},
		{"locked flow", "", "", batchprocessing.TriggerFlowRequest{FlowID: 4000}, batchprocessing.ErrAccountLocked, 62105, 200},
		{"wrong secret", refserver.DemoAccessKey, "notTheSecret", batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID}, batchprocessing.ErrUnauthorized, 1003, 200},
		{"unknown app", "someoneElse", refserver.DemoSecretKey, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID}, batchprocessing.ErrUnauthorized, 1002, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ak, sk := refserver.DemoAccessKey, refserver.DemoSecretKey
			if tt.accessKey != "" {
				ak, sk = tt.accessKey, tt.secretKey
			}
			c, err := batchprocessing.NewClient(srv.URL, ak, sk,
				batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID))
			if err != nil {
				t.Fatal(err)
			}
			tt.req.TriggerTime = demoMinute
			_, err = c.TriggerFlow(context.Background(), tt.req)
			var apiErr *batchprocessing.APIError
			if !errors.Is(err, tt.sentinel) || !errors.As(err, &apiErr) || apiErr.Code != tt.code || apiErr.HTTPStatus != tt.status {
				t.Fatalf("err = %v, want %v (code %d)", err, tt.sentinel, tt.code)
			}
		})
	}
}

// TestEndToEndClockSkewCorrected: when the client's clock drifts beyond the gateway's
// window, the gateway refuses the call with 401 and its Date; the client corrects its
// timestamps from it and the same call succeeds, once.
func TestEndToEndClockSkewCorrected(t *testing.T) {
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

func TestEndToEndServerTimeZone(t *testing.T) {
	srv := refserver.NewDemoServer(refserver.WithLocation(time.FixedZone("GMT+8", 8*3600)))
	defer srv.Close()
	id, err := triggerAt(demoClient(t, srv.URL), refserver.DemoFlowID, time.UnixMilli(1574385824000))
	if err != nil {
		t.Fatal(err)
	}
	if id != "3377-20191122092300" {
		t.Errorf("id = %q, want 3377-20191122092300", id)
	}
}

// TestEndToEndTokenRenewal runs client and server on one clock through several token
// lifetimes: the client renews ahead of expiry and never sends an expired token.
func TestEndToEndTokenRenewal(t *testing.T) {
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
