package batchprocessing

import (
	"context"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func TestQueryCache(t *testing.T) {
	t.Parallel()
	var qc queryCache
	q := userQuery{Action: "trigger", OrgID: "o", UserID: "u"}
	v1, raw1, err := qc.encode("https://gw", "/p", q)
	if err != nil || raw1 != "https://gw/p?action=trigger&orgId=o&userId=u" || v1.Get("orgId") != "o" {
		t.Fatalf("encode = %v %q %v", v1, raw1, err)
	}
	v2, raw2, _ := qc.encode("https://gw", "/p", userQuery{Action: "trigger", OrgID: "o", UserID: "u"})
	if raw2 != raw1 || len(qc.entries) != 1 {
		t.Errorf("an equal query was encoded again: %q, %d entries", raw2, len(qc.entries))
	}
	v2.Get("orgId") // shared, read only
	// Different values are different entries, embedded structs flatten.
	_, raw3, _ := qc.encode("https://gw", "/p", flowInstanceQuery{userQuery{"get", "o", "u"}, "1-20191122012300"})
	if raw3 != "https://gw/p?action=get&flowInstId=1-20191122012300&orgId=o&userId=u" {
		t.Errorf("raw3 = %q", raw3)
	}
	// Bounded: past the limit, queries are still encoded, not stored.
	for i := 0; i < maxCachedQueries+10; i++ {
		if _, raw, err := qc.encode("https://gw", "/p", flowQuery{userQuery{"get", "o", "u"}, int64(i + 1)}); err != nil || raw == "" {
			t.Fatal(err)
		}
	}
	if len(qc.entries) != maxCachedQueries {
		t.Errorf("%d entries, want the bound %d", len(qc.entries), maxCachedQueries)
	}
	if _, _, err := qc.encode("https://gw", "/p", 42); err == nil {
		t.Error("a non-struct query encodes")
	}
	// A query struct that cannot be a map key is encoded, not cached (and does not panic).
	type withSlice struct {
		IDs []string `url:"ids,comma"`
	}
	if _, raw, err := qc.encode("https://gw", "/p", withSlice{[]string{"a", "b"}}); err != nil || raw != "https://gw/p?ids=a%2Cb" {
		t.Errorf("slice query = %q, %v", raw, err)
	}
	// Safe for concurrent use.
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				_, _, _ = qc.encode("https://gw", "/p", userQuery{"x", "o", "u"})
			}
		}()
	}
	wg.Wait()
}

// TestQueryCacheKeepsNoLongText makes calls whose queries carry distinct 1 MiB expressions
// and checks that the client keeps none of them once the calls are done.
func TestQueryCacheKeepsNoLongText(t *testing.T) {
	// Not parallel: it measures the heap of the whole process, which other tests would add to.
	c, mt, _ := newTestClient(t)
	mt.RegisterResponder(http.MethodGet, flowsURL, okData(`[]`))
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	expr := []byte(strings.Repeat("x", 1<<20))
	before := heap()
	const calls = 64
	for i := range calls {
		expr[0] = byte('a' + i%26)
		expr[1] = byte('a' + i/26)
		if _, err := c.GetMyFlows(context.Background(), GetMyFlowsRequest{Expression: string(expr)}); err != nil {
			t.Fatal(err)
		}
	}
	mt.Reset()
	// Each query, kept, would hold its 1 MiB expression twice (values and encoding).
	if grown := int64(heap()) - int64(before); grown > 8<<20 {
		t.Errorf("the client keeps %d MiB after %d calls with 1 MiB queries", grown>>20, calls)
	}
	runtime.KeepAlive(c)
}
