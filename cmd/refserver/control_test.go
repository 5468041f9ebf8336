package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/internal/testhttp"
)

// ctl calls the control API of the served program and decodes its JSON answer into out
// (when not nil); it returns the HTTP status. The endpoints themselves are refserver's
// tests; these check how the program's flags set them up.
func ctl(t *testing.T, s *serving, method, path, body string, out any) int {
	t.Helper()
	return testhttp.JSON(t, method, s.url+path, body, out)
}

// TestControlAPIManualClock: -clock manual -clock-start gives the control API the server's
// clock, which starts there and moves only when told.
func TestControlAPIManualClock(t *testing.T) {
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	s := serve(t, "-addr", "127.0.0.1:0", "-clock", "manual", "-clock-start", start.Format(time.RFC3339))
	var clock struct {
		Now    string `json:"now"`
		Manual bool   `json:"manual"`
	}
	if ctl(t, s, http.MethodGet, "/_refserver/clock", "", &clock); clock.Now != "2026-11-30T08:00:00Z" || !clock.Manual {
		t.Errorf("clock: %+v", clock)
	}
	if ctl(t, s, http.MethodPost, "/_refserver/clock", `{"advance":"10s"}`, &clock); clock.Now != "2026-11-30T08:00:10Z" {
		t.Errorf("clock after advance: %+v", clock)
	}
	if code := s.wait(); code != exitOK {
		t.Errorf("exit code %d", code)
	}
}

// TestControlAPIOffAndWallClock: on the wall clock the clock cannot be moved (409); with
// -control=false the prefix is an unknown route of the gateway.
func TestControlAPIOffAndWallClock(t *testing.T) {
	wall := serve(t, "-addr", "127.0.0.1:0")
	var e map[string]string
	if code := ctl(t, wall, http.MethodPost, "/_refserver/clock", `{"advance":"1h"}`, &e); code != http.StatusConflict || !strings.Contains(e["error"], "-clock manual") {
		t.Errorf("moving the wall clock: %d %v", code, e)
	}
	off := serve(t, "-addr", "127.0.0.1:0", "-control=false")
	var gw map[string]string
	if code := ctl(t, off, http.MethodGet, "/_refserver/health", "", &gw); code != http.StatusNotFound || gw["message"] != "no Route matched with those values" {
		t.Errorf("health with -control=false: %d %v", code, gw)
	}
	wall.wait()
	off.wait()
}
