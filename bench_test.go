package batchprocessing_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
)

// Benchmarks of the SDK against the floor: the same calls written by hand with net/http,
// crypto/sha256 and encoding/json. Each pair runs against the same in-process handler over
// loopback, with the token already cached on both sides. scripts/bench.sh runs them and
// prints the SDK/by-hand ratios.

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

func benchSDK(b *testing.B, srv *httptest.Server) *batchprocessing.Client {
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

// byHand is the floor: what a user would write without the SDK, token already in hand.
type byHand struct {
	hc       *http.Client
	base     string
	token    string
	secret   string
	org, usr string
}

func newByHand(srv *httptest.Server) *byHand {
	return &byHand{hc: &http.Client{Transport: benchTransport(), Timeout: 30 * time.Second}, base: srv.URL,
		token: benchToken, secret: benchSecretKey, org: benchOrgID, usr: benchUserID}
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

func (h *byHand) do(ctx context.Context, method, path string, q url.Values, body []byte, data any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.base+path+"?"+q.Encode(), rd)
	if err != nil {
		return err
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
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Code int             `json:"code"`
		Msg  string          `json:"msg"`
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || env.Code != 0 {
		return fmt.Errorf("http %d code %d: %s", resp.StatusCode, env.Code, env.Msg)
	}
	return json.Unmarshal(env.Data, data)
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
	var data struct {
		FlowInstanceID string `json:"flowInstanceId"`
	}
	if err := h.do(ctx, http.MethodPost, "/batch-processing-service/v2.1/flows", q, body, &data); err != nil {
		return "", err
	}
	if data.FlowInstanceID == "" {
		return "", errors.New("no flowInstanceId")
	}
	return data.FlowInstanceID, nil
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
	var fi handFlowInstance
	if err := h.do(ctx, http.MethodGet, "/batch-processing-service/v2.1/flowInstances", q, nil, &fi); err != nil {
		return nil, err
	}
	return &fi, nil
}

func BenchmarkTriggerFlow(b *testing.B) {
	srv := benchServer(b)
	ctx := context.Background()
	b.Run("sdk", func(b *testing.B) {
		c := benchSDK(b, srv)
		req := batchprocessing.TriggerFlowRequest{FlowID: 3377, TriggerTime: benchTriggerTime}
		sequential(b, func() error { _, err := c.TriggerFlow(ctx, req); return err })
	})
	b.Run("byhand", func(b *testing.B) {
		h := newByHand(srv)
		sequential(b, func() error { _, err := h.triggerFlow(ctx, 3377, benchTriggerTime); return err })
	})
}

func BenchmarkGetFlowInstance(b *testing.B) {
	srv := benchServer(b)
	ctx := context.Background()
	b.Run("sdk", func(b *testing.B) {
		c := benchSDK(b, srv)
		req := batchprocessing.GetFlowInstanceRequest{FlowInstanceID: benchInstance}
		sequential(b, func() error { _, err := c.GetFlowInstance(ctx, req); return err })
	})
	b.Run("byhand", func(b *testing.B) {
		h := newByHand(srv)
		sequential(b, func() error { _, err := h.getFlowInstance(ctx, benchInstance); return err })
	})
}

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

// parallel64 runs body from 64 goroutines, whatever GOMAXPROCS is.
func parallel64(b *testing.B, body func() error) {
	procs := runtime.GOMAXPROCS(0)
	b.SetParallelism((64 + procs - 1) / procs)
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

func BenchmarkTriggerFlowParallel(b *testing.B) {
	srv := benchServer(b)
	ctx := context.Background()
	b.Run("sdk", func(b *testing.B) {
		c := benchSDK(b, srv)
		req := batchprocessing.TriggerFlowRequest{FlowID: 3377, TriggerTime: benchTriggerTime}
		parallel64(b, func() error { _, err := c.TriggerFlow(ctx, req); return err })
	})
	b.Run("byhand", func(b *testing.B) {
		h := newByHand(srv)
		parallel64(b, func() error { _, err := h.triggerFlow(ctx, 3377, benchTriggerTime); return err })
	})
}

func BenchmarkGetFlowInstanceParallel(b *testing.B) {
	srv := benchServer(b)
	ctx := context.Background()
	b.Run("sdk", func(b *testing.B) {
		c := benchSDK(b, srv)
		req := batchprocessing.GetFlowInstanceRequest{FlowInstanceID: benchInstance}
		parallel64(b, func() error { _, err := c.GetFlowInstance(ctx, req); return err })
	})
	b.Run("byhand", func(b *testing.B) {
		h := newByHand(srv)
		parallel64(b, func() error { _, err := h.getFlowInstance(ctx, benchInstance); return err })
	})
}
