package batchprocessing

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/signing"
	"github.com/enos-go/batchprocessing/refserver"

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
	tokenGetURL   = testEndpoint + signing.TokenGetPath
	tokenRefURL   = testEndpoint + signing.TokenRefreshPath
	flowsURL      = testEndpoint + flowsPath
)

// newTestClock returns a clock that stands still at the sample trigger time until a test
// moves it: the reference server's, which the client's tests share.
func newTestClock() *refserver.ManualClock {
	return refserver.NewManualClock(time.UnixMilli(testNowMillis))
}

// newTestClient returns a client over a fresh mock transport with a token responder that
// answers testToken for 7200 s, the sample identities as defaults, and no retries.
func newTestClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport, *refserver.ManualClock) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, tokenGetURL, tokenResponder(testToken, 7200))
	clock := newTestClock()
	all := append([]Option{
		WithHTTPClient(&http.Client{Transport: mt}),
		WithOrgID(testOrgID),
		WithUserID(testUserID),
		WithClock(clock.Now),
		WithoutRetries(), // the retry tests turn them on
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
		r.add(recorded{req.Method, req.URL.String(), req.Header.Clone(), body})
		return next(req)
	}
}

// add keeps one request.
func (r *recorder) add(req recorded) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req)
	r.mu.Unlock()
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

// wantRequest is the exact request an operation must send.
type wantRequest struct {
	method string
	path   string
	query  url.Values
	body   string // exact bytes; "" for none
}

// check compares the one request rec saw with w, and that it was signed.
func (w wantRequest) check(t *testing.T, rec *recorder) {
	t.Helper()
	reqs := rec.all()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	u, err := url.Parse(r.url)
	if err != nil {
		t.Fatal(err)
	}
	if r.method != w.method || u.Path != w.path {
		t.Errorf("request %s %s, want %s %s", r.method, u.Path, w.method, w.path)
	}
	if got := u.Query(); got.Encode() != w.query.Encode() {
		t.Errorf("query %s, want %s", got.Encode(), w.query.Encode())
	}
	if string(r.body) != w.body {
		t.Errorf("body %s, want %s", r.body, w.body)
	}
	if ct := r.header.Get("Content-Type"); (w.body != "") != (ct == contentTypeJSON) {
		t.Errorf("Content-Type %q with body %q", ct, w.body)
	}
	ts, _ := strconv.ParseInt(r.header.Get(HeaderTimestamp), 10, 64)
	if want := Sign(testToken, testSecretKey, ts, u.Query(), r.body); r.header.Get(HeaderSignature) != want {
		t.Errorf("signature %q, want %q", r.header.Get(HeaderSignature), want)
	}
}

// userValues is the query of a user operation with action and extra parameters.
func userValues(action string, extra ...string) url.Values {
	v := url.Values{"action": {action}, "orgId": {testOrgID}, "userId": {testUserID}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

// okData answers with a success envelope around data given as JSON text.
func okData(data string) httpmock.Responder {
	return httpmock.NewStringResponder(200, `{"code":0,"msg":"OK","data":`+data+`}`)
}
