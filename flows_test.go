package batchprocessing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing/signingtest"
	"github.com/jarcoal/httpmock"
)

// TestTriggerFlowRequest pins the exact request of the documentation's sample call: with
// the sample keys, token and clock, the signature is vector V2 of testdata.
func TestTriggerFlowRequest(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	var rec recorder
	mt.RegisterResponder(http.MethodPost, flowsURL, rec.wrap(okInstance("3377-20191122012300")))

	id, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{
		FlowID:      3377,
		TriggerTime: time.UnixMilli(1574385824000),
	})
	if err != nil {
		t.Fatal(err)
	}
	if id != "3377-20191122012300" {
		t.Errorf("id = %q", id)
	}
	reqs := rec.all()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	u, _ := url.Parse(r.url)
	if r.method != http.MethodPost || u.Path != "/batch-processing-service/v2.1/flows" {
		t.Errorf("request = %s %s", r.method, u.Path)
	}
	wantQuery := url.Values{"action": {"trigger"}, "orgId": {testOrgID}, "userId": {testUserID}}
	if got := u.Query(); got.Encode() != wantQuery.Encode() {
		t.Errorf("query = %v, want %v", got, wantQuery)
	}
	v2 := signingtest.Load(t, "testdata/signing-vectors.json").Signatures[1]
	if string(r.body) != v2.Body {
		t.Errorf("body = %s, want %s", r.body, v2.Body)
	}
	wantHeaders := map[string]string{
		"Content-Type":     "application/json;charset=UTF-8",
		"Accept":           "application/json",
		"Apim-Accesstoken": testToken,
		"Apim-Timestamp":   "1574385824000",
		"Apim-Signature":   v2.Signature,
	}
	for k, want := range wantHeaders {
		if got := r.header.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if ua := r.header.Get("User-Agent"); !strings.HasPrefix(ua, "enos-go-batchprocessing/") {
		t.Errorf("User-Agent = %q", ua)
	}
	if n := mt.GetCallCountInfo()["POST "+tokenGetURL]; n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func TestTriggerFlowDefaultsAndOverrides(t *testing.T) {
	t.Parallel()
	c, mt, clock := newTestClient(t, WithUserAgent("my-pipeline/2"))
	var rec recorder
	mt.RegisterResponder(http.MethodPost, flowsURL, rec.wrap(okInstance("1-20191122012300")).
		Then(rec.wrap(okInstance("2-20261130080000"))))
	clock.Advance(90 * time.Second)

	if _, err := trigger(c, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 2, OrgID: "o2", UserID: "u2",
		TriggerTime: time.Date(2026, 11, 30, 8, 0, 0, 0, time.FixedZone("GMT+8", 8*3600))}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.all()
	wantNow := clock.Now().UnixMilli()
	if b := decodeJSONMap(t, reqs[0].body); b["triggerTime"].(interface{ String() string }).String() != itoa(wantNow) {
		t.Errorf("zero TriggerTime sent %v, want the clock's %d", b["triggerTime"], wantNow)
	}
	if got := reqs[0].header.Get("User-Agent"); got != "my-pipeline/2" {
		t.Errorf("User-Agent = %q", got)
	}
	u, _ := url.Parse(reqs[1].url)
	if u.Query().Get("orgId") != "o2" || u.Query().Get("userId") != "u2" {
		t.Errorf("request ids not used: %s", u.RawQuery)
	}
	wantBody := `{"flowId":2,"triggerTime":` + itoa(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC).UnixMilli()) + `}`
	if string(reqs[1].body) != wantBody {
		t.Errorf("body = %s, want %s", reqs[1].body, wantBody)
	}
	// Each attempt is signed with the clock's current time.
	if reqs[0].header.Get(HeaderTimestamp) != itoa(wantNow) {
		t.Errorf("timestamp = %s, want %d", reqs[0].header.Get(HeaderTimestamp), wantNow)
	}
}

func TestTriggerFlowInvalidInput(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	noDefaults, mt2, _ := newTestClient(t)
	noDefaults.orgID, noDefaults.userID = "", ""
	c, mt, _ := newTestClient(t)
	tests := []struct {
		name   string
		client *Client
		ctx    context.Context
		req    TriggerFlowRequest
		field  string
	}{
		{"zero flow id", c, context.Background(), TriggerFlowRequest{}, "FlowID"},
		{"negative flow id", c, context.Background(), TriggerFlowRequest{FlowID: -3}, "FlowID"},
		{"nil context", c, nilCtx, TriggerFlowRequest{FlowID: 1}, "context"},
		{"before 1970", c, context.Background(), TriggerFlowRequest{FlowID: 1, TriggerTime: time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)}, "TriggerTime"},
		{"year 1", c, context.Background(), TriggerFlowRequest{FlowID: 1, TriggerTime: time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)}, "TriggerTime"},
		{"after 9999", c, context.Background(), TriggerFlowRequest{FlowID: 1, TriggerTime: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "TriggerTime"},
		{"year 10000 somewhere", c, context.Background(), TriggerFlowRequest{FlowID: 1, TriggerTime: time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC)}, "TriggerTime"},
		{"no org id", noDefaults, context.Background(), TriggerFlowRequest{FlowID: 1, UserID: "u"}, "OrgID"},
		{"no user id", noDefaults, context.Background(), TriggerFlowRequest{FlowID: 1, OrgID: "o"}, "UserID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := tt.client.TriggerFlow(tt.ctx, tt.req)
			var reqErr *RequestError
			if !errors.As(err, &reqErr) || reqErr.Field != tt.field || reqErr.Operation != "TriggerFlow" {
				t.Fatalf("err = %v, want a *RequestError on %s", err, tt.field)
			}
			if !errors.Is(err, ErrInvalidRequest) {
				t.Error("not ErrInvalidRequest")
			}
			if id != "" {
				t.Errorf("id = %q", id)
			}
		})
	}
	if n := mt.GetTotalCallCount() + mt2.GetTotalCallCount(); n != 0 {
		t.Errorf("%d network calls for invalid input", n)
	}
}

// TestTriggerAnswerOfAnotherFlowOrMinute: an answer naming another flow's instance, or,
// when the caller fixed the trigger time, an instance of a minute no time zone gives, is
// unexpected; so is an answer that no lookup then confirms.
func TestTriggerAnswerOfAnotherFlowOrMinute(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 30, 8, 0, 30, 0, time.UTC)
	tests := []struct {
		name   string
		answer string
		at     time.Time
		ok     bool
	}{
		{"another flow", "9999-20200101000000", time.Time{}, false},
		{"a flow id that starts with ours", "33770-20191122012300", time.Time{}, false},
		{"a flow id that ours starts with", "337-20191122012300", time.Time{}, false},
		{"our flow id with a leading zero", "03377-20191122092300", time.Time{}, false},
		{"our flow, now", "3377-20191122092300", time.Time{}, true},
		{"our flow, the minute in UTC", "3377-20261130080000", at, true},
		{"our flow, the minute in GMT+8", "3377-20261130160000", at, true},
		{"our flow, the minute in GMT+5:45", "3377-20261130134500", at, true},
		{"our flow, another minute", "3377-20261130080100", at, false},
		{"our flow, another year", "3377-20200101000000", at, false},
		{"our flow, 15 hours off", "3377-20261130230000", at, false},
		{"a periodic id, not a trigger's", "3377-2026113008", at, false},
		{"a periodic id, now", "3377-201911220123", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			reconcileMocks(mt, func() bool { return false })
			mt.RegisterResponder(http.MethodPost, flowsURL, okInstance(tt.answer))
			id, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: tt.at})
			if tt.ok {
				if err != nil || id != FlowInstanceID(tt.answer) {
					t.Errorf("id %q, err %v; want %s", id, err, tt.answer)
				}
				return
			}
			if !errors.Is(err, ErrUnexpectedResponse) || id != "" || !strings.Contains(err.Error(), tt.answer) {
				t.Errorf("id %q, err %v; want an unexpected response naming %s", id, err, tt.answer)
			}
		})
	}
}

// TestTriggerAnswerInTheKnownZone: once the client knows the server's zone (GMT+0 here),
// an answer's minute must be within an hour of that zone's, not merely one some zone has.
func TestTriggerAnswerInTheKnownZone(t *testing.T) {
	t.Parallel()
	at := time.Date(2019, 11, 22, 1, 23, 0, 0, time.UTC) // the clock's minute
	for _, tt := range []struct {
		answer string
		ok     bool
	}{
		{"3377-20191122012300", true},
		{"3377-20191122022300", true}, // an hour: a daylight-saving change the offset cannot show
		{"3377-20191122150800", false},
		{"3377-20191121132300", false},
	} {
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodGet, testEndpoint+timePath, okData(`{"timezone":"GMT+0"}`))
		reconcileMocks(mt, func() bool { return false })
		mt.RegisterResponder(http.MethodPost, flowsURL, okInstance(tt.answer))
		if _, err := c.ServerLocation(context.Background()); err != nil {
			t.Fatal(err)
		}
		_, err := c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: 3377, TriggerTime: at})
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrUnexpectedResponse)) {
			t.Errorf("answer %s: err %v, want success %v", tt.answer, err, tt.ok)
		}
	}
}

// TestTriggerFlowErrors maps every kind of answer to the error a caller can match.
func TestTriggerFlowErrors(t *testing.T) {
	t.Parallel()
	html := "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
	tests := []struct {
		name       string
		responder  httpmock.Responder
		sentinel   error
		status     int
		code       int
		message    string
		requestID  string
		unexpected bool
		body       string
	}{
		{"62101", jsonResponder(200, map[string]any{"code": 62101, "msg": "userId does not exist, or it does not match to orgId.", "data": nil, "requestId": "r1"}),
			ErrUserNotFound, 200, 62101, "userId does not exist, or it does not match to orgId.", "r1", false, ""},
		{"62102", jsonResponder(200, map[string]any{"code": 62102, "msg": "Cannot create workflow instance.", "data": nil}),
			ErrInvalidParameter, 200, 62102, "Cannot create workflow instance.", "", false, ""},
		{"62103", jsonResponder(200, map[string]any{"code": 62103, "msg": "User has no privilege."}), ErrNoPrivilege, 200, 62103, "User has no privilege.", "", false, ""},
		{"62104", jsonResponder(200, map[string]any{"code": 62104, "msg": "This workflow has no task. You cannot trigger it.", "data": nil, "requestId": "abc"}),
			ErrFlowHasNoTask, 200, 62104, "This workflow has no task. You cannot trigger it.", "abc", false, ""},
		{"62105", jsonResponder(200, map[string]any{"code": 62105, "msg": "Your account has been locked"}), ErrAccountLocked, 200, 62105, "Your account has been locked", "", false, ""},
		{"62109", jsonResponder(200, map[string]any{"code": 62109, "msg": "Internal server exception"}), ErrInternalServer, 200, 62109, "Internal server exception", "", false, ""},
		{"code as a string", httpmock.NewStringResponder(200, `{"code":"62104","msg":"no task"}`), ErrFlowHasNoTask, 200, 62104, "no task", "", false, ""},
		{"request id from header", jsonResponder(200, map[string]any{"code": 62109, "msg": "x"}).HeaderSet(http.Header{"X-Request-Id": {"hdr-1"}}),
			ErrInternalServer, 200, 62109, "x", "hdr-1", false, ""},
		{"gateway 401", jsonResponder(401, map[string]any{"message": "Invalid authentication credentials"}), ErrUnauthorized, 401, 0, "Invalid authentication credentials", "", false, ""},
		{"gateway 429", jsonResponder(429, map[string]any{"message": "API rate limit exceeded"}), ErrRateLimited, 429, 0, "API rate limit exceeded", "", false, ""},
		{"gateway 503", jsonResponder(503, map[string]any{"message": "Service unavailable"}), nil, 503, 0, "Service unavailable", "", false, ""},
		{"business code with HTTP 500", jsonResponder(500, map[string]any{"code": 62109, "msg": "Internal server exception"}), ErrInternalServer, 500, 62109, "Internal server exception", "", false, ""},
		{"html 502", httpmock.NewStringResponder(502, html).HeaderSet(http.Header{"Content-Type": {"text/html"}}), ErrUnexpectedResponse, 502, 0, "", "", true, html},
		{"html 429 still rate limited", httpmock.NewStringResponder(429, "<html>slow down</html>"), ErrRateLimited, 429, 0, "", "", true, "<html>slow down</html>"},
		{"empty body", httpmock.NewStringResponder(200, ""), ErrUnexpectedResponse, 200, 0, "", "", true, ""},
		{"truncated", httpmock.NewStringResponder(200, `{"code":0,"msg":"OK","data":{"flowInst`), ErrUnexpectedResponse, 200, 0, "", "", true, `{"code":0,"msg":"OK","data":{"flowInst`},
		{"data null", httpmock.NewStringResponder(200, `{"code":0,"msg":"OK","data":null}`), ErrUnexpectedResponse, 200, 0, "", "", true, `{"code":0,"msg":"OK","data":null}`},
		{"no flowInstanceId", httpmock.NewStringResponder(200, `{"code":0,"msg":"OK","data":{}}`), ErrUnexpectedResponse, 200, 0, "", "", true, `{"code":0,"msg":"OK","data":{}}`},
		{"flowInstanceId not a string", httpmock.NewStringResponder(200, `{"code":0,"msg":"OK","data":{"flowInstanceId":5}}`), ErrUnexpectedResponse, 200, 0, "", "", true, `{"code":0,"msg":"OK","data":{"flowInstanceId":5}}`},
		{"message with 200", httpmock.NewStringResponder(200, `{"message":"An unexpected error occurred"}`), ErrUnexpectedResponse, 200, 0, "An unexpected error occurred", "", true, `{"message":"An unexpected error occurred"}`},
		{"json array", httpmock.NewStringResponder(200, `[1,2]`), ErrUnexpectedResponse, 200, 0, "", "", true, `[1,2]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt, _ := newTestClient(t)
			mt.RegisterResponder(http.MethodPost, flowsURL, tt.responder)
			id, err := trigger(c, 3377)
			if id != "" {
				t.Errorf("id = %q on error", id)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			if errors.Is(err, ErrUnexpectedResponse) != tt.unexpected || apiErr.Unexpected != tt.unexpected {
				t.Errorf("unexpected = %v, want %v", apiErr.Unexpected, tt.unexpected)
			}
			if apiErr.HTTPStatus != tt.status || apiErr.Code != tt.code || apiErr.Message != tt.message || apiErr.RequestID != tt.requestID {
				t.Errorf("got status %d code %d message %q request id %q, want %d %d %q %q",
					apiErr.HTTPStatus, apiErr.Code, apiErr.Message, apiErr.RequestID, tt.status, tt.code, tt.message, tt.requestID)
			}
			if apiErr.Body != tt.body {
				t.Errorf("Body = %q, want %q", apiErr.Body, tt.body)
			}
			if apiErr.Operation != "TriggerFlow" || apiErr.Method != "POST" || apiErr.Path != flowsPath {
				t.Errorf("operation %q %s %s", apiErr.Operation, apiErr.Method, apiErr.Path)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "batchprocessing: TriggerFlow: POST "+flowsPath) {
				t.Errorf("Error() = %q", msg)
			}
			if tt.code != 0 && !strings.Contains(msg, "code "+itoa(int64(tt.code))) {
				t.Errorf("Error() = %q lacks the code", msg)
			}
			if tt.unexpected && !strings.Contains(msg, "unexpected response (http "+itoa(int64(tt.status))) {
				t.Errorf("Error() = %q does not say the response was unexpected", msg)
			}
		})
	}
}

func TestTriggerFlowTransportErrors(t *testing.T) {
	t.Parallel()
	t.Run("connection failure", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodPost, flowsURL, httpmock.ConnectionFailure)
		_, err := trigger(c, 1)
		var te *TransportError
		if !errors.As(err, &te) || te.Operation != "TriggerFlow" {
			t.Fatalf("err = %v (%T), want *TransportError", err, err)
		}
		// httpmock's ConnectionFailure fails the round trip with NoResponderFound.
		if !errors.Is(err, httpmock.NoResponderFound) {
			t.Errorf("cause lost: %v", err)
		}
		var urlErr *url.Error
		if !errors.As(err, &urlErr) {
			t.Errorf("*url.Error not reachable: %v", err)
		}
	})
	t.Run("context deadline", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodPost, flowsURL, okInstance("1-20191122012300").Delay(5*time.Second))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.TriggerFlow(ctx, TriggerFlowRequest{FlowID: 1})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
		if time.Since(start) > 3*time.Second {
			t.Error("the call outlived its context")
		}
	})
	t.Run("body over the limit, length unknown or announced", func(t *testing.T) {
		t.Parallel()
		for _, announced := range []bool{false, true} {
			c, mt, _ := newTestClient(t, WithMaxResponseBytes(1024))
			big := `{"code":0,"msg":"OK","data":{"flowInstanceId":"` + strings.Repeat("x", 4096) + `"}}`
			var reads int
			mt.RegisterResponder(http.MethodPost, flowsURL, func(req *http.Request) (*http.Response, error) {
				resp := httpmock.NewStringResponse(200, big)
				resp.ContentLength = -1
				if announced {
					resp.ContentLength = int64(len(big))
				}
				resp.Body = readCounter{resp.Body, &reads}
				return resp, nil
			})
			_, err := trigger(c, 1)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || !apiErr.Unexpected || !strings.Contains(err.Error(), "larger than") {
				t.Fatalf("announced %v: err = %v, want an unexpected-response *APIError", announced, err)
			}
			if announced && reads != 0 {
				t.Errorf("an announced over-long body was read (%d reads)", reads)
			}
		}
	})
	t.Run("body that never ends", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t)
		mt.RegisterResponder(http.MethodPost, flowsURL, func(req *http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(200, "")
			resp.ContentLength = -1
			resp.Body = endless{req.Context()}
			return resp, nil
		})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.TriggerFlow(ctx, TriggerFlowRequest{FlowID: 1})
		if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(fmt.Sprint(err), "larger than") {
			t.Fatalf("err = %v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Error("reading an endless body outlived the context")
		}
	})
	t.Run("body over the limit", func(t *testing.T) {
		t.Parallel()
		c, mt, _ := newTestClient(t, WithMaxResponseBytes(1024))
		big := `{"code":0,"msg":"OK","data":{"flowInstanceId":"` + strings.Repeat("x", 4096) + `"}}`
		mt.RegisterResponder(http.MethodPost, flowsURL, httpmock.NewStringResponder(200, big))
		_, err := trigger(c, 1)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || !apiErr.Unexpected || apiErr.HTTPStatus != 200 {
			t.Fatalf("err = %v, want an unexpected-response *APIError", err)
		}
		if !strings.Contains(err.Error(), "larger than") {
			t.Errorf("Error() = %q does not say why", err)
		}
	})
}

// readCounter counts the reads of a body.
type readCounter struct {
	io.ReadCloser
	n *int
}

func (r readCounter) Read(p []byte) (int, error) {
	*r.n++
	return r.ReadCloser.Read(p)
}

// endless is a body that sends spaces until its request's context ends.
type endless struct{ ctx context.Context }

func (e endless) Read(p []byte) (int, error) {
	if err := e.ctx.Err(); err != nil {
		return 0, err
	}
	time.Sleep(time.Millisecond)
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func (endless) Close() error { return nil }
