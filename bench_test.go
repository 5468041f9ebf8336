package batchprocessing_test

import (
	"context"
	"flag"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
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
// spread and the ratios. The NoNetwork benchmarks run the same variants over a transport that
// answers from memory (memoryTransport): the client's own time and allocations, without the
// network's and the server's; they have no target, and say where the time goes.

const (
	benchAccessKey = "benchAccessKey"
	benchSecretKey = "benchSecretKey"
	benchToken     = "61f1575d5daaef1a3d994466e54b97a89aded3be7dbc7ba0efd7b7ddafacf59b"
	benchOrgID     = "yourOrgId"
	benchUserID    = "yourUserId"
	benchInstance  = "3377-20191122012300"
)

var benchTriggerTime = time.UnixMilli(1574385824000)

// variant is one of the ways of making a call that a benchmark compares.
type variant struct {
	name string
	call func(ctx context.Context) error
}

// variants returns the SDK's call, the two floors' and the SDK's on net/http, over net (a
// transport of its own each). nethttp is the same SDK client with its requests
// built by net/http instead of resty (batchprocessing.SendThroughNetHTTP, a test-only seam):
// SDK against nethttp is what resty costs.
func variants(b *testing.B, net benchNet, sdk func(*batchprocessing.Client) func(context.Context) error,
	hand func(*byHand) func(context.Context) error) []variant {
	batchprocessing.MeasureAsShipped() // the tests poison released bodies; benchmarks run after them
	onNetHTTP := benchSDK(b, net.endpoint, net.transport())
	batchprocessing.SendThroughNetHTTP(onNetHTTP)
	return []variant{
		{"sdk", sdk(benchSDK(b, net.endpoint, net.transport()))},
		{"careful", hand(newByHand(net.endpoint, net.transport(), true))},
		{"bare", hand(newByHand(net.endpoint, net.transport(), false))},
		{"nethttp", sdk(onNetHTTP)},
	}
}

// benchNet is where the variants of a benchmark send their calls: an endpoint, and the
// transports that reach it.
type benchNet struct {
	endpoint  string
	transport func() http.RoundTripper
}

// overLoopback returns a benchServer's endpoint, reached over loopback.
func overLoopback(b *testing.B) benchNet {
	return benchNet{benchServer(b).URL, func() http.RoundTripper { return benchTransport() }}
}

// inMemory returns an endpoint whose transports answer from memory.
func inMemory(b *testing.B) benchNet {
	bodies := loadBenchBodies(b)
	return benchNet{"http://gateway.test", func() http.RoundTripper { return memoryTransport{bodies} }}
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

func triggerVariants(b *testing.B, net benchNet) []variant {
	req := batchprocessing.TriggerFlowRequest{FlowID: 3377, TriggerTime: benchTriggerTime}
	return variants(b, net,
		func(c *batchprocessing.Client) func(context.Context) error {
			return func(ctx context.Context) error { _, err := c.TriggerFlow(ctx, req); return err }
		},
		func(h *byHand) func(context.Context) error {
			return func(ctx context.Context) error { _, err := h.triggerFlow(ctx, 3377, benchTriggerTime); return err }
		})
}

func getVariants(b *testing.B, net benchNet) []variant {
	req := batchprocessing.GetFlowInstanceRequest{FlowInstanceID: benchInstance}
	return variants(b, net,
		func(c *batchprocessing.Client) func(context.Context) error {
			return func(ctx context.Context) error { _, err := c.GetFlowInstance(ctx, req); return err }
		},
		func(h *byHand) func(context.Context) error {
			return func(ctx context.Context) error { _, err := h.getFlowInstance(ctx, benchInstance); return err }
		})
}

func BenchmarkTriggerFlow(b *testing.B) {
	runRotated(b, triggerVariants(b, overLoopback(b)), sequential)
}

func BenchmarkGetFlowInstance(b *testing.B) {
	runRotated(b, getVariants(b, overLoopback(b)), sequential)
}

func BenchmarkTriggerFlowParallel(b *testing.B) {
	runRotated(b, triggerVariants(b, overLoopback(b)), parallel32)
}

func BenchmarkGetFlowInstanceParallel(b *testing.B) {
	runRotated(b, getVariants(b, overLoopback(b)), parallel32)
}

func BenchmarkTriggerFlowNoNetwork(b *testing.B) {
	runRotated(b, triggerVariants(b, inMemory(b)), sequential)
}

func BenchmarkGetFlowInstanceNoNetwork(b *testing.B) {
	runRotated(b, getVariants(b, inMemory(b)), sequential)
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
