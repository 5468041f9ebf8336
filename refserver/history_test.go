package refserver_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// maxBytesPerInstance is the live heap a completed instance of the demo flow (two tasks) may
// hold; WithMaxInstances documents about 0.6 KB.
const maxBytesPerInstance = 800

// TestInstanceMemory measures the live heap that 10,000 completed instances of the demo flow
// hold (runtime.ReadMemStats after runtime.GC()); BenchmarkInstanceMemory measures 100,000.
//
// It runs alone, not in parallel: other tests' allocations would count in the live heap.
func TestInstanceMemory(t *testing.T) {
	const n = 10_000
	c := newHandlerClient(t, t0)
	before := liveHeap()
	c.completedHistory(n)
	after := liveHeap()
	per := float64(after-before) / n
	t.Logf("%.0f bytes per instance", per)
	if per > maxBytesPerInstance {
		t.Errorf("an instance holds %.0f bytes of heap, want at most %d", per, maxBytesPerInstance)
	}
	if got := len(c.srv.FlowInstances(refserver.DemoFlowID)); got != n {
		t.Errorf("%d instances kept, want all %d", got, n)
	}
}

// TestMaxInstances bounds the history to 5 instances: the instances that ended first are
// forgotten first, as if they had never been, and waiting or running ones never are.
func TestMaxInstances(t *testing.T) {
	t.Parallel()
	c := newHandlerClient(t, t0, refserver.WithMaxInstances(5))
	ids := c.completedHistory(8) // each ends before the next is triggered
	if got := instanceIDs(c.srv.FlowInstances(refserver.DemoFlowID)); !slices.Equal(got, ids[3:]) {
		t.Fatalf("kept %v, want the last five %v", got, ids[3:])
	}
	rec := c.send(http.MethodGet, flowInstancesPath, url.Values{"action": {"get"}, "orgId": {refserver.DemoOrgID},
		"userId": {refserver.DemoUserID}, "flowInstId": {ids[0]}}, "", "")
	if a := decodeAnswer(t, rec.Code, rec.Header(), rec.Body.Bytes()); a.Code != 62102 || a.Msg != "Instance not found" {
		t.Errorf("Get Flow Instance of a forgotten instance: %d %q", a.Code, a.Msg)
	}
	var page struct {
		Count int `json:"count"`
	}
	if err := json.Unmarshal(c.call(http.MethodPost, flowInstancesPath, "search", "", listBody(t, `{}`)), &page); err != nil || page.Count != 5 {
		t.Errorf("List Flow Instances counts %d (%v), want 5", page.Count, err)
	}

	// Seven queued behind one another (the clock stands still): the ended ones go, the
	// queued ones stay although they are more than five.
	var queued []string
	for k := 0; k < 7; k++ {
		queued = append(queued, c.trigger(refserver.DemoFlowID, t0.Add(time.Duration(k-100)*time.Minute)))
	}
	kept := c.srv.FlowInstances(refserver.DemoFlowID)
	slices.Sort(queued)
	if got := instanceIDs(kept); !slices.Equal(got, queued) {
		t.Fatalf("kept %v, want the seven queued %v", got, queued)
	}
	c.clk.Advance(time.Hour)
	if got := instanceIDs(c.srv.FlowInstances(refserver.DemoFlowID)); !slices.Equal(got, queued[2:]) {
		t.Errorf("after they ran: kept %v, want the five that ended last %v", got, queued[2:])
	}
	// A forgotten minute can be triggered again.
	if id := c.trigger(refserver.DemoFlowID, t0.Add(-time.Duration(8)*time.Minute)); id != ids[0] {
		t.Errorf("trigger of a forgotten minute: %s, want %s", id, ids[0])
	}
}

// instanceIDs returns the ids of instances, in their order.
func instanceIDs(list []refserver.FlowInstance) []string {
	out := make([]string, len(list))
	for i, in := range list {
		out[i] = in.ID
	}
	return out
}
