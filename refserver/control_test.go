package refserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/internal/testhttp"
	"github.com/enos-go/batchprocessing/refserver"
)

// ctl calls the control API of the server at baseURL and decodes its JSON answer into out
// (when not nil); it returns the HTTP status.
func ctl(t *testing.T, baseURL, method, path, body string, out any) int {
	t.Helper()
	return testhttp.JSON(t, method, baseURL+path, body, out)
}

// TestControlAPI drives every control endpoint of a demo server on a manual clock, which
// the client reads too.
func TestControlAPI(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	clk := refserver.NewManualClock(start)
	srv := httptest.NewServer(refserver.NewControlHandler(refserver.NewDemoBackend(refserver.WithClock(clk.Now)), clk))
	defer srv.Close()
	s := srv.URL
	ctx := context.Background()
	c, err := batchprocessing.NewClient(s, refserver.DemoAccessKey, refserver.DemoSecretKey,
		batchprocessing.WithOrgID(refserver.DemoOrgID), batchprocessing.WithUserID(refserver.DemoUserID),
		batchprocessing.WithClock(clk.Now), batchprocessing.WithRetryPolicy(batchprocessing.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}

	var health map[string]string
	if code := ctl(t, s, http.MethodGet, "/_refserver/health", "", &health); code != 200 || health["status"] != "ok" {
		t.Errorf("health: %d %v", code, health)
	}

	var clock struct {
		Now       string `json:"now"`
		NowMillis int64  `json:"nowMillis"`
		Manual    bool   `json:"manual"`
	}
	if ctl(t, s, http.MethodGet, "/_refserver/clock", "", &clock); clock.Now != "2026-11-30T08:00:00Z" || clock.NowMillis != start.UnixMilli() || !clock.Manual {
		t.Errorf("clock: %+v", clock)
	}

	// A fault: the trigger's first attempt gets 503, the SDK's retry goes through.
	var faults []map[string]any
	ctl(t, s, http.MethodPost, "/_refserver/faults", `{"method":"POST","path":"/batch-processing-service/v2.1/flows","action":"trigger","status":503,"times":1,"retryAfter":"1s"}`, &faults)
	if len(faults) != 1 || faults[0]["status"] != float64(503) || faults[0]["left"] != float64(1) || faults[0]["retryAfter"] != "1s" {
		t.Errorf("faults after POST: %v", faults)
	}
	id, err := c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: refserver.DemoFlowID})
	if err != nil || id != "3377-20261130080000" {
		t.Fatalf("TriggerFlow: %s, %v", id, err)
	}
	var used, cleared []map[string]any
	if ctl(t, s, http.MethodGet, "/_refserver/faults", "", &used); len(used) != 0 {
		t.Errorf("faults after use: %v, want the used-up fault disarmed", used)
	}
	// Faults cleared on one route stay armed on the others; DELETE alone clears them all.
	ctl(t, s, http.MethodPost, "/_refserver/faults", `{"method":"GET","path":"/batch-processing-service/v2.1/time","status":503}`, nil)
	var left []map[string]any
	if ctl(t, s, http.MethodDelete, "/_refserver/faults?method=post&path=/batch-processing-service/v2.1/flows&action=trigger", "", &left); len(left) != 1 || left[0]["method"] != "GET" {
		t.Errorf("faults after DELETE of the trigger's: %v", left)
	}
	if ctl(t, s, http.MethodDelete, "/_refserver/faults", "", &cleared); len(cleared) != 0 {
		t.Errorf("faults after DELETE: %v", cleared)
	}

	// The clock moves the run to its end.
	if ctl(t, s, http.MethodPost, "/_refserver/clock", `{"advance":"10s"}`, &clock); clock.Now != "2026-11-30T08:00:10Z" {
		t.Errorf("clock after advance: %+v", clock)
	}
	var state struct {
		Apps      []map[string]any `json:"apps"`
		Flows     []map[string]any `json:"flows"`
		Instances []struct {
			ID     string           `json:"id"`
			Status int              `json:"status"`
			Tasks  []map[string]any `json:"tasks"`
		} `json:"instances"`
		Requests []struct {
			Action string `json:"action"`
			Status int    `json:"status"`
			Reason string `json:"reason"`
		} `json:"requests"`
	}
	ctl(t, s, http.MethodGet, "/_refserver/state?requests=200", "", &state)
	if len(state.Instances) != 1 || state.Instances[0].ID != string(id) || state.Instances[0].Status != refserver.StatusSuccess || len(state.Instances[0].Tasks) != 2 ||
		state.Instances[0].Tasks[0]["runNum"] != 1.0 || state.Instances[0].Tasks[0]["statusDesc"] != "SUCCESS" {
		t.Errorf("state instances: %+v", state.Instances)
	}
	if len(state.Apps) != 1 || state.Apps[0]["accessKey"] != refserver.DemoAccessKey || state.Apps[0]["secretKey"] != nil || len(state.Flows) != 2 {
		t.Errorf("state apps and flows: %v %v", state.Apps, state.Flows)
	}
	// The SDK's token and time zone requests, the refused trigger, its look for the instance
	// (searches), the trigger that went through.
	if r := state.Requests; len(r) < 3 || r[1].Action != "trigger" || r[1].Status != 503 || r[1].Reason != "injected fault" ||
		r[len(r)-1].Action != "trigger" || r[len(r)-1].Status != 200 {
		t.Errorf("state requests: %+v", state.Requests)
	}
	var requests []map[string]any
	if ctl(t, s, http.MethodGet, "/_refserver/requests?requests=1", "", &requests); len(requests) != 1 || requests[0]["action"] != "trigger" {
		t.Errorf("requests: %v", requests)
	}

	var settings map[string]string
	ctl(t, s, http.MethodPut, "/_refserver/settings", `{"tokenLifetime":"30s","timestampWindow":"1h","location":"GMT+8"}`, &settings)
	if settings["tokenLifetime"] != "30s" || settings["timestampWindow"] != "1h0m0s" || settings["location"] != "GMT+8" {
		t.Errorf("settings after PUT: %v", settings)
	}
	if ctl(t, s, http.MethodGet, "/_refserver/settings", "", &settings); settings["location"] != "GMT+8" {
		t.Errorf("settings: %v", settings)
	}
	if ctl(t, s, http.MethodPost, "/_refserver/clock", `{"set":"2026-11-30T09:00:00Z"}`, &clock); clock.Now != "2026-11-30T09:00:00Z" {
		t.Errorf("clock after set: %+v", clock)
	}

	if ctl(t, s, http.MethodPost, "/_refserver/reset", "", nil); ctl(t, s, http.MethodGet, "/_refserver/state", "", &state) != 200 || len(state.Instances) != 0 {
		t.Errorf("after reset: %+v", state.Instances)
	}
	seed := `{"apps":[{"accessKey":"ak","secretKey":"sk"}],"users":[{"id":"u","orgs":["o"]}],"flows":[{"id":7,"name":"seven","org":"o","owner":"u"}]}`
	var loaded map[string]any
	if code := ctl(t, s, http.MethodPost, "/_refserver/seed", seed, &loaded); code != 200 || loaded["flows"] != float64(1) {
		t.Errorf("seed: %d %v", code, loaded)
	}
	if ctl(t, s, http.MethodGet, "/_refserver/state", "", &state); len(state.Flows) != 1 || state.Flows[0]["id"] != float64(7) {
		t.Errorf("flows after loading a seed: %v", state.Flows)
	}
	// A seed over the gateway's 1 MiB body limit loads too: 30,000 flows, about 2 MiB.
	var big strings.Builder
	big.WriteString(`{"users":[{"id":"u","orgs":["o"]}],"flows":[`)
	for i := 1; i <= 30_000; i++ {
		if i > 1 {
			big.WriteString(",")
		}
		fmt.Fprintf(&big, `{"id":%d,"name":"flow number %d","org":"o","owner":"u"}`, i, i)
	}
	big.WriteString("]}")
	if code := ctl(t, s, http.MethodPost, "/_refserver/seed", big.String(), &loaded); code != 200 || loaded["flows"] != float64(30_000) {
		t.Errorf("a seed of %d bytes: %d %v", big.Len(), code, loaded)
	}

	for _, tt := range []struct{ method, path, body, want string }{
		{http.MethodGet, "/_refserver/nothing", "", "404 no control endpoint"},
		{http.MethodDelete, "/_refserver/clock", "", "405 DELETE is not allowed"},
		{http.MethodPost, "/_refserver/clock", `{"advance":"soon"}`, `400 advance "soon"`},
		{http.MethodPost, "/_refserver/clock", `{"later":1}`, "400 the body: json: unknown field"},
		{http.MethodPost, "/_refserver/clock", `{"advance":"1s","set":"2026-11-30T09:00:00Z"}`, "400 give advance or set, not both"},
		{http.MethodPost, "/_refserver/clock", `{}`, `400 give {"advance": "1h"}`},
		{http.MethodPost, "/_refserver/clock", `{"set":"tomorrow"}`, `400 set "tomorrow"`},
		{http.MethodPut, "/_refserver/settings", `{"tokenLifetime":"-1s"}`, `400 tokenLifetime "-1s"`},
		{http.MethodPost, "/_refserver/faults", `{"status":503}`, "400 a fault needs a method and a path"},
		{http.MethodPost, "/_refserver/faults", `{"method":"GET","path":"/x","status":99}`, "400 status 99"},
		{http.MethodPost, "/_refserver/faults", `{"method":"GET","path":"/x","status":503,"times":-3}`, "400 times -3"},
		{http.MethodPost, "/_refserver/faults", `{"method":"GET","path":"/x","status":503,"delay":"-1s"}`, `400 delay "-1s"`},
		{http.MethodDelete, "/_refserver/faults", `{"method":"GET","path":"/x"}`, "400 DELETE /_refserver/faults takes no body"},
		{http.MethodDelete, "/_refserver/faults?method=GET", "", "400 a route needs a method and a path"},
		{http.MethodDelete, "/_refserver/faults?route=x", "", `400 unknown query parameter "route"`},
		{http.MethodPost, "/_refserver/clock", `{"advance":"1s"} {"advance":"1h"}`, "400 the body holds more than one JSON value"},
		{http.MethodPut, "/_refserver/settings", `{"location":"Mars"}`, `400 location "Mars"`},
		{http.MethodPut, "/_refserver/settings", `{"location":"Local"}`, `400 location "Local"`},
		{http.MethodPut, "/_refserver/settings", `{"tokenLifetime":"0s"}`, `400 tokenLifetime "0s": want a Go duration longer than 0`},
		{http.MethodPut, "/_refserver/settings", `{"timestampWindow":"-1s"}`, `400 timestampWindow "-1s": want a Go duration longer than 0`},
		{http.MethodPost, "/_refserver/seed", `{"flows":[{"id":1}]}`, "400 seed: flows[0] (id 1): name is empty"},
		{http.MethodGet, "/_refserver/state?requests=x", "", `400 requests "x"`},
		{http.MethodGet, "/_refserver/state?instances=-1", "", `400 instances "-1": want a number of instances a flow, 0 or more`},
	} {
		var e map[string]string
		code := ctl(t, s, tt.method, tt.path, tt.body, &e)
		if got := strings.TrimSpace(strings.Join([]string{strconv.Itoa(code), e["error"]}, " ")); !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s %s %s: %s, want %s", tt.method, tt.path, tt.body, got, tt.want)
		}
	}
}

// TestControlStateInstancesPerFlow: GET /_refserver/state?instances=N shows the last N
// instances of each flow, by trigger time; without it, all of them.
func TestControlStateInstancesPerFlow(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	var ids []string
	for m := range 3 {
		ids = append(ids, r.triggerAt(refserver.DemoFlowID, epoch.Add(time.Duration(m)*time.Minute)))
	}
	h := refserver.NewControlHandler(r.srv.Backend, nil)
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"", ids},
		{"?instances=5", ids},
		{"?instances=2", ids[1:]},
		{"?instances=0", nil},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, refserver.ControlPrefix+"state"+tt.query, nil))
		var state struct {
			Instances []struct {
				ID string `json:"id"`
			} `json:"instances"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &state); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("state%s: %d %v %s", tt.query, rec.Code, err, rec.Body.Bytes())
		}
		var got []string
		for _, in := range state.Instances {
			got = append(got, in.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("state%s: instances %v, want %v", tt.query, got, tt.want)
		}
	}
}
