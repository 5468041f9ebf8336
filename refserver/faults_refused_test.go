package refserver_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestControlRefusesFaultsOffTheService arms, through POST /_refserver/faults, faults on a
// route the service does not serve (they would only answer requests it refuses anyway), or
// without effect, or whose fields cannot all apply, and checks that each is refused with
// 400 naming what is wrong (and the valid values), and that nothing is armed; and that the
// faults next to them, on the service's routes, are armed.
func TestControlRefusesFaultsOffTheService(t *testing.T) {
	t.Parallel()
	const flows = "/batch-processing-service/v2.1/flows"
	tests := []struct {
		name, body string
		want       string // a part of the error; "" for a fault that is armed
	}{
		{"unknown path", `{"method":"POST","path":"/nope","status":503}`, `path "/nope" is no EnOS route: want /apim-token-service/v2.0/token/get`},
		{"the control API's own path", `{"method":"GET","path":"/_refserver/health","status":503}`, `path "/_refserver/health" is no EnOS route`},
		{"unknown resource", `{"method":"GET","path":"/batch-processing-service/v2.1/jobs","status":503}`, "/directories, /flowInstances, /flows, /taskInstances, /time"},
		{"unknown method", `{"method":"PATCH","path":"` + flows + `","status":503}`, `method "PATCH": the operations take GET or POST`},
		{"token route with GET", `{"method":"GET","path":"/apim-token-service/v2.0/token/get","status":503}`, "the token service takes POST only"},
		{"token route with an action", `{"method":"POST","path":"/apim-token-service/v2.0/token/get","action":"get","status":503}`, "the token service has no actions"},
		{"unknown action", `{"method":"POST","path":"` + flows + `","action":"nonsense","status":503}`, `action "nonsense": POST ` + flows + ` has the actions disable, enable, import, save, search, trigger, triggerFromTask, updateAndTrigger`},
		{"action in the wrong case", `{"method":"POST","path":"` + flows + `","action":"Trigger","status":503}`, `action "Trigger"`},
		{"action of the other method", `{"method":"GET","path":"` + flows + `","action":"trigger","status":503}`, `action "trigger": GET ` + flows + ` has the actions delete, export, get, getMyFlow, loadForEdit`},
		{"no effect", `{"method":"POST","path":"` + flows + `","action":"trigger","times":1}`, "the fault has no effect"},
		{"status and code", `{"method":"POST","path":"` + flows + `","action":"trigger","status":503,"code":62102}`, "status 503 and code 62102 cannot both apply"},
		{"status and drop", `{"method":"POST","path":"` + flows + `","status":503,"dropAfterProcessing":true}`, "dropAfterProcessing serves the request"},
		{"retryAfter without status", `{"method":"POST","path":"` + flows + `","code":62102,"retryAfter":"1s"}`, "retryAfter goes with a status"},

		{"every action of a path", `{"method":"post","path":"` + flows + `","status":503}`, ""},
		{"a delay alone", `{"method":"GET","path":"` + flows + `","action":"get","delay":"1ms"}`, ""},
		{"a code on the token service", `{"method":"POST","path":"/apim-token-service/v2.0/token/refresh","code":1204}`, ""},
		{"a drop alone", `{"method":"GET","path":"/batch-processing-service/v2.1/time","action":"getTimeZone","dropAfterProcessing":true}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := refserver.NewControlHandler(refserver.NewDemoBackend(), nil)
			code, e := controlCall(t, h, http.MethodPost, tt.body, nil)
			var armed []map[string]any
			controlCall(t, h, http.MethodGet, "", &armed)
			if tt.want == "" {
				if code != http.StatusOK || len(armed) != 1 {
					t.Fatalf("POST %s: %d %s, %d armed; want 200 and one armed", tt.body, code, e, len(armed))
				}
				return
			}
			if code != http.StatusBadRequest || !strings.Contains(e, tt.want) {
				t.Errorf("POST %s: %d %q, want 400 holding %q", tt.body, code, e, tt.want)
			}
			if len(armed) != 0 {
				t.Errorf("%d faults armed, want none", len(armed))
			}
		})
	}
}
