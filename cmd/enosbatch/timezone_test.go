package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing/refserver"
)

// TestJSONNeedsTheServersZone: when Get Timezone fails, a command whose --json holds times
// fails with the call's error (exit code 3) and prints nothing, rather than times in
// another format than the RFC 3339 it promises; trigger --wait --json asks before it
// triggers, so nothing runs. Output without such times needs no zone.
func TestJSONNeedsTheServersZone(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ended := w.trigger(t, fastFlowID)
	w.run(t, "wait", ended, "--poll", "10ms", "--quiet").want(t, exitOK)
	running := w.trigger(t, slowFlowID)
	w.srv.InjectFault(refserver.RouteGetTimezone, refserver.Fault{Code: 62102, Message: "zone refused"})
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"status --json", []string{"status", running, "--json"}, exitAPI},
		{"status --watch --json", []string{"status", running, "--watch", "--interval", "10ms", "--timeout", "3s", "--json"}, exitAPI},
		{"wait --json", []string{"wait", ended, "--json"}, exitAPI},
		{"tasks --json", []string{"tasks", running, "--json"}, exitAPI},
		{"instances --json", []string{"instances", "--json"}, exitAPI},
		{"instances --watch --json", []string{"instances", "--watch", "--interval", "10ms", "--timeout", "3s", "--json"}, exitAPI},
		{"flows get --jq", []string{"flows", "get", "3377", "--jq", ".createTime"}, exitAPI},
		{"trigger --wait --json", []string{"trigger", "--flow", itoa(failFlowID), "--wait", "--poll", "10ms", "--json"}, exitAPI},
		{"trigger --json: no times", []string{"trigger", "--flow", itoa(periodicID), "--json"}, exitOK},
		{"status in text: times as written", []string{"status", running}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.run(t, tt.args...).want(t, tt.code)
			if tt.code == exitOK {
				return
			}
			if r.stdout != "" || !strings.Contains(r.stderr, "the server's time zone, which could not be had") || !strings.Contains(r.stderr, "zone refused") {
				t.Errorf("stdout %q, stderr %q; want no output and the zone's error", r.stdout, r.stderr)
			}
		})
	}
	if ins := w.srv.FlowInstances(failFlowID); len(ins) != 0 {
		t.Errorf("trigger --wait --json triggered %s without the zone it needs for its output", ins[0].ID)
	}
}

// TestServerZone: with the gateway in a zone that has daylight saving, --json reads a time
// of the other daylight-saving period with the offset Get Timezone names, an hour off; the
// server zone, from --server-zone, ENOS_SERVER_ZONE or a profile's server_zone, reads it
// right, and config shows where it came from. A name that is no zone is a usage error.
func TestServerZone(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	w := newWorld(t)
	w.srv.SetSettings(refserver.Settings{Location: berlin})
	// A minute of the daylight-saving period the gateway's clock is not in now.
	at := time.Date(time.Now().Year()-1, time.July, 1, 10, 0, 0, 0, time.UTC)
	if time.Now().In(berlin).IsDST() {
		at = time.Date(time.Now().Year()-1, time.January, 1, 10, 0, 0, 0, time.UTC)
	}
	id := strings.TrimSpace(w.run(t, "trigger", "--flow", itoa(slowFlowID), "--at", at.Format(time.RFC3339)).want(t, exitOK).stdout)
	right := at.In(berlin).Format(time.RFC3339)
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "enosbatch", "config"), 0o644, "[default]\nserver_zone = Europe/Berlin\n")
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		source string // in config, "" for none
	}{
		{"the flag", w.env, []string{"--server-zone", "Europe/Berlin"}, "--server-zone"},
		{"the variable", with(w.env, "ENOS_SERVER_ZONE", "Europe/Berlin"), nil, "ENOS_SERVER_ZONE"},
		{"a profile", with(w.env, "XDG_CONFIG_HOME", dir), nil, `server_zone of profile "default"`},
	}
	for _, tt := range tests {
		r := runWith(t, context.Background(), tt.env, append(tt.args, "status", id, "--jq", ".triggerTime")...).want(t, exitOK)
		if got := strings.Trim(strings.TrimSpace(r.stdout), `"`); got != right {
			t.Errorf("%s: trigger time %s, want %s", tt.name, got, right)
		}
		var cfg configView
		runWith(t, context.Background(), tt.env, append(tt.args, "config", "--json")...).want(t, exitOK).decodeJSON(t, &cfg)
		if cfg.ServerZone.Value != "Europe/Berlin" || !strings.HasPrefix(cfg.ServerZone.Source, tt.source) {
			t.Errorf("%s: config shows %+v", tt.name, cfg.ServerZone)
		}
	}
	r := w.run(t, "status", id, "--jq", ".triggerTime").want(t, exitOK)
	if got := strings.Trim(strings.TrimSpace(r.stdout), `"`); got == right {
		t.Errorf("without a server zone: trigger time %s, want it read with the offset Get Timezone names", got)
	}
	bad := runWith(t, context.Background(), with(w.env, "ENOS_SERVER_ZONE", "Mars/Olympus"), "status", id, "--json").want(t, exitUsage)
	if !strings.Contains(bad.stderr, `server zone "Mars/Olympus" (ENOS_SERVER_ZONE): want an IANA time zone`) {
		t.Errorf("stderr %q", bad.stderr)
	}
}
