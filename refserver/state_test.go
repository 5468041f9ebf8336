package refserver

import (
	"testing"
	"time"
)

func TestInstanceID(t *testing.T) {
	t.Parallel()
	gmt8 := time.FixedZone("GMT+8", 8*3600)
	tests := []struct {
		flowID int64
		millis int64
		loc    *time.Location
		want   string
	}{
		{3377, 1574385824000, time.UTC, "3377-20191122012300"},
		{3377, 1574385824000, gmt8, "3377-20191122092300"},
		{3377, 1574385780000, time.UTC, "3377-20191122012300"}, // 01:23:00.000
		{3377, 1574385839999, time.UTC, "3377-20191122012300"}, // 01:23:59.999
		{3377, 1574385840000, time.UTC, "3377-20191122012400"}, // 01:24:00.000
		{2791, 0, time.UTC, "2791-19700101000000"},
		{1, 1574385824000, time.FixedZone("", -3600), "1-20191122002300"},
	}
	for _, tt := range tests {
		if got := instanceID(tt.flowID, time.UnixMilli(tt.millis), tt.loc); got != tt.want {
			t.Errorf("instanceID(%d, %d, %v) = %q, want %q", tt.flowID, tt.millis, tt.loc, got, tt.want)
		}
	}
}

func TestIsOwner(t *testing.T) {
	t.Parallel()
	tests := []struct {
		owner, user string
		want        bool
	}{
		{"u1", "u1", true},
		{";u1;u2;", "u2", true},
		{"u1; u2", "u2", true},
		{"u1;u2", "u", false},
		{"u10", "u1", false},
		{"", "u1", false},
		{";;", "", false},
		{"U1", "u1", false},
	}
	for _, tt := range tests {
		if got := isOwner(&Flow{Owner: tt.owner}, tt.user); got != tt.want {
			t.Errorf("isOwner(%q, %q) = %v, want %v", tt.owner, tt.user, got, tt.want)
		}
	}
}

func TestSettle(t *testing.T) {
	t.Parallel()
	now := time.Date(2019, 11, 22, 1, 23, 44, 0, time.UTC)
	st := testState(&now, time.UTC, 0)
	a := st.createInstance(1, now.Add(-3*time.Minute), now)
	future := st.createInstance(1, now.Add(time.Minute), now)
	late := st.createInstance(1, now.Add(-time.Minute), now)
	early := st.createInstance(1, now.Add(-2*time.Minute), now)
	other := st.createInstance(2, now.Add(-time.Minute), now)
	check := func(want map[*instance]int) {
		t.Helper()
		for in, w := range want {
			if in.Status != w {
				t.Errorf("%s: status %d, want %d", in.ID, in.Status, w)
			}
		}
	}
	check(map[*instance]int{a: StatusRunning, future: StatusWait, late: StatusWait, early: StatusWait, other: StatusRunning})

	if err := st.finish(a.ID, StatusSuccess, now); err != nil {
		t.Fatal(err)
	}
	check(map[*instance]int{a: StatusSuccess, future: StatusWait, late: StatusWait, early: StatusRunning, other: StatusRunning})
	if err := st.finish(early.ID, StatusSuccess, now); err != nil {
		t.Fatal(err)
	}
	if err := st.finish(late.ID, StatusSuccess, now); err != nil {
		t.Fatal(err)
	}
	check(map[*instance]int{future: StatusWait})
	st.settle(now.Add(time.Minute))
	check(map[*instance]int{future: StatusRunning, other: StatusRunning})
}

func TestWithinWindow(t *testing.T) {
	t.Parallel()
	now := time.UnixMilli(1_000_000_000)
	st := &state{window: time.Second}
	for _, tc := range []struct {
		ts   int64
		want bool
	}{{999_999_000, true}, {1_000_001_000, true}, {999_998_999, false}, {1_000_001_001, false}, {-1, false}} {
		if got := st.withinWindow(tc.ts, now); got != tc.want {
			t.Errorf("withinWindow(%d) = %v, want %v", tc.ts, got, tc.want)
		}
	}
}

// testState returns an empty store in loc on the clock *now, with a signature window of a
// minute, tokens of an hour, and a history bound of maxInstances (0: none).
func testState(now *time.Time, loc *time.Location, maxInstances int) *state {
	return newState(options{now: func() time.Time { return *now }, loc: loc, window: time.Minute,
		tokenLife: time.Hour, maxInstances: maxInstances})
}

// mustZone loads the time zone name from the time zone database (Go's own copy when the
// system has none).
func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
