package batchprocessing

import (
	"strings"
	"testing"
	"time"
)

func TestParseFlowInstanceID(t *testing.T) {
	t.Parallel()
	gmt8 := time.FixedZone("GMT+8", 8*3600)
	tests := []struct {
		id     string
		flowID int64
		time   time.Time // in gmt8
		err    string
	}{
		{"2430-20190718075000", 2430, time.Date(2019, 7, 18, 7, 50, 0, 0, gmt8), ""},
		{"2438-201907261239", 2438, time.Date(2019, 7, 26, 12, 39, 0, 0, gmt8), ""},
		{"8435-2021020211", 8435, time.Date(2021, 2, 2, 11, 0, 0, 0, gmt8), ""},
		{"9-20210202", 9, time.Date(2021, 2, 2, 0, 0, 0, 0, gmt8), ""},
		{"3377-202612", 3377, time.Date(2026, 12, 1, 0, 0, 0, 0, gmt8), ""}, // a month cycle
		{"3377-202613", 0, time.Time{}, "not a valid time"},
		{"3377-202600", 0, time.Time{}, "not a valid time"},
		{"3377-2026", 0, time.Time{}, "8, 10, 12 or 14 digits"},
		{"", 0, time.Time{}, "no '-'"},
		{"2430", 0, time.Time{}, "no '-'"},
		{"abc-20190718075000", 0, time.Time{}, "flow id"},
		{"0-20190718075000", 0, time.Time{}, "flow id"},
		{"-5-20190718075000", 0, time.Time{}, "flow id"},
		{"+5-20190718075000", 0, time.Time{}, "flow id"},
		{"03377-20190718075000", 0, time.Time{}, "leading zeros"}, // not an id the service makes
		{"2430-2019071807500", 0, time.Time{}, "8, 10, 12 or 14 digits"},
		{"2430-2019O718075000", 0, time.Time{}, "8, 10, 12 or 14 digits"},
		{"2430-20191318075000", 0, time.Time{}, "not a valid time"},
		{"2430-20190230075000", 0, time.Time{}, "not a valid time"}, // February 30
		{"2430-20190718245000", 0, time.Time{}, "not a valid time"},
		{"2430-20190718076000", 0, time.Time{}, "not a valid time"},
		{"2430-20190718075060", 0, time.Time{}, "not a valid time"},
		{"2430-20190230", 0, time.Time{}, "not a valid time"},
		{"2430-2020022900", 2430, time.Date(2020, 2, 29, 0, 0, 0, 0, gmt8), ""}, // a leap day, hour cycle
		{"2430-20190718075000 ", 0, time.Time{}, "8, 10, 12 or 14 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			id, err := ParseFlowInstanceID(tt.id)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "malformed flow instance id") {
					t.Fatalf("err = %v, want one about %q", err, tt.err)
				}
				if _, err := FlowInstanceID(tt.id).FlowID(); err == nil {
					t.Error("FlowID accepts a malformed id")
				}
				return
			}
			if err != nil || string(id) != tt.id {
				t.Fatalf("ParseFlowInstanceID = %q, %v", id, err)
			}
			flowID, err := id.FlowID()
			if err != nil || flowID != tt.flowID {
				t.Errorf("FlowID = %d, %v; want %d", flowID, err, tt.flowID)
			}
			at, err := id.Time(gmt8)
			if err != nil || !at.Equal(tt.time) {
				t.Errorf("Time = %v, %v; want %v", at, err, tt.time)
			}
		})
	}
}

func TestFlowInstanceIDFor(t *testing.T) {
	t.Parallel()
	at := time.UnixMilli(1574385824000) // 2019-11-22 01:23:44 UTC
	if got := FlowInstanceIDFor(3377, at, nil); got != "3377-20191122012300" {
		t.Errorf("UTC: %s", got)
	}
	if got := FlowInstanceIDFor(3377, at, time.FixedZone("GMT+8", 8*3600)); got != "3377-20191122092300" {
		t.Errorf("GMT+8: %s", got)
	}
	// The id says which minute, in the zone it was made in.
	got, err := FlowInstanceIDFor(3377, at, nil).Time(nil)
	if err != nil || !got.Equal(at.Truncate(time.Minute)) {
		t.Errorf("round trip: %v, %v", got, err)
	}
}

func TestTaskInstanceID(t *testing.T) {
	t.Parallel()
	id, err := TaskInstanceIDFor(104890, "2809-20190812080700")
	if err != nil || id != "104890-20190812080700" {
		t.Fatalf("TaskInstanceIDFor = %q, %v", id, err)
	}
	if taskID, err := id.TaskID(); err != nil || taskID != 104890 {
		t.Errorf("TaskID = %d, %v", taskID, err)
	}
	for _, taskID := range []int64{0, -5} {
		if id, err := TaskInstanceIDFor(taskID, "2809-20190812080700"); err == nil {
			t.Errorf("TaskInstanceIDFor(%d) = %q: accepts a task id that is not positive", taskID, id)
		}
	}
	if _, err := TaskInstanceIDFor(1, "nope"); err == nil {
		t.Error("TaskInstanceIDFor accepts a malformed flow instance id")
	}
	if _, err := TaskInstanceID("t_104890").TaskID(); err == nil || !strings.Contains(err.Error(), "malformed task instance id") {
		t.Errorf("err = %v", err)
	}
}

func TestFlowInstanceStatus(t *testing.T) {
	t.Parallel()
	terminal := map[FlowInstanceStatus]bool{StatusSuccess: true, StatusFail: true, StatusCancel: true,
		StatusTimeout: true, StatusSkip: true, StatusInternalError: true}
	names := []string{"FAIL", "INIT", "SUCCESS", "RUNNING", "SUSPEND", "INTERNAL_ERROR", "WAIT", "READY", "TIMEOUT", "CANCEL", "RERUN", "SKIP"}
	for i, name := range names {
		s := FlowInstanceStatus(i - 1)
		if s.String() != name {
			t.Errorf("%d.String() = %s, want %s", int(s), s, name)
		}
		if s.IsTerminal() != terminal[s] {
			t.Errorf("%s.IsTerminal() = %v", s, s.IsTerminal())
		}
	}
	if got := FlowInstanceStatus(42).String(); got != "FlowInstanceStatus(42)" {
		t.Errorf("unknown status prints %q", got)
	}
	// Codes (Get Flow Instance) and names (instance graphs) are one status.
	for in, want := range map[string]FlowInstanceStatus{`1`: StatusSuccess, `"-1"`: StatusFail, `"8"`: StatusCancel,
		`"SUCCESS"`: StatusSuccess, `"internal_error"`: StatusInternalError, `"NONE"`: StatusNone, `"BOGUS"`: StatusUnknown} {
		var s FlowInstanceStatus
		if err := s.UnmarshalJSON([]byte(in)); err != nil || s != want {
			t.Errorf("UnmarshalJSON(%s) = %v, %v", in, s, err)
		}
	}
	var s FlowInstanceStatus
	if err := s.UnmarshalJSON([]byte(`{}`)); err == nil {
		t.Error("an object decodes as a status")
	}
}
