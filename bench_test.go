package batchprocessing_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/internal/signing"
)

// Benchmarks of the SDK against two floors, the same call written by hand with net/http,
// crypto/sha256 and encoding/json, the token already in hand, one typed decode:
//
//   - careful: with the SDK's per-attempt timeout policy (http.Client{Timeout: 30 s}), the
//     fair floor, since a careful program bounds each request;
//   - bare: without a timeout;
//
// and against itself with its requests built by net/http instead of resty (nethttp), which
// says what resty costs.
//
// All run against one in-process handler over loopback, in rounds (-args -rounds N), each
// round in an order rotated by one, so that the variants alternate within one process and
// none always runs first or last. scripts/bench.sh runs them and prints the medians, their
// spread and the ratios.

const (
	benchAccessKey = "benchAccessKey"
	benchSecretKey = "benchSecretKey"
	benchToken     = "61f1575d5daaef1a3d994466e54b97a89aded3be7dbc7ba0efd7b7ddafacf59b"
	benchOrgID     = "yourOrgId"
	benchUserID    = "yourUserId"
	benchInstance  = "3377-20191122012300"
)

var benchTriggerTime = time.UnixMilli(1574385824000)

// benchServer answers the token service, Trigger Flow and Get Flow Instance with fixed
// bodies, as fast as it can.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	instance, err := os.ReadFile("testdata/bench/flow_instance.json")
	if err != nil {
		b.Fatal(err)
	}
	token := []byte(`{"status":0,"msg":"SUCCESS","business":"apim-token-service","data":{"accessToken":"` + benchToken + `","expire":7200}}`)
	trigger := []byte(`{"code":0,"msg":"OK","data":{"flowInstanceId":"` + benchInstance + `"},"requestId":"5f0e3a9c1d2b4e6f8a7b9c0d1e2f3a4b"}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		switch r.URL.Path {
		case "/apim-token-service/v2.0/token/get":
			_, _ = w.Write(token)
		case "/batch-processing-service/v2.1/flows":
			_, _ = w.Write(trigger)
		case "/batch-processing-service/v2.1/flowInstances":
			_, _ = w.Write(instance)
		default:
			http.NotFound(w, r)
		}
	}))
	b.Cleanup(srv.Close)
	return srv
}

// benchTransport is the transport both sides use: Go's default, with enough idle
// connections for the parallel benchmarks (the SDK's default transport is the same).
func benchTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 100, 100
	return t
}

func benchSDK(b testing.TB, srv *httptest.Server) *batchprocessing.Client {
	b.Helper()
	c, err := batchprocessing.NewClient(srv.URL, benchAccessKey, benchSecretKey,
		batchprocessing.WithOrgID(benchOrgID), batchprocessing.WithUserID(benchUserID),
		batchprocessing.WithHTTPClient(&http.Client{Transport: benchTransport(), Timeout: 30 * time.Second}))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: 3377, TriggerTime: benchTriggerTime}); err != nil {
		b.Fatal(err) // fetches and caches the token
	}
	return c
}

// byHand is a floor: what a user would write without the SDK, token already in hand.
type byHand struct {
	hc       *http.Client
	base     string
	token    string
	secret   string
	org, usr string
}

// newByHand returns the careful floor, or with careful false the bare one.
func newByHand(srv *httptest.Server, careful bool) *byHand {
	hc := &http.Client{Transport: benchTransport()}
	if careful {
		hc.Timeout = 30 * time.Second
	}
	return &byHand{hc: hc, base: srv.URL, token: benchToken, secret: benchSecretKey, org: benchOrgID, usr: benchUserID}
}

// sign is the gateway's signature written out: sorted query keys and values, body,
// timestamp, secret, SHA-256, lowercase hex.
func (h *byHand) sign(ts int64, q url.Values, body []byte) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	sum := sha256.New()
	io.WriteString(sum, h.token)
	for _, k := range keys {
		io.WriteString(sum, k)
		io.WriteString(sum, q.Get(k))
	}
	sum.Write(body)
	io.WriteString(sum, strconv.FormatInt(ts, 10))
	io.WriteString(sum, h.secret)
	return hex.EncodeToString(sum.Sum(nil))
}

// send signs and sends one request and decodes the envelope into env, in one pass.
func (h *byHand) send(ctx context.Context, method, path string, q url.Values, body []byte, env any) (int, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.base+path+"?"+q.Encode(), rd)
	if err != nil {
		return 0, err
	}
	ts := time.Now().UnixMilli()
	if body != nil {
		req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	}
	req.Header.Set("apim-accesstoken", h.token)
	req.Header.Set("apim-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("apim-signature", h.sign(ts, q, body))
	resp, err := h.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(env)
}

func (h *byHand) triggerFlow(ctx context.Context, flowID int64, at time.Time) (string, error) {
	q := url.Values{"action": {"trigger"}, "orgId": {h.org}, "userId": {h.usr}}
	body, err := json.Marshal(struct {
		FlowID      int64 `json:"flowId"`
		TriggerTime int64 `json:"triggerTime"`
	}{flowID, at.UnixMilli()})
	if err != nil {
		return "", err
	}
	var env struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
		Data struct {
			FlowInstanceID string `json:"flowInstanceId"`
		} `json:"data"`
	}
	status, err := h.send(ctx, http.MethodPost, "/batch-processing-service/v2.1/flows", q, body, &env)
	switch {
	case err != nil:
		return "", err
	case status != http.StatusOK || env.Code != 0:
		return "", fmt.Errorf("http %d code %d: %s", status, env.Code, env.Msg)
	case env.Data.FlowInstanceID == "":
		return "", errors.New("no flowInstanceId")
	}
	return env.Data.FlowInstanceID, nil
}

// handFlowInstance is the by-hand decoding target: the fields a caller reads.
type handFlowInstance struct {
	InstanceID  string `json:"instanceId"`
	FlowID      int64  `json:"flowId"`
	FlowName    string `json:"flowName"`
	Status      int    `json:"status"`
	StatusDesc  string `json:"statusDesc"`
	Graph       string `json:"graph"`
	Parameters  string `json:"parameters"`
	TriggerTime string `json:"triggerTime"`
	StartTime   string `json:"startTime"`
	EndTime     string `json:"endTime"`
	Owner       string `json:"owner"`
	CalDt       string `json:"calDt"`
}

func (h *byHand) getFlowInstance(ctx context.Context, id string) (*handFlowInstance, error) {
	q := url.Values{"action": {"get"}, "flowInstId": {id}, "orgId": {h.org}, "userId": {h.usr}}
	var env struct {
		Code int              `json:"code"`
		Msg  string           `json:"msg"`
		Data handFlowInstance `json:"data"`
	}
	status, err := h.send(ctx, http.MethodGet, "/batch-processing-service/v2.1/flowInstances", q, nil, &env)
	switch {
	case err != nil:
		return nil, err
	case status != http.StatusOK || env.Code != 0:
		return nil, fmt.Errorf("http %d code %d: %s", status, env.Code, env.Msg)
	}
	return &env.Data, nil
}

// variant is one of the ways of making a call that a benchmark compares.
type variant struct {
	name string
	call func(ctx context.Context) error
}

// variants returns the SDK's call, the two floors' and the SDK's on net/http for srv.
// nethttp is the same SDK client with its requests built by net/http instead of resty
// (batchprocessing.SendThroughNetHTTP, a test-only seam): SDK against nethttp is what resty
// costs.
func variants(b *testing.B, srv *httptest.Server, sdk func(*batchprocessing.Client) func(context.Context) error,
	hand func(*byHand) func(context.Context) error) []variant {
	onNetHTTP := benchSDK(b, srv)
	batchprocessing.SendThroughNetHTTP(onNetHTTP)
	return []variant{
		{"sdk", sdk(benchSDK(b, srv))},
		{"careful", hand(newByHand(srv, true))},
		{"bare", hand(newByHand(srv, false))},
		{"nethttp", sdk(onNetHTTP)},
	}
}

// benchRounds is how many rounds of its variants each benchmark runs: go test -bench .
// -args -rounds 10. (-count would repeat each variant in a row, not alternate them.)
var benchRounds = flag.Int("rounds", 1, "rounds of the SDK-against-by-hand benchmarks")

// runRotated runs the variants as sub-benchmarks, round after round, each round in an
// order rotated by one. Go names a variant's later runs sdk#01, sdk#02, ...
func runRotated(b *testing.B, vs []variant, run func(*testing.B, func() error)) {
	ctx := context.Background()
	for r := 0; r < *benchRounds; r++ {
		for i := range vs {
			v := vs[(i+r)%len(vs)]
			b.Run(v.name, func(b *testing.B) { run(b, func() error { return v.call(ctx) }) })
		}
	}
}

func triggerVariants(b *testing.B) []variant {
	srv := benchServer(b)
	req := batchprocessing.TriggerFlowRequest{FlowID: 3377, TriggerTime: benchTriggerTime}
	return variants(b, srv,
		func(c *batchprocessing.Client) func(context.Context) error {
			return func(ctx context.Context) error { _, err := c.TriggerFlow(ctx, req); return err }
		},
		func(h *byHand) func(context.Context) error {
			return func(ctx context.Context) error { _, err := h.triggerFlow(ctx, 3377, benchTriggerTime); return err }
		})
}

func getVariants(b *testing.B) []variant {
	srv := benchServer(b)
	req := batchprocessing.GetFlowInstanceRequest{FlowInstanceID: benchInstance}
	return variants(b, srv,
		func(c *batchprocessing.Client) func(context.Context) error {
			return func(ctx context.Context) error { _, err := c.GetFlowInstance(ctx, req); return err }
		},
		func(h *byHand) func(context.Context) error {
			return func(ctx context.Context) error { _, err := h.getFlowInstance(ctx, benchInstance); return err }
		})
}

func BenchmarkTriggerFlow(b *testing.B) { runRotated(b, triggerVariants(b), sequential) }

func BenchmarkGetFlowInstance(b *testing.B) { runRotated(b, getVariants(b), sequential) }

func BenchmarkTriggerFlowParallel(b *testing.B) { runRotated(b, triggerVariants(b), parallel32) }

func BenchmarkGetFlowInstanceParallel(b *testing.B) { runRotated(b, getVariants(b), parallel32) }

// sequential runs body b.N times from one goroutine.
func sequential(b *testing.B, body func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := body(); err != nil {
			b.Fatal(err)
		}
	}
}

// parallel32 runs body from 32 goroutines when GOMAXPROCS divides 32 (1, 2, 4, ... as on
// the machines the README reports), else from the next multiple of GOMAXPROCS: RunParallel
// starts a whole number of goroutines per P.
func parallel32(b *testing.B, body func() error) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((32 + procs - 1) / procs)
	var failed atomic.Value
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := body(); err != nil {
				failed.Store(err)
				return
			}
		}
	})
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
}

// TestFloorsSendWhatTheSDKSends checks that the hand-written floors make the SDK's calls:
// the same method, URL and body, the same token, and a signature the gateway's rule
// accepts, for the trigger and the get of the benchmarks.
func TestFloorsSendWhatTheSDKSends(t *testing.T) {
	t.Parallel()
	type sent struct{ method, url, body, token string }
	var (
		mu   sync.Mutex
		seen []sent
		bad  []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		if r.URL.Path == "/apim-token-service/v2.0/token/get" {
			_, _ = io.WriteString(w, `{"status":0,"msg":"SUCCESS","data":{"accessToken":"`+benchToken+`","expire":7200}}`)
			return
		}
		ts, _ := strconv.ParseInt(r.Header.Get("apim-timestamp"), 10, 64)
		mu.Lock()
		if want := signing.Sign(benchToken, benchSecretKey, ts, r.URL.Query(), body); r.Header.Get("apim-signature") != want {
			bad = append(bad, r.URL.String())
		}
		seen = append(seen, sent{r.Method, r.URL.String(), string(body), r.Header.Get("apim-accesstoken")})
		mu.Unlock()
		if r.URL.Path == "/batch-processing-service/v2.1/flows" {
			_, _ = io.WriteString(w, `{"code":0,"msg":"OK","data":{"flowInstanceId":"`+benchInstance+`"}}`)
			return
		}
		_, _ = io.WriteString(w, `{"code":0,"msg":"OK","data":{"instanceId":"`+benchInstance+`","flowId":3377,"status":1}}`)
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	hand := func(careful bool) func() error {
		h := newByHand(srv, careful)
		return func() error {
			if _, err := h.triggerFlow(ctx, 3377, benchTriggerTime); err != nil {
				return err
			}
			_, err := h.getFlowInstance(ctx, benchInstance)
			return err
		}
	}
	sdk := benchSDK(t, srv) // its first call, a trigger, is recorded too
	for _, v := range []struct {
		name  string
		calls func() error
	}{
		{"sdk", func() error {
			_, err := sdk.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: benchInstance})
			return err
		}},
		{"careful", hand(true)},
		{"bare", hand(false)},
	} {
		if err := v.calls(); err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bad) > 0 {
		t.Errorf("signatures the gateway refuses: %v", bad)
	}
	if len(seen) != 6 {
		t.Fatalf("%d calls recorded, want 6: %+v", len(seen), seen)
	}
	for i, s := range seen[2:] { // a trigger, then a get, for each of sdk, careful, bare
		if want := seen[i%2]; s != want {
			t.Errorf("call %+v differs from the SDK's %+v", s, want)
		}
	}
}
