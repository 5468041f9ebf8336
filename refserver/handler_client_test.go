package refserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

// handlerClient calls a Backend (no socket) as an app (the demo app unless as says
// otherwise), signing with the server's own manual clock. Benchmarks and timing tests use
// it: it costs no more than a request needs.
type handlerClient struct {
	tb                   testing.TB
	srv                  *refserver.Backend
	clk                  *refserver.ManualClock
	accessKey, secretKey string
	token                string
}

// newHandlerClient starts a Backend loaded with the demo seed on a manual clock standing at
// start, with tokens that outlive any test, and gets a token.
func newHandlerClient(tb testing.TB, start time.Time, opts ...refserver.Option) *handlerClient {
	tb.Helper()
	clk := refserver.NewManualClock(start)
	opts = append([]refserver.Option{refserver.WithClock(clk.Now), refserver.WithTokenLifetime(100_000 * time.Hour)}, opts...)
	b := refserver.NewBackend(opts...)
	if err := b.Load(refserver.DemoSeed()); err != nil {
		tb.Fatal(err)
	}
	return clientOf(tb, b, clk, refserver.DemoAccessKey, refserver.DemoSecretKey)
}

// clientOf returns a client of srv, whose clock is clk, for an app, with a token.
func clientOf(tb testing.TB, srv *refserver.Backend, clk *refserver.ManualClock, accessKey, secretKey string) *handlerClient {
	tb.Helper()
	c := &handlerClient{tb: tb, srv: srv, clk: clk, accessKey: accessKey, secretKey: secretKey}
	c.token = c.getToken(clk.Now().UnixMilli())
	return c
}

// as returns a client of the same server for another app, with a token of its own.
func (c *handlerClient) as(accessKey, secretKey string) *handlerClient {
	c.tb.Helper()
	return clientOf(c.tb, c.srv, c.clk, accessKey, secretKey)
}

// getToken asks token/get at the timestamp ts (ms) and returns the token.
func (c *handlerClient) getToken(ts int64) string {
	c.tb.Helper()
	body := tokenBody(ts, encryptionOf(c.accessKey, ts, c.secretKey), map[string]any{"appKey": c.accessKey})
	a := c.postToken(tokenGet, body)
	if a.Status != 0 || a.Data == nil {
		c.tb.Fatalf("token/get: %+v", a)
	}
	return a.Data.AccessToken
}

// postToken sends a token request and decodes the answer.
func (c *handlerClient) postToken(path string, body []byte) tokenAnswer {
	c.tb.Helper()
	rec := httptest.NewRecorder()
	c.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))
	var a tokenAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		c.tb.Fatalf("POST %s: HTTP %d %s", path, rec.Code, rec.Body.String())
	}
	return a
}

// call sends action on path as the demo user with the JSON body, and returns the envelope's
// data; any answer but success fails the test.
func (c *handlerClient) call(method, path, action, extra, body string) json.RawMessage {
	c.tb.Helper()
	rec := c.send(method, path, url.Values{"action": {action}, "orgId": {refserver.DemoOrgID}, "userId": {refserver.DemoUserID}}, extra, body)
	var a answer
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || rec.Code != http.StatusOK || a.Code != 0 {
		c.tb.Fatalf("%s %s?action=%s: HTTP %d %s", method, path, action, rec.Code, rec.Body.String())
	}
	return a.Data
}

// send sends a signed request with the query q (and extra, "&k=v" already encoded) and
// returns the recorded answer.
func (c *handlerClient) send(method, path string, q url.Values, extra, body string) *httptest.ResponseRecorder {
	c.tb.Helper()
	raw := q.Encode() + extra
	full, err := url.ParseQuery(raw)
	if err != nil {
		c.tb.Fatal(err)
	}
	req := httptest.NewRequest(method, path+"?"+raw, bytes.NewReader([]byte(body)))
	now := c.clk.Now().UnixMilli()
	req.Header.Set("apim-accesstoken", c.token)
	req.Header.Set("apim-timestamp", strconv.FormatInt(now, 10))
	req.Header.Set("apim-signature", batchprocessing.Sign(c.token, c.secretKey, now, full, []byte(body)))
	rec := httptest.NewRecorder()
	c.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// trigger triggers flowID at trigger and returns the instance id.
func (c *handlerClient) trigger(flowID int64, trigger time.Time) string {
	c.tb.Helper()
	var data struct {
		FlowInstanceID string `json:"flowInstanceId"`
	}
	body := `{"flowId":` + strconv.FormatInt(flowID, 10) + `,"triggerTime":` + strconv.FormatInt(trigger.UnixMilli(), 10) + `}`
	if err := json.Unmarshal(c.call(http.MethodPost, flowsPath, "trigger", "", body), &data); err != nil {
		c.tb.Fatal(err)
	}
	return data.FlowInstanceID
}

// timezone calls Get Timezone, which needs neither user nor org.
func (c *handlerClient) timezone() {
	c.tb.Helper()
	rec := c.send(http.MethodGet, timePath, url.Values{"action": {"getTimeZone"}}, "", "")
	if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"code":0`)) {
		c.tb.Fatalf("getTimeZone: %d %s", rec.Code, rec.Body.String())
	}
}

// completedHistory triggers n instances of the demo flow, one a minute back from the clock,
// moving the clock 3 seconds after each so that each has ended (its two tasks take 2 s)
// before the next is triggered. It returns their ids, oldest trigger first.
func (c *handlerClient) completedHistory(n int) []string {
	return c.completedHistoryOf(refserver.DemoFlowID, n, 2*time.Second)
}

// completedHistoryOf triggers n instances of flowID, a minute apart in the past, each
// after the previous one has ended: run is how long one runs.
func (c *handlerClient) completedHistoryOf(flowID int64, n int, run time.Duration) []string {
	c.tb.Helper()
	ids := make([]string, n)
	first := c.clk.Now().Add(-time.Duration(n) * time.Minute)
	for i := range ids {
		ids[i] = c.trigger(flowID, first.Add(time.Duration(i)*time.Minute))
		c.clk.Advance(run + time.Second)
	}
	return ids
}

// addChainFlow adds a manual flow of tasks tasks of a second each, each after the one
// before, shaped as the demo flow's (a command, a position), and returns its id.
func (c *handlerClient) addChainFlow(tasks int) int64 {
	const id = 9_000
	f := refserver.Flow{ID: id, Name: "chain flow", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID,
		Type: refserver.FlowTypeManual, Active: true, DoAs: "yourDoAs"}
	for k := int64(1); k <= int64(tasks); k++ {
		t := refserver.Task{ID: id*100 + k, Name: "step " + strconv.FormatInt(k, 10), Duration: time.Second,
			Command: "echo step", X: float64(100 * k), Y: 100}
		if k > 1 {
			t.DependsOn = []int64{id*100 + k - 1}
		}
		f.Tasks = append(f.Tasks, t)
	}
	c.srv.AddFlow(f)
	return id
}

// liveHeap returns the bytes of live heap objects after a garbage collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// refresh refreshes the client's token with a request stamped ts (ms) and keeps the new one.
func (c *handlerClient) refresh(ts int64) {
	c.tb.Helper()
	body := tokenBody(ts, encryptionOf(c.accessKey, ts, c.secretKey), map[string]any{"appKey": c.accessKey, "accessToken": c.token})
	a := c.postToken(tokenRefresh, body)
	if a.Status != 0 || a.Data == nil {
		c.tb.Fatalf("token/refresh: %+v", a)
	}
	c.token = a.Data.AccessToken
}
