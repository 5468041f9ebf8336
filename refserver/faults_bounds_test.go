package refserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestFaultBounds: the control API keeps at most MaxFaults armed and refuses one more with
// a 400 that says so; a fault used up is disarmed, leaves the list and frees its place; a
// Delay over MaxFaultDelay is refused by the control API, and held MaxFaultDelay at most
// when a Go test injects it.
func TestFaultBounds(t *testing.T) {
	t.Parallel()
	const (
		tokenFault = `{"method":"POST","path":"/apim-token-service/v2.0/token/get","status":503%s}`
		timeFault  = `{"method":"GET","path":"/batch-processing-service/v2.1/time","status":503%s}`
	)
	tests := []struct {
		name  string
		setup func(t *testing.T, b *refserver.Backend, h http.Handler)
		body  string // of the last POST /_refserver/faults
		want  string // its status, and the start of its error if any
		armed int    // faults listed at the end
		delay string // the delay the first one listed shows, if not ""
	}{
		{"one fault", nil, fmt.Sprintf(tokenFault, ""), "200", 1, ""},
		{"the last place", armFaults(refserver.MaxFaults - 1), fmt.Sprintf(tokenFault, ""), "200", refserver.MaxFaults, ""},
		{"one fault too many", armFaults(refserver.MaxFaults), fmt.Sprintf(tokenFault, ""),
			"400 1000 faults are armed, the most the control API arms: clear some (DELETE /_refserver/faults), or let those with a times count be used up", refserver.MaxFaults, ""},
		{"a place freed by a fault used up", func(t *testing.T, b *refserver.Backend, h http.Handler) {
			armFaults(refserver.MaxFaults)(t, b, h)
			resp := httptest.NewRecorder()
			h.ServeHTTP(resp, httptest.NewRequest(http.MethodGet, "/batch-processing-service/v2.1/time?action=getTimeZone", nil))
			if resp.Code != http.StatusServiceUnavailable {
				t.Fatalf("the first fault did not fire: HTTP %d", resp.Code)
			}
		}, fmt.Sprintf(tokenFault, ""), "200", refserver.MaxFaults, ""},
		{"used up faults leave the list", func(t *testing.T, b *refserver.Backend, h http.Handler) {
			armFaults(3)(t, b, h)
			for range 3 {
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/batch-processing-service/v2.1/time?action=getTimeZone", nil))
			}
		}, fmt.Sprintf(timeFault, `,"times":2`), "200", 1, ""},
		{"the longest delay", nil, fmt.Sprintf(tokenFault, `,"delay":"10m"`), "200", 1, "10m0s"},
		{"a delay over the longest", nil, fmt.Sprintf(tokenFault, `,"delay":"10m0.001s"`), `400 delay "10m0.001s": want at most 10m0s`, 0, ""},
		{"a delay of an hour", nil, fmt.Sprintf(tokenFault, `,"delay":"1h"`), `400 delay "1h": want at most 10m0s`, 0, ""},
		{"a Go test's delay of an hour", func(t *testing.T, b *refserver.Backend, h http.Handler) {
			b.InjectFault(refserver.RouteGetTimezone, refserver.Fault{Status: 503, Delay: time.Hour})
		}, `{"method":"GET","path":"/batch-processing-service/v2.1/time","delay":"1s"}`, "200", 2, "10m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := refserver.NewDemoBackend()
			h := refserver.NewControlHandler(b, nil)
			if tt.setup != nil {
				tt.setup(t, b, h)
			}
			code, e := controlCall(t, h, http.MethodPost, tt.body, nil)
			if got := strings.TrimSpace(fmt.Sprint(code, " ", e)); got != tt.want {
				t.Errorf("POST %s: %s, want %s", tt.body, got, tt.want)
			}
			var armed []map[string]any
			controlCall(t, h, http.MethodGet, "", &armed)
			if len(armed) != tt.armed {
				t.Fatalf("%d faults armed, want %d", len(armed), tt.armed)
			}
			if tt.delay != "" && armed[0]["delay"] != tt.delay {
				t.Errorf("the first fault listed has delay %v, want %s", armed[0]["delay"], tt.delay)
			}
		})
	}
}

// armFaults returns a setup that arms n faults, each answering the next Get Timezone 503,
// through the control API.
func armFaults(n int) func(*testing.T, *refserver.Backend, http.Handler) {
	return func(t *testing.T, _ *refserver.Backend, h http.Handler) {
		t.Helper()
		for i := range n {
			if code, e := controlCall(t, h, http.MethodPost, `{"method":"GET","path":"/batch-processing-service/v2.1/time","status":503,"times":1}`, nil); code != 200 {
				t.Fatalf("fault %d: %d %s", i, code, e)
			}
		}
	}
}

// controlCall sends a request to /_refserver/faults through h and decodes the answer into
// out (when not nil); it returns the status and the error the answer gives, if any.
func controlCall(t *testing.T, h http.Handler, method, body string, out any) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, refserver.ControlPrefix+"faults", strings.NewReader(body)))
	if rec.Code != http.StatusOK {
		var e map[string]string
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		return rec.Code, e["error"]
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s faults: %v in %s", method, err, rec.Body.Bytes())
		}
	}
	return rec.Code, ""
}
