package batchprocessing

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestServerLocationRenewed: the zone is asked once per half hour of the clock (offsets
// change on such a boundary), and a changed offset is seen after the boundary.
func TestServerLocationRenewed(t *testing.T) {
	t.Parallel()
	c, mt, clock := newTestClient(t)
	zoneURL := testEndpoint + timePath
	mt.RegisterResponder(http.MethodGet, zoneURL, okData(`{"timezone":"GMT+1"}`).Then(okData(`{"timezone":"GMT+2"}`)))
	offset := func() int {
		t.Helper()
		loc, err := c.ServerLocation(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		_, off := clock.Now().In(loc).Zone()
		return off / 3600
	}
	// testNowMillis is 01:23:44 UTC: the answer holds until 01:30.
	if got := offset(); got != 1 {
		t.Errorf("offset %d, want 1", got)
	}
	clock.Advance(6 * time.Minute) // 01:29:44
	if got := offset(); got != 1 || mt.GetCallCountInfo()["GET "+zoneURL] != 1 {
		t.Errorf("offset %d after %d requests, want 1 after 1", got, mt.GetCallCountInfo()["GET "+zoneURL])
	}
	clock.Advance(time.Minute) // 01:30:44
	if got := offset(); got != 2 || mt.GetCallCountInfo()["GET "+zoneURL] != 2 {
		t.Errorf("offset %d after %d requests, want 2 after 2", got, mt.GetCallCountInfo()["GET "+zoneURL])
	}
}

// TestServerLocationOneRequestForManyCallers: concurrent first callers share one request.
func TestServerLocationOneRequestForManyCallers(t *testing.T) {
	t.Parallel()
	c, mt, _ := newTestClient(t)
	zoneURL := testEndpoint + timePath
	mt.RegisterResponder(http.MethodGet, zoneURL, okData(`{"timezone":"Asia/Shanghai"}`).Delay(50*time.Millisecond))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if loc, err := c.ServerLocation(context.Background()); err != nil || loc.String() != "Asia/Shanghai" {
				t.Errorf("ServerLocation = %v, %v", loc, err)
			}
		}()
	}
	wg.Wait()
	if n := mt.GetCallCountInfo()["GET "+zoneURL]; n != 1 {
		t.Errorf("%d Get Timezone requests for 8 concurrent callers, want 1", n)
	}
}
