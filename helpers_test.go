package batchprocessing

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
)

// Identities of the unit tests: the documentation's sample keys and a fixed clock at the
// sample trigger time (1574385824000 ms).
const (
	testEndpoint  = "https://gateway.test"
	testAccessKey = "yourAppAccessKey"
	testSecretKey = "yourAppSecretKey"
	testToken     = "yourAccessToken"
	testOrgID     = "yourOrgId"
	testUserID    = "yourUserId"
	testNowMillis = 1574385824000
	tokenGetURL   = testEndpoint + tokenGetPath
	tokenRefURL   = testEndpoint + tokenRefreshPath
	flowsURL      = testEndpoint + flowsPath
)

// testClock is a settable clock for tests.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.UnixMilli(testNowMillis)} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newTestClient returns a client over a fresh mock transport with a token responder that
// answers testToken for 7200 s, and the sample identities as defaults.
func newTestClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *testClock) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder(testToken, 7200))
	clock := newTestClock()
	all := append([]Option{
		WithHTTPClient(&http.Client{Transport: mt}),
		WithOrgID(testOrgID),
		WithUserID(testUserID),
		WithClock(clock.Now),
	}, opts...)
	c, err := NewClient(testEndpoint, testAccessKey, testSecretKey, all...)
	if err != nil {
		t.Fatal(err)
	}
	return c, mt, clock
}

// tokenResponder answers a token request with a token and its remaining life in seconds.
func tokenResponder(token string, expire int) httpmock.Responder {
	return jsonResponder(200, map[string]any{
		"status": 0, "msg": "SUCCESS", "business": "apim-token-service",
		"data": map[string]any{"accessToken": token, "expire": expire},
	})
}

func jsonResponder(status int, v any) httpmock.Responder {
	return httpmock.NewJsonResponderOrPanic(status, v)
}

// okInstance answers a trigger with the given flow instance id.
func okInstance(id string) httpmock.Responder {
	return jsonResponder(200, map[string]any{"code": 0, "msg": "OK", "data": map[string]any{"flowInstanceId": id}})
}

// recorded is one request as the mock transport saw it.
type recorded struct {
	method string
	url    string
	header http.Header
	body   []byte
}

// recorder wraps a responder and keeps every request it answers.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) wrap(next httpmock.Responder) httpmock.Responder {
	return func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = io.ReadAll(req.Body)
		}
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{req.Method, req.URL.String(), req.Header.Clone(), body})
		r.mu.Unlock()
		return next(req)
	}
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func decodeJSONMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return m
}

func trigger(c *Client, flowID int64) (FlowInstanceID, error) {
	return c.TriggerFlow(context.Background(), TriggerFlowRequest{FlowID: flowID})
}
