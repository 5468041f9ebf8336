package utcoffset

import "testing"

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
