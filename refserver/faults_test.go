package refserver_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// postToken sends a token request to srv over its socket and returns the answer or error.
func postToken(t *testing.T, srv *refserver.Server) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/apim-token-service/v2.0/token/get", "application/json",
		bytes.NewReader([]byte(`{"appKey":"x","encryption":"y","timestamp":1}`)))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

func TestFaults(t *testing.T) {
	t.Parallel()
	t.Run("status with Retry-After, for the next N requests", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Times: 2, Status: 429, RetryAfter: 3 * time.Second, Message: "API rate limit exceeded"})
		for i := 0; i < 3; i++ {
			resp, body, err := postToken(t, srv)
			if err != nil {
				t.Fatal(err)
			}
			if i < 2 && (resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" || string(body) != `{"message":"API rate limit exceeded"}`) {
				t.Errorf("request %d: %d %q %s", i, resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
			if i == 2 && (resp.StatusCode != 200 || !strings.Contains(string(body), `"status":1002`)) {
				t.Errorf("request after the fault: %d %s", resp.StatusCode, body)
			}
		}
	})
	t.Run("business code, in the token service's answer on its routes", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Times: 1, Code: 1005})
		resp, body, err := postToken(t, srv)
		if err != nil || resp.StatusCode != 200 || string(body) != `{"status":1005,"msg":"injected fault","business":"apim-token-service","data":null}` {
			t.Errorf("%v %s", err, body)
		}
	})
	t.Run("a status without a message takes the gateway's", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		for status, want := range map[int]string{429: "API rate limit exceeded", 500: "An unexpected error occurred",
			503: "Service unavailable", 502: "Bad Gateway"} {
			srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Times: 1, Status: status})
			if resp, body, err := postToken(t, srv); err != nil || resp.StatusCode != status || string(body) != `{"message":"`+want+`"}` {
				t.Errorf("status %d: %v %s, want message %q", status, err, body, want)
			}
		}
	})
	t.Run("cleared on one route, armed on the others", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Status: 503})
		srv.InjectFault(refserver.RouteTokenRefresh, refserver.Fault{Status: 503})
		srv.ClearRouteFaults(refserver.RouteTokenGet)
		if resp, _, _ := postToken(t, srv); resp.StatusCode != 200 {
			t.Errorf("token get after its faults were cleared: %d", resp.StatusCode)
		}
		resp, err := http.Post(srv.URL+"/apim-token-service/v2.0/token/refresh", "application/json", strings.NewReader(`{}`))
		if err != nil || resp.StatusCode != 503 {
			t.Errorf("token refresh, whose fault stays: %v %v", resp.StatusCode, err)
		}
		resp.Body.Close()
	})
	t.Run("delay", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Times: 1, Delay: 200 * time.Millisecond})
		start := time.Now()
		if _, _, err := postToken(t, srv); err != nil {
			t.Fatal(err)
		}
		if time.Since(start) < 190*time.Millisecond {
			t.Error("the request was not delayed")
		}
	})
	t.Run("dropped after processing", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Times: 1, DropAfterProcessing: true})
		if _, _, err := postToken(t, srv); err == nil || !(errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF")) {
			t.Errorf("err = %v, want the connection dropped", err)
		}
		if resp, _, err := postToken(t, srv); err != nil || resp.StatusCode != 200 {
			t.Errorf("after the fault: %v", err)
		}
	})
	t.Run("other routes and cleared faults are untouched", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		srv.InjectFault(refserver.RouteTriggerFlow, refserver.Fault{Status: 503})
		if resp, _, _ := postToken(t, srv); resp.StatusCode != 200 {
			t.Errorf("token route hit by a trigger fault: %d", resp.StatusCode)
		}
		srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Status: 503})
		if resp, _, _ := postToken(t, srv); resp.StatusCode != 503 {
			t.Errorf("unlimited fault: %d", resp.StatusCode)
		}
		srv.ClearFaults()
		if resp, _, _ := postToken(t, srv); resp.StatusCode != 200 {
			t.Errorf("after ClearFaults: %d", resp.StatusCode)
		}
	})
	t.Run("probability", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Probability: 0.25, Status: 503})
		hit := 0
		for i := 0; i < 200; i++ {
			if resp, _, _ := postToken(t, srv); resp.StatusCode == 503 {
				hit++
			}
		}
		if hit < 25 || hit > 75 {
			t.Errorf("%d of 200 requests hit at probability 0.25", hit)
		}
	})
	t.Run("probability picks the same requests when armed again", func(t *testing.T) {
		srv := refserver.NewDemoServer()
		defer srv.Close()
		run := func() string {
			srv.ClearFaults()
			srv.InjectFault(refserver.RouteTokenGet, refserver.Fault{Probability: 0.5, Status: 503})
			var picked []byte
			for i := 0; i < 24; i++ {
				resp, _, _ := postToken(t, srv)
				picked = append(picked, ".x"[resp.StatusCode/503])
			}
			return string(picked)
		}
		if first, second := run(), run(); first != second {
			t.Errorf("armed twice, the fault picked %s, then %s", first, second)
		}
	})
}
