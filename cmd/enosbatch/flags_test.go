package main

import (
	"flag"
	"io"
	"reflect"
	"testing"
	"time"

	"github.com/enos-go/batchprocessing"
)

func TestSplitCommand(t *testing.T) {
	tests := []struct {
		args       []string
		globals    []string
		name       string
		rest       []string
		wantErrMsg string
	}{
		{[]string{"status", "x"}, []string{}, "status", []string{"x"}, ""},
		{[]string{"--json", "--org", "o", "status", "--json"}, []string{"--json", "--org", "o"}, "status", []string{"--json"}, ""},
		{[]string{"--json"}, []string{"--json"}, "", nil, ""},
		{[]string{"--flow", "1", "trigger"}, nil, "", nil, "flag provided but not defined: -flow"},
	}
	for _, tt := range tests {
		globals, name, rest, err := splitCommand(tt.args)
		if tt.wantErrMsg != "" {
			if err == nil || err.Error() != tt.wantErrMsg {
				t.Errorf("splitCommand(%q) error %v, want %q", tt.args, err, tt.wantErrMsg)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(globals, tt.globals) || name != tt.name || !reflect.DeepEqual(rest, tt.rest) {
			t.Errorf("splitCommand(%q) = %q, %q, %q, %v", tt.args, globals, name, rest, err)
		}
	}
}

func TestParseInterleaved(t *testing.T) {
	tests := []struct {
		args           []string
		wantPositional []string
		wantJSON       bool
		wantPoll       time.Duration
	}{
		{[]string{"a", "--json", "b"}, []string{"a", "b"}, true, time.Second},
		{[]string{"--poll", "2s", "a"}, []string{"a"}, false, 2 * time.Second},
		{[]string{"a", "--", "--json", "b"}, []string{"a", "--json", "b"}, false, time.Second},
		{nil, nil, false, time.Second},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		js := fs.Bool("json", false, "")
		poll := fs.Duration("poll", time.Second, "")
		got, err := parseInterleaved(fs, tt.args)
		if err != nil || !reflect.DeepEqual(got, tt.wantPositional) || *js != tt.wantJSON || *poll != tt.wantPoll {
			t.Errorf("parseInterleaved(%q) = %q, %v; json %v, poll %v", tt.args, got, err, *js, *poll)
		}
	}
}

func TestParseTime(t *testing.T) {
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
	}
	for _, tt := range tests {
		got, err := parseTime("--at", tt.in, now)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("parseTime(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestParseStatuses(t *testing.T) {
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
