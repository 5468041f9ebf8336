package main

import (
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
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
