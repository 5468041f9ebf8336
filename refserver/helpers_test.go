package refserver_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// epoch is the time of the documentation's sample trigger: 1574385824000 ms.
var epoch = time.Date(2019, 11, 22, 1, 23, 44, 0, time.UTC)

const (
	tokenGet     = "/apim-token-service/v2.0/token/get"
	tokenRefresh = "/apim-token-service/v2.0/token/refresh"
	flowsPath    = "/batch-processing-service/v2.1/flows"
)

// demoQuery is the query of the sample Trigger Flow call.
var demoQuery = "?action=trigger&orgId=" + refserver.DemoOrgID + "&userId=" + refserver.DemoUserID

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// manualClock is the clock a rig signs with, the server's own: a refserver.ManualClock
// that also reads in milliseconds.
type manualClock struct{ *refserver.ManualClock }

// Millis returns the clock's time in Unix milliseconds, as the gateway's timestamps are.
func (c manualClock) Millis() int64 { return c.Now().UnixMilli() }

// rig is a server under test with its clock and a view of the demo app's credentials.
type rig struct {
	t      *testing.T
	srv    *refserver.Server
	clock  manualClock
	secret string

	// cached is the token tok hands out until cachedUntil.
	cached      string
	cachedUntil time.Time
}

// newRig starts a demo server whose clock stands at epoch.
func newRig(t *testing.T, opts ...refserver.Option) *rig {
	t.Helper()
	return startRig(t, refserver.NewDemoServer, opts...)
}

// newEmptyRig starts an empty server whose clock stands at epoch, with the demo app only.
func newEmptyRig(t *testing.T, opts ...refserver.Option) *rig {
	t.Helper()
	r := startRig(t, refserver.NewServer, opts...)
	r.srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey)
	return r
}

func startRig(t *testing.T, start func(...refserver.Option) *refserver.Server, opts ...refserver.Option) *rig {
	clock := manualClock{refserver.NewManualClock(epoch)}
	srv := start(append([]refserver.Option{refserver.WithClock(clock.Now)}, opts...)...)
	t.Cleanup(srv.Close)
	return &rig{t: t, srv: srv, clock: clock, secret: refserver.DemoSecretKey}
}

// do sends req over the socket and returns the answer with its body read.
func (r *rig) do(req *http.Request) (*http.Response, []byte) {
	r.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("reading answer: %v", err)
	}
	return resp, body
}

// newRequest builds a request to the server's pathAndQuery.
func (r *rig) newRequest(method, pathAndQuery string, body []byte) *http.Request {
	r.t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+pathAndQuery, bytes.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	return req
}

// tokenBody is a token request body for the demo app at ts, with extra fields added or replaced.
func tokenBody(ts any, encryption string, extra map[string]any) []byte {
	m := map[string]any{"appKey": refserver.DemoAccessKey, "encryption": encryption, "timestamp": ts}
	for k, v := range extra {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// encryptionOf computes a token request's encryption, independently of the server.
func encryptionOf(appKey string, ts int64, secret string) string {
	sum := sha256.Sum256([]byte(appKey + strconv.FormatInt(ts, 10) + secret))
	return hex.EncodeToString(sum[:])
}

// tokenAnswer is the token service's envelope as the tests read it.
type tokenAnswer struct {
	Status   int    `json:"status"`
	Msg      string `json:"msg"`
	Business string `json:"business"`
	Data     *struct {
		AccessToken string `json:"accessToken"`
		Expire      int64  `json:"expire"`
	} `json:"data"`
}

// postToken sends body to a token service path and decodes the answer, which must be HTTP 200.
func (r *rig) postToken(path string, body []byte) tokenAnswer {
	r.t.Helper()
	resp, raw := r.do(r.newRequest(http.MethodPost, path, body))
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("POST %s: HTTP %d %s", path, resp.StatusCode, raw)
	}
	var a tokenAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		r.t.Fatalf("POST %s: %v in %s", path, err, raw)
	}
	if a.Business != "apim-token-service" {
		r.t.Errorf("business = %q, want apim-token-service", a.Business)
	}
	return a
}

// token gets the demo app's token at the current clock.
func (r *rig) token() string {
	r.t.Helper()
	ts := r.clock.Millis()
	a := r.postToken(tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, r.secret), nil))
	if a.Status != 0 || a.Data == nil {
		r.t.Fatalf("token/get: %+v", a)
	}
	return a.Data.AccessToken
}

// sign sets the gateway headers of req for token at ts, over query and body.
func sign(req *http.Request, token, secret string, ts int64, query url.Values, body []byte) {
	req.Header.Set("apim-accesstoken", token)
	req.Header.Set("apim-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("apim-signature", batchprocessing.Sign(token, secret, ts, query, body))
}

// signed builds a request signed with token at the current clock over its own query and body.
func (r *rig) signed(token, method, pathAndQuery string, body []byte) *http.Request {
	r.t.Helper()
	req := r.newRequest(method, pathAndQuery, body)
	sign(req, token, r.secret, r.clock.Millis(), req.URL.Query(), body)
	return req
}

// answer is the Batch Processing envelope as the tests read it.
type answer struct {
	Code      int             `json:"code"`
	Msg       string          `json:"msg"`
	Data      json.RawMessage `json:"data"`
	RequestID string          `json:"requestId"`
	Reason    string          `json:"-"` // X-Refserver-Reason
}

// call sends a signed request and decodes the envelope, which must come with HTTP 200.
func (r *rig) call(token, method, pathAndQuery, body string) answer {
	r.t.Helper()
	resp, raw := r.do(r.signed(token, method, pathAndQuery, []byte(body)))
	return decodeAnswer(r.t, resp.StatusCode, resp.Header, raw)
}

func decodeAnswer(t *testing.T, status int, h http.Header, raw []byte) answer {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("HTTP %d %s", status, raw)
	}
	if ct := h.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("%v in %s", err, raw)
	}
	a.Reason = h.Get(refserver.HeaderReason)
	if !hex32.MatchString(a.RequestID) {
		t.Errorf("requestId = %q, want 32 hex", a.RequestID)
	}
	if a.Code != 0 && string(a.Data) != "null" {
		t.Errorf("error answer has data %s", a.Data)
	}
	return a
}

// trigger triggers flowID at triggerMillis as the demo user and returns the envelope.
func (r *rig) trigger(token string, flowID int64, triggerMillis int64) answer {
	r.t.Helper()
	body := `{"flowId":` + strconv.FormatInt(flowID, 10) + `,"triggerTime":` + strconv.FormatInt(triggerMillis, 10) + `}`
	return r.call(token, http.MethodPost, flowsPath+demoQuery, body)
}

// instanceID returns the flowInstanceId of a successful Trigger Flow answer.
func instanceID(t *testing.T, a answer) string {
	t.Helper()
	if a.Code != 0 {
		t.Fatalf("code %d %q, want 0", a.Code, a.Msg)
	}
	var data struct {
		FlowInstanceID string `json:"flowInstanceId"`
	}
	if err := json.Unmarshal(a.Data, &data); err != nil {
		t.Fatalf("data %s: %v", a.Data, err)
	}
	return data.FlowInstanceID
}

// serve runs req through the server's Handler, without a socket.
func (r *rig) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// statuses returns the instances of flowID as "id=status" pairs.
func statuses(srv *refserver.Server, flowID int64) map[string]int {
	out := make(map[string]int)
	for _, in := range srv.FlowInstances(flowID) {
		out[in.ID] = in.Status
	}
	return out
}

// jsonDecode decodes an answer's body into v.
func jsonDecode(resp *http.Response, v any) error {
	return json.NewDecoder(resp.Body).Decode(v)
}

// flowInstanceIDOf returns the flowInstanceId in a's data, or "".
func flowInstanceIDOf(a answer) string {
	var data struct {
		FlowInstanceID string `json:"flowInstanceId"`
	}
	_ = json.Unmarshal(a.Data, &data)
	return data.FlowInstanceID
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
