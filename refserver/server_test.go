package refserver_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

func TestHandlerWithoutSocket(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	h := r.srv.Handler()
	ts := r.clock.Millis()

	// Token, through the handler.
	rec := httptest.NewRecorder()
	body := tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil)
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, tokenGet, bytes.NewReader(body)))
	var tok tokenAnswer
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil || rec.Code != http.StatusOK || tok.Status != 0 {
		t.Fatalf("token: HTTP %d %s", rec.Code, rec.Body)
	}

	// Trigger, through the handler.
	trigger := []byte(`{"flowId":3377,"triggerTime":1574385824000}`)
	req := httptest.NewRequest(http.MethodPost, flowsPath+demoQuery, bytes.NewReader(trigger))
	sign(req, tok.Data.AccessToken, refserver.DemoSecretKey, ts, req.URL.Query(), trigger)
	rec = r.serve(req)
	a := decodeAnswer(t, rec.Code, rec.Header(), rec.Body.Bytes())
	if id := instanceID(t, a); id != "3377-20191122012300" {
		t.Fatalf("id %s", id)
	}
	if got := rec.Header().Get("Date"); got != "Fri, 22 Nov 2019 01:23:44 GMT" {
		t.Errorf("Date = %q", got)
	}

	// The handler and the socket share one store: the same minute over the socket is refused.
	a = r.trigger(tok.Data.AccessToken, refserver.DemoFlowID, 1574385824000)
	if a.Code != 62102 || a.Msg != msgCannotTrigger {
		t.Fatalf("socket after handler: %d %q", a.Code, a.Msg)
	}
}

func TestSuccessEnvelopeShape(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tok := r.token()
	resp, raw := r.do(r.signed(tok, http.MethodPost, flowsPath+demoQuery, []byte(`{"flowId":3377,"triggerTime":1574385824000}`)))
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 4 || string(m["code"]) != "0" || string(m["msg"]) != `"OK"` || string(m["data"]) != `{"flowInstanceId":"3377-20191122012300"}` {
		t.Errorf("envelope %s", raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	// Each answer has its own request id.
	_, raw2 := r.do(r.signed(tok, http.MethodPost, flowsPath+"?action=x", nil))
	var a, b answer
	_ = json.Unmarshal(raw, &a)
	_ = json.Unmarshal(raw2, &b)
	if a.RequestID == b.RequestID {
		t.Errorf("request ids repeat: %s", a.RequestID)
	}
}

func TestNewServerIsEmpty(t *testing.T) {
	t.Parallel()
	clock := manualClock{refserver.NewManualClock(epoch)}
	srv := refserver.NewServer(refserver.WithClock(clock.Now))
	defer srv.Close()
	r := &rig{t: t, srv: srv, clock: clock, secret: refserver.DemoSecretKey}

	ts := clock.Millis()
	if a := r.postToken(tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil)); a.Status != 1002 {
		t.Fatalf("demo app on an empty server: %+v, want 1002", a)
	}
	srv.AddApp(refserver.DemoAccessKey, refserver.DemoSecretKey)
	tok := r.token()
	if a := r.trigger(tok, refserver.DemoFlowID, ts); a.Code != 62101 {
		t.Fatalf("demo user on an empty server: %d %q, want 62101", a.Code, a.Msg)
	}
	srv.AddUser(refserver.DemoOrgID, refserver.DemoUserID)
	if a := r.trigger(tok, refserver.DemoFlowID, ts); a.Code != 62102 || a.Msg != msgCannotTrigger {
		t.Fatalf("demo flow on an empty server: %d %q, want 62102", a.Code, a.Msg)
	}
}

func TestAddAppReplacesSecret(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tok := r.token()
	r.srv.AddApp(refserver.DemoAccessKey, "newSecret")
	if resp, _ := r.do(r.signed(tok, http.MethodPost, flowsPath+"?action=x", nil)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("old secret: HTTP %d, want 401", resp.StatusCode)
	}
	r.secret = "newSecret"
	if resp, _ := r.do(r.signed(tok, http.MethodPost, flowsPath+"?action=x", nil)); resp.StatusCode != http.StatusOK {
		t.Errorf("new secret: HTTP %d, want 200", resp.StatusCode)
	}
}

func TestAddFlowReplaces(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tok := r.token()
	id := instanceID(t, r.trigger(tok, refserver.DemoFlowID, epoch.UnixMilli()))
	r.srv.AddFlow(refserver.Flow{ID: refserver.DemoFlowID, OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID, Locked: true})
	if a := r.trigger(tok, refserver.DemoFlowID, epoch.Add(-time.Hour).UnixMilli()); a.Code != 62105 {
		t.Errorf("replaced flow is locked: got %d, want 62105", a.Code)
	}
	if ins := r.srv.FlowInstances(refserver.DemoFlowID); len(ins) != 1 || ins[0].ID != id {
		t.Errorf("instances after replace: %+v", ins)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	r := newEmptyRig(t)
	tasks := []refserver.Task{{ID: 1}}
	r.srv.AddFlow(refserver.Flow{ID: 1, OrgID: "a", Owner: "u", Tasks: tasks})
	r.srv.AddFlow(refserver.Flow{ID: 2, OrgID: "b", Owner: "u", Tasks: tasks})
	r.srv.AddFlow(refserver.Flow{ID: 3, OrgID: "a", Owner: "v", Tasks: tasks})
	r.srv.LockUser("v") // before the user exists
	r.srv.AddUser("a", "u")
	r.srv.AddUser("b", "u")
	r.srv.AddUser("a", "v")
	tok := r.token()
	ms := strconv.FormatInt(epoch.UnixMilli(), 10)
	for _, tc := range []struct {
		query string
		flow  int
		want  int
	}{
		{"orgId=a&userId=u", 1, 0},
		{"orgId=b&userId=u", 2, 0},
		{"orgId=a&userId=v", 3, 62105},
	} {
		a := r.call(tok, http.MethodPost, flowsPath+"?action=trigger&"+tc.query, `{"flowId":`+strconv.Itoa(tc.flow)+`,"triggerTime":`+ms+`}`)
		if a.Code != tc.want {
			t.Errorf("%s flow %d: code %d %q, want %d", tc.query, tc.flow, a.Code, a.Msg, tc.want)
		}
	}
}

func TestFlowInstancesReturnsCopies(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	instanceID(t, r.trigger(r.token(), refserver.DemoFlowID, epoch.UnixMilli()))
	ins := r.srv.FlowInstances(refserver.DemoFlowID)
	ins[0].Status = refserver.StatusSuccess
	ins[0].ID = "changed"
	if again := r.srv.FlowInstances(refserver.DemoFlowID); again[0].Status != refserver.StatusRunning || again[0].ID != "3377-20191122012300" {
		t.Errorf("the store changed through a returned copy: %+v", again[0])
	}
	if got := r.srv.FlowInstances(424242); got != nil {
		t.Errorf("unknown flow: %+v, want nil", got)
	}
}

func TestFinishFlowInstance(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	tok := r.token()
	running := instanceID(t, r.trigger(tok, refserver.DemoFlowID, epoch.UnixMilli()))
	waiting := instanceID(t, r.trigger(tok, refserver.DemoFlowID, epoch.Add(-time.Minute).UnixMilli()))

	for _, status := range []int{refserver.StatusInit, refserver.StatusRunning, refserver.StatusSuspend, refserver.StatusWait, refserver.StatusReady, refserver.StatusRerun, 11, -2} {
		if err := r.srv.FinishFlowInstance(running, status); err == nil || !strings.Contains(err.Error(), "terminal") {
			t.Errorf("status %d: err %v, want a refusal", status, err)
		}
	}
	if err := r.srv.FinishFlowInstance("3377-20000101000000", refserver.StatusSuccess); err == nil {
		t.Errorf("unknown id: no error")
	}
	assertStatuses(t, r.srv, map[string]int{running: refserver.StatusRunning, waiting: refserver.StatusWait})

	// A waiting instance can be ended too; the running one is untouched.
	if err := r.srv.FinishFlowInstance(waiting, refserver.StatusCancel); err != nil {
		t.Fatal(err)
	}
	assertStatuses(t, r.srv, map[string]int{running: refserver.StatusRunning, waiting: refserver.StatusCancel})
	if err := r.srv.FinishFlowInstance(waiting, refserver.StatusSuccess); err == nil {
		t.Errorf("ending an ended instance: no error")
	}

	for _, status := range []int{refserver.StatusSuccess, refserver.StatusFail, refserver.StatusCancel, refserver.StatusTimeout, refserver.StatusSkip, refserver.StatusInternalError} {
		id := instanceID(t, r.trigger(tok, refserver.DemoFlowID, epoch.Add(-time.Duration(10+status)*time.Minute).UnixMilli()))
		if err := r.srv.FinishFlowInstance(running, status); err != nil {
			t.Fatalf("terminal status %d: %v", status, err)
		}
		if got := statuses(r.srv, refserver.DemoFlowID); got[running] != status || got[id] != refserver.StatusRunning {
			t.Fatalf("after status %d: %v", status, got)
		}
		running = id
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	// nil and non-positive values keep the defaults: real clock, UTC, 15 minutes, 7200 s.
	srv := refserver.NewDemoServer(refserver.WithClock(nil), refserver.WithLocation(nil), refserver.WithTimestampWindow(0), refserver.WithTokenLifetime(-time.Second))
	defer srv.Close()
	clock := manualClock{refserver.NewManualClock(time.Now())}
	r := &rig{t: t, srv: srv, clock: clock, secret: refserver.DemoSecretKey}
	ts := time.Now().Add(-14 * time.Minute).UnixMilli()
	a := r.postToken(tokenGet, tokenBody(ts, encryptionOf(refserver.DemoAccessKey, ts, refserver.DemoSecretKey), nil))
	if a.Status != 0 || a.Data.Expire < 7199 || a.Data.Expire > 7200 {
		t.Fatalf("token: %+v", a)
	}
	trigger := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	clock.Set(time.Now())
	if id := instanceID(t, r.trigger(a.Data.AccessToken, refserver.DemoFlowID, trigger.UnixMilli())); id != "3377-20200102030400" {
		t.Errorf("id %s, want UTC", id)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasSuffix(srv.URL, "/") {
		t.Errorf("URL %q", srv.URL)
	}
}

func TestWithoutListener(t *testing.T) {
	t.Parallel()
	srv := refserver.NewDemoServer(refserver.WithoutListener())
	defer srv.Close()
	if srv.URL != "" {
		t.Errorf("URL = %q, want none", srv.URL)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nowhere", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("Handler answered %d, want the gateway's 404", rec.Code)
	}
}

// TestBackendLoadAndReset: a Backend has no listener and starts empty; Load replaces its
// world with a seed (in the seed's time zone unless WithLocation set one), and Reset brings
// back the seed as loaded, dropping instances and tokens.
func TestBackendLoadAndReset(t *testing.T) {
	t.Parallel()
	clk := refserver.NewManualClock(t0)
	b := refserver.NewBackend(refserver.WithClock(clk.Now))
	if _, ok := b.Flow(refserver.DemoFlowID); ok {
		t.Fatal("a new Backend has a flow")
	}
	seed := refserver.DemoSeed()
	seed.Timezone = "GMT+8"
	if err := b.Load(seed); err != nil {
		t.Fatal(err)
	}
	seed.Flows = nil // the caller's copy: the Backend keeps its own
	c := clientOf(t, b, clk, refserver.DemoAccessKey, refserver.DemoSecretKey)
	id := c.trigger(refserver.DemoFlowID, t0)
	if id != "3377-20261130160000" {
		t.Errorf("id %s, want the seed's GMT+8", id)
	}
	b.AddFlow(refserver.Flow{ID: 9, Name: "added", OrgID: refserver.DemoOrgID, Owner: refserver.DemoUserID})

	b.Reset()
	if _, ok := b.FlowInstance(id); ok {
		t.Error("the instance outlived Reset")
	}
	if _, ok := b.Flow(9); ok {
		t.Error("a flow added after Load outlived Reset")
	}
	if _, ok := b.Flow(refserver.DemoFlowID); !ok {
		t.Error("Reset lost the seed's flow")
	}
	if rec := c.send(http.MethodGet, timePath, url.Values{"action": {"getTimeZone"}}, "", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("the old token after Reset: HTTP %d, want 401", rec.Code)
	}

	pinned := refserver.NewBackend(refserver.WithClock(clk.Now), refserver.WithLocation(time.UTC))
	if err := pinned.Load(seed); err != nil {
		t.Fatal(err)
	}
	p := clientOf(t, pinned, clk, refserver.DemoAccessKey, refserver.DemoSecretKey)
	if rec := p.send(http.MethodGet, timePath, url.Values{"action": {"getTimeZone"}}, "", ""); !strings.Contains(rec.Body.String(), `"GMT+0"`) {
		t.Errorf("WithLocation(UTC) and a GMT+8 seed: %s", rec.Body)
	}
	if err := b.Load(&refserver.Seed{Flows: []refserver.SeedFlow{{ID: 1}}}); err == nil {
		t.Error("Load of an invalid seed: no error")
	}
	if err := b.Load(nil); err == nil {
		t.Error("Load(nil): no error")
	}
}

// TestDemoSeedIsTheFile: testdata/seed/demo.json holds DemoSeed.
func TestDemoSeedIsTheFile(t *testing.T) {
	t.Parallel()
	want := refserver.DemoSeed()
	want.Timezone = "UTC"
	if got := loadSeedFile(t, "demo.json"); !reflect.DeepEqual(got, want) {
		t.Errorf("demo.json:\n got %+v\nwant %+v", got, want)
	}
}
