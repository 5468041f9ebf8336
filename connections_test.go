package batchprocessing_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestSharedClientReusesConnections: a client shared by 64 goroutines opens no more TCP
// connections than there are concurrent requests, and fetches one token.
func TestSharedClientReusesConnections(t *testing.T) {
	srv := refserver.NewDemoServer()
	defer srv.Close()
	var conns, tokens atomic.Int32
	counted := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/apim-token-service/") {
			tokens.Add(1)
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	counted.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			conns.Add(1)
		}
	}
	counted.Start()
	defer counted.Close()

	c := demoClient(t, counted.URL) // the default transport
	const goroutines = 64
	minute := 0
	burst := func(rounds int) {
		var wg sync.WaitGroup
		for g := 0; g < goroutines; g++ {
			wg.Add(1)
			first := minute + g*rounds
			go func() {
				defer wg.Done()
				for r := 0; r < rounds; r++ {
					if _, err := triggerAt(c, refserver.DemoFlowID, demoMinute.Add(time.Duration(first+r)*time.Minute)); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		minute += goroutines * rounds
	}
	// From cold, Go's transport may dial for a request that an idle connection then serves,
	// and keep the extra connection: the first burst may open a few more than 64.
	burst(1)
	warm := conns.Load()
	if warm > 2*goroutines {
		t.Errorf("%d connections for the first %d concurrent calls", warm, goroutines)
	}
	// Warm, the client reuses its connections: no new ones, however many calls.
	burst(5)
	if n := conns.Load() - warm; n != 0 {
		t.Errorf("%d new connections for %d calls on a warm client, want 0", n, goroutines*5)
	}
	if n := tokens.Load(); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}
