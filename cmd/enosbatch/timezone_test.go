package main

import (
	"strings"
	"testing"

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
