package batchprocessing_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
)

// benchBodies are the responses of the benchmarks: the token service's, Trigger Flow's and
// a large Get Flow Instance's, by path.
type benchBodies map[string][]byte

func loadBenchBodies(b testing.TB) benchBodies {
	b.Helper()
	instance, err := os.ReadFile("testdata/bench/flow_instance.json")
	if err != nil {
		b.Fatal(err)
	}
	return benchBodies{
		"/apim-token-service/v2.0/token/get": []byte(`{"status":0,"msg":"SUCCESS","business":"apim-token-service","data":{"accessToken":"` +
			benchToken + `","expire":7200}}`),
		"/batch-processing-service/v2.1/flows": []byte(`{"code":0,"msg":"OK","data":{"flowInstanceId":"` +
			benchInstance + `"},"requestId":"5f0e3a9c1d2b4e6f8a7b9c0d1e2f3a4b"}`),
		"/batch-processing-service/v2.1/flowInstances": instance,
	}
}

// benchServer answers with the benchmarks' bodies over loopback, as fast as it can.
func benchServer(b testing.TB) *httptest.Server {
	b.Helper()
	bodies := loadBenchBodies(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write(body)
	}))
	b.Cleanup(srv.Close)
	return srv
}

// memoryTransport answers with the benchmarks' bodies from memory: the client's own work
// without the network and the server's. Like benchServer's responses, a body of over 2 KB
// comes without a length (net/http's server chunks it).
type memoryTransport struct{ bodies benchBodies }

func (m memoryTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	body, ok := m.bodies[r.URL.Path]
	if !ok {
		return &http.Response{StatusCode: http.StatusNotFound, Body: http.NoBody, Request: r}, nil
	}
	length := int64(len(body))
	if length > 2048 {
		length = -1
	}
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json;charset=UTF-8"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: length, Request: r}, nil
}

// benchTransport is the transport of both sides over loopback: Go's default, with enough
// idle connections for the parallel benchmarks (the SDK's default transport is the same).
func benchTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 100, 100
	return t
}

// benchSDK returns an SDK client of endpoint over rt, its token already fetched.
func benchSDK(b testing.TB, endpoint string, rt http.RoundTripper) *batchprocessing.Client {
	b.Helper()
	c, err := batchprocessing.NewClient(endpoint, benchAccessKey, benchSecretKey,
		batchprocessing.WithOrgID(benchOrgID), batchprocessing.WithUserID(benchUserID),
		batchprocessing.WithHTTPClient(&http.Client{Transport: rt, Timeout: 30 * time.Second}))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.TriggerFlow(context.Background(), batchprocessing.TriggerFlowRequest{FlowID: 3377, TriggerTime: benchTriggerTime}); err != nil {
		b.Fatal(err) // fetches and caches the token
	}
	return c
}
