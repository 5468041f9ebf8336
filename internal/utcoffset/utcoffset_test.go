package utcoffset

import (
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the IANA zones wherever the tests run
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"+8", 8 * 3600, true}, {"-3", -3 * 3600, true}, {"+0", 0, true}, {"+08", 8 * 3600, true},
		{"+08:00", 8 * 3600, true}, {"+5:30", 5*3600 + 1800, true}, {"-03:30", -(3*3600 + 1800), true},
		{"+0800", 8 * 3600, true}, {"+0545", 5*3600 + 45*60, true}, {"+14", 14 * 3600, true},
		{"+15", 0, false}, {"+14:30", 0, false}, {"+8:60", 0, false}, {"+8:5", 0, false},
		{"8", 0, false}, {"+", 0, false}, {"", 0, false}, {"+x", 0, false}, {"++5", 0, false},
		{"+-5", 0, false}, {"+008", 0, false}, {"+08:00:00", 0, false}, {"+ 8", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestLocation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		name   string // the zone's name in June 2026
		offset int
		err    string
	}{
		{"GMT", "UTC", 0, ""}, {"UTC", "UTC", 0, ""}, {"Z", "UTC", 0, ""}, {" gmt ", "UTC", 0, ""},
		{"GMT+8", "GMT+8", 8 * 3600, ""}, {"utc-3", "GMT-3", -3 * 3600, ""}, {"GMT+08:00", "GMT+8", 8 * 3600, ""},
		{"UTC+0530", "GMT+5:30", 5*3600 + 1800, ""}, {"GMT+0", "GMT+0", 0, ""},
		{"Asia/Shanghai", "CST", 8 * 3600, ""}, {"Europe/Berlin", "CEST", 2 * 3600, ""},
		{"GMT8", "", 0, "bad UTC offset"}, {"GMT+15", "", 0, "bad UTC offset"}, {"UTC+x", "", 0, "bad UTC offset"},
		{"", "", 0, "unknown time zone"}, {"Mars/Olympus", "", 0, "unknown time zone"}, {"Local", "", 0, "unknown time zone"},
	}
	for _, tt := range tests {
		loc, err := Location(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Location(%q) = %v, %v; want an error about %q", tt.in, loc, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Location(%q): %v", tt.in, err)
			continue
		}
		if name, offset := time.Date(2026, 6, 1, 0, 0, 0, 0, loc).Zone(); name != tt.name || offset != tt.offset {
			t.Errorf("Location(%q) is %s %d, want %s %d", tt.in, name, offset, tt.name, tt.offset)
		}
	}
}

func TestName(t *testing.T) {
	t.Parallel()
	for offset, want := range map[int]string{
		0: "GMT+0", 8 * 3600: "GMT+8", -3 * 3600: "GMT-3", 5*3600 + 1800: "GMT+5:30", -(3*3600 + 30*60): "GMT-3:30",
		12*3600 + 45*60: "GMT+12:45", 5 * 60: "GMT+0:05", 14 * 3600: "GMT+14",
	} {
		if got := Name(offset); got != want {
			t.Errorf("Name(%d) = %q, want %q", offset, got, want)
		}
		if back, err := Parse(want[len("GMT"):]); err != nil || back != offset {
			t.Errorf("Parse(Name(%d)) = %d, %v", offset, back, err)
		}
	}
}
