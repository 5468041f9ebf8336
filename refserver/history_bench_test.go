package refserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// The benchmarks of this file measure what a request costs as the server's history grows
// (all through Handler, on a manual clock). The targets: with 100,000 instances, a trigger and
// a Get Flow Instance cost within 3x of what they cost with 1,000, and a page of 10 within 10x;
// catching up 8,000 queued instances after a clock jump takes under 50 ms.

// historySizes are the history sizes BenchmarkHistory compares.
var historySizes = []int{1_000, 10_000, 100_000}

// BenchmarkHistory measures a Get Flow Instance, a page of List Flow Instances (as the SDK
// asks: type, every status, a trigger-time range, newest first by default or oldest first;
// of one status, which reads the order of that status; and of one owner, which reads that
// owner's index) and a trigger against a history of completed instances of the demo flow.
// The trigger runs last: it adds to the history, which the server's bound keeps at its
// size. (A page sorted by another field, or with an expression, visits the trigger-time
// range: its cost grows with it.)
func BenchmarkHistory(b *testing.B) {
	for _, n := range historySizes {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) { benchmarkHistory(b, n) })
	}
}

func benchmarkHistory(b *testing.B, n int) {
	// The bound keeps the history near n while the trigger sub-benchmark adds to it: each
	// trigger also forgets the instance that ended first, as a bounded server does. (Its
	// slack leaves the demo's periodic instances room while the history fills.)
	c := newHandlerClient(b, t0, refserver.WithMaxInstances(n+1_000))
	ids := c.completedHistory(n)
	from := c.clk.Now().Add(-time.Duration(n+1) * time.Minute).UnixMilli()
	b.Run("get", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			c.call(http.MethodGet, flowInstancesPath, "get", "&flowInstId="+url.QueryEscape(ids[i%len(ids)]), "")
		}
	})
	sdkPage := func(owner, order string) string {
		return `{"type":1,"expression":"","owner":"` + owner + `","fromTriggerTime":` + strconv.FormatInt(from, 10) + `,"toTriggerTime":` + strconv.FormatInt(c.clk.Now().UnixMilli(), 10) +
			`,"status":"-1,0,1,2,3,4,5,6,7,8,9,10","pagination":{"pageNo":1,"pageSize":10,"sorters":[{"field":"trigger_time","order":"` + order + `"}]}}`
	}
	pages := []struct{ name, body string }{
		{"page-status", listBody(b, `{"status":"1","pagination":{"pageNo":1,"pageSize":10}}`)},
		{"page-sdk", sdkPage("", "DESC")},
		{"page-oldest", sdkPage("", "ASC")},
		{"page-owner", sdkPage(refserver.DemoUserID, "DESC")},
	}
	for _, p := range pages {
		checkFullPage(b, c, p.name, p.body, n*9/10) // most of the history: its range leaves out the oldest
		b.Run(p.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.call(http.MethodPost, flowInstancesPath, "search", "", p.body)
			}
		})
	}
	next := c.clk.Now() // shared by the runs of the sub-benchmark: each minute once, never ahead of the clock
	b.Run("trigger", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			c.trigger(refserver.DemoFlowID, next)
			next = next.Add(time.Minute)
			c.clk.Advance(time.Minute)
		}
	})
}

// checkFullPage fails b unless the search body reads a full page of 10 instances and counts
// at least atLeast: a page benchmark measures a real page.
func checkFullPage(b *testing.B, c *handlerClient, name, body string, atLeast int) {
	b.Helper()
	var page struct {
		FlowInsts []json.RawMessage `json:"flowInsts"`
		Count     int               `json:"count"`
	}
	if err := json.Unmarshal(c.call(http.MethodPost, flowInstancesPath, "search", "", body), &page); err != nil ||
		len(page.FlowInsts) != 10 || page.Count < atLeast {
		b.Fatalf("%s: %d instances of %d (%v), want 10 of at least %d", name, len(page.FlowInsts), page.Count, err, atLeast)
	}
}

// BenchmarkCatchUp measures the request that comes after the clock has jumped past 8,000
// queued instances of one flow: it settles all of them.
func BenchmarkCatchUp(b *testing.B) {
	const queued = 8_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		c := newHandlerClient(b, t0)
		var last string
		for k := 0; k < queued; k++ {
			last = c.trigger(refserver.DemoFlowID, t0.Add(-time.Duration(queued-k)*time.Minute))
		}
		c.clk.Advance(queued*2*time.Second + time.Minute)
		b.StartTimer()
		c.timezone()
		b.StopTimer()
		if in, _ := c.srv.FlowInstance(last); in.Status != refserver.StatusSuccess {
			b.Fatalf("last queued instance: status %d", in.Status)
		}
	}
}

// BenchmarkInstanceMemory measures the heap that completed instances hold, as live bytes
// after a garbage collection: instances of the demo flow (two tasks) and of a flow of
// twelve, before their graphs are read (B/instance) and what reading every graph adds
// (graph-B/instance: Get Flow Instance writes an instance's graph once and keeps it).
// scripts/benchratio derives from the two the bytes of an instance and of each task that
// the docs of WithMaxInstances and cmd/refserver give.
func BenchmarkInstanceMemory(b *testing.B) {
	const n = 50_000
	for _, tasks := range []int{2, 12} {
		b.Run(fmt.Sprintf("tasks=%d", tasks), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				c := newHandlerClient(b, t0)
				flowID := int64(refserver.DemoFlowID)
				if tasks != 2 {
					flowID = c.addChainFlow(tasks)
				}
				before := liveHeap()
				c.completedHistoryOf(flowID, n, time.Duration(tasks)*time.Second) // its ids dead before held
				held := liveHeap()
				for _, in := range c.srv.FlowInstances(flowID) {
					c.call(http.MethodGet, flowInstancesPath, "get", "&flowInstId="+url.QueryEscape(in.ID), "")
				}
				withGraphs := liveHeap()
				runtime.KeepAlive(c)
				b.ReportMetric(float64(held-before)/n, "B/instance")
				b.ReportMetric((float64(withGraphs)-float64(held))/n, "graph-B/instance")
			}
		})
	}
}
