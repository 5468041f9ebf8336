package refserver_test

import (
	"net/http"
	"testing"
	"time"
	_ "time/tzdata" // America/New_York and Asia/Kolkata wherever the tests run

	"github.com/enos-go/batchprocessing/refserver"
)

func TestGetCurrentTime(t *testing.T) {
	t.Parallel()
	r, clk := newManualRig(t, t0.Add(123*time.Millisecond))
	for _, query := range []string{"?action=getCurrentTime", "?action=getCurrentTime&orgId=nobody&userId=ghost"} {
		data := ok(t, r.call(r.tok(), http.MethodGet, timePath+query, ""))
		if jsonKind(data) != "number" || string(data) != ms(clk.Now()) {
			t.Errorf("%s: data %s, want %d", query, data, clk.Now().UnixMilli())
		}
	}
	clk.Advance(90 * time.Minute)
	// t0 is 1796025600000 ms.
	if data := ok(t, r.call(r.tok(), http.MethodGet, timePath+"?action=getCurrentTime", "")); string(data) != "1796031000123" {
		t.Errorf("after 90 minutes: %s", data)
	}
}

func TestGetTimeZone(t *testing.T) {
	t.Parallel()
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	kolkata, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Fatal(err)
	}
	winter := time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		loc  *time.Location
		at   time.Time
		want string
	}{
		{"UTC", time.UTC, winter, "GMT+0"},
		{"GMT+8", time.FixedZone("CST", 8*3600), winter, "GMT+8"},
		{"GMT-3", time.FixedZone("", -3*3600), winter, "GMT-3"},
		{"half hour", kolkata, winter, "GMT+5:30"},
		{"negative half hour", time.FixedZone("", -(9*3600 + 1800)), winter, "GMT-9:30"},
		{"quarter hour", time.FixedZone("", 5*3600+45*60), winter, "GMT+5:45"},
		{"New York in winter", newYork, winter, "GMT-5"},
		{"New York in summer", newYork, summer, "GMT-4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := newManualRig(t, tt.at, refserver.WithLocation(tt.loc))
			data := ok(t, r.call(r.tok(), http.MethodGet, timePath+"?action=getTimeZone", ""))
			m := shape(t, data, map[string]string{"timezone": "string"})
			if got := str(t, m["timezone"]); got != tt.want {
				t.Errorf("timezone %q, want %q", got, tt.want)
			}
		})
	}
	// The offset follows the clock across a daylight saving change.
	r, clk := newManualRig(t, winter, refserver.WithLocation(newYork))
	clk.Set(summer)
	var tz struct{ Timezone string }
	decode(t, ok(t, r.call(r.tok(), http.MethodGet, timePath+"?action=getTimeZone", "")), &tz)
	if tz.Timezone != "GMT-4" {
		t.Errorf("after the clock moved to summer: %s", tz.Timezone)
	}
}
