package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
	"github.com/enos-go/batchprocessing/refserver"
)

func TestNormalizeArgs(t *testing.T) {
	t.Parallel()
	root := newRootCommand(newSession(func(string) string { return "" }, io.Discard, io.Discard))
	tests := []struct {
		args, want []string
	}{
		{[]string{"-json", "status", "x"}, []string{"--json", "status", "x"}},
		{[]string{"trigger", "-flow", "41", "-at=now", "-wait"}, []string{"trigger", "--flow", "41", "--at=now", "--wait"}},
		{[]string{"instances", "--search", "-json"}, []string{"instances", "--search", "-json"}}, // a value stays as it is
		{[]string{"instances", "-search", "-json"}, []string{"instances", "--search", "-json"}},
		{[]string{"status", "--", "-json"}, []string{"status", "--", "-json"}},
		{[]string{"status", "-h"}, []string{"status", "-h"}},
		{[]string{"status", "-help"}, []string{"status", "--help"}},
		{[]string{"instances", "-colour"}, []string{"instances", "-colour"}}, // not a flag of enosbatch
		{[]string{"__complete", "status", "-json"}, []string{"__complete", "status", "-json"}},
	}
	for _, tt := range tests {
		if got := normalizeArgs(root, tt.args); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("normalizeArgs(%q) = %q, want %q", tt.args, got, tt.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"now", now, false},
		{"2026-11-29T10:00:00+08:00", time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC), false},
		{"2026-11-29", time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), false},
		{"24h", now.Add(-24 * time.Hour), false},
		{"-1h", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"1970-01-01T00:00:00Z", time.Unix(0, 0), false},
		{"1969-12-31T23:59:59Z", time.Time{}, true},
		{"0001-01-01T00:00:00Z", time.Time{}, true}, // the zero time, which the SDK takes for now
		{"1970-01-01T00:00:00+01:00", time.Time{}, true},
		{"500000h", time.Time{}, true}, // 57 years ago: before 1970
		{"9999-12-31T09:59:59Z", time.Date(9999, 12, 31, 9, 59, 59, 0, time.UTC), false},
		{"9999-12-31T10:00:00Z", time.Time{}, true}, // year 10000 in UTC+14
		{"9999-12-31T23:00:00-05:00", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseTime("--at", tt.in, now)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// TestTimesReadAsNow: "now" in --at and --to (and their defaults) is left to the SDK, which
// reads it on the gateway's clock: the zero time; a --from duration before that now is the
// SDK's Within; --from now, and durations otherwise, read this computer's clock.
func TestTimesReadAsNow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	dayAgo, midnight := now.Add(-24*time.Hour), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		at, from, to       string
		wantAt, from2, to2 time.Time
		within             time.Duration
	}{
		{"now", "", "", time.Time{}, time.Time{}, time.Time{}, 0},
		{" now ", "now", "now", time.Time{}, now, time.Time{}, 0},
		{"now", "24h", "", time.Time{}, time.Time{}, time.Time{}, 24 * time.Hour},
		{"now", "0s", "", time.Time{}, now, time.Time{}, 0}, // a zero Within would be the default week
		{"24h", "24h", "2026-11-30", dayAgo, dayAgo, midnight, 0},
	} {
		trig, err := (&triggerOptions{at: tt.at, waitOptions: waitOptions{poll: time.Second, maxPoll: time.Second}}).parse([]string{"3377"}, now)
		if err != nil {
			t.Fatal(err)
		}
		req, _, err := (&instancesOptions{typ: "all", from: tt.from, to: tt.to}).request(now)
		if err != nil {
			t.Fatal(err)
		}
		if !trig.at.Equal(tt.wantAt) || !req.From.Equal(tt.from2) || !req.To.Equal(tt.to2) || req.Within != tt.within {
			t.Errorf("--at %q --from %q --to %q: at %v, From %v, To %v, Within %v; want %v, %v, %v, %v",
				tt.at, tt.from, tt.to, trig.at, req.From, req.To, req.Within, tt.wantAt, tt.from2, tt.to2, tt.within)
		}
	}
}

func TestParseStatuses(t *testing.T) {
	t.Parallel()
	got, err := parseStatuses([]string{"success", "FAIL", "8", " running "})
	want := []batchprocessing.FlowInstanceStatus{batchprocessing.StatusSuccess, batchprocessing.StatusFail, batchprocessing.StatusCancel, batchprocessing.StatusRunning}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseStatuses = %v, %v", got, err)
	}
	for _, bad := range []string{"DONE", "11", ""} {
		if _, err := parseStatuses([]string{bad}); err == nil {
			t.Errorf("parseStatuses(%q): no error", bad)
		}
	}
}

func TestParseParams(t *testing.T) {
	t.Parallel()
	got, err := parseParams([]string{"a=1", " b =x=y", "c="})
	want := []batchprocessing.Parameter{{Key: "a", Value: "1"}, {Key: "b", Value: "x=y"}, {Key: "c", Value: ""}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseParams = %v, %v", got, err)
	}
	for _, bad := range []string{"a", "=1"} {
		if _, err := parseParams([]string{bad}); err == nil {
			t.Errorf("parseParams(%q): no error", bad)
		}
	}
}

// TestBareDateIsMidnightUTC: a date given alone is midnight UTC, not the server's midnight,
// and the help of every time flag says so: with a server in GMT+8, --at 2026-11-30 is the
// instance of 08:00 server time, and --to 2026-11-30 (a bound that counts) still lists it,
// which the server's midnight, 8 hours earlier, would not.
func TestBareDateIsMidnightUTC(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.SetSettings(refserver.Settings{Location: time.FixedZone("GMT+8", 8*3600)})
	if r := w.run(t, "trigger", "--flow", itoa(slowFlowID), "--at", "2026-11-30").want(t, exitOK); r.stdout != "43-20261130080000\n" {
		t.Errorf("trigger --at 2026-11-30: %q, want the instance of 08:00 in GMT+8", r.stdout)
	}
	for _, tt := range []struct {
		args []string
		want int // instances listed
	}{
		{[]string{"--from", "2026-11-30", "--to", "2026-12-01"}, 1},
		{[]string{"--from", "2026-11-29", "--to", "2026-11-30"}, 1},
		{[]string{"--from", "2026-11-28", "--to", "2026-11-29"}, 0},
	} {
		if views, _ := w.listed(t, tt.args...); len(views) != tt.want {
			t.Errorf("instances %q: %d, want %d", tt.args, len(views), tt.want)
		}
	}
	for _, tt := range []struct{ command, flag string }{{"trigger", "at"}, {"instances", "from"}, {"instances", "to"}} {
		help := w.run(t, tt.command, "-h").want(t, exitOK).stdout
		line, _, _ := strings.Cut(help[strings.Index(help, "--"+tt.flag+" string"):], "\n")
		if !strings.Contains(line, "midnight UTC") {
			t.Errorf("help of %s --%s: %q, want it to say a date is midnight UTC", tt.command, tt.flag, line)
		}
	}
	if r := w.run(t, "trigger", "--flow", "41", "--at", "30.11.2026").want(t, exitUsage); !strings.Contains(r.stderr, "a date (2026-11-30, midnight UTC)") {
		t.Errorf("stderr %q", r.stderr)
	}
}
