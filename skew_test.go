package batchprocessing

import (
	"net/http"
	"testing"
	"time"
)

// TestSkewClockRefine: a correction read from a Date is marked coarse; Get Current Time's
// answer makes it exact when its round trip is short and it agrees with the Date to the
// second the Date cuts off (and the round trip), and is ignored otherwise.
func TestSkewClockRefine(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 1, 0, 10, 0, 0, time.UTC)
	server := base.Add(time.Hour + 400*time.Millisecond) // the gateway an hour and 0.4 s ahead
	ms := time.Millisecond
	for _, tt := range []struct {
		name       string
		answer     time.Time // Get Current Time's, at the middle of the round trip
		start, end time.Time
		refined    bool
	}{
		{"exact", server, base.Add(-10 * ms), base.Add(10 * ms), true},
		{"a round trip over a second", server, base.Add(-600 * ms), base.Add(600 * ms), false},
		{"a round trip backwards", server, base.Add(10 * ms), base.Add(-10 * ms), false},
		{"seconds, not milliseconds", time.UnixMilli(server.Unix()), base, base, false},
		{"two seconds from the Date", server.Add(2 * time.Second), base, base, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &skewClock{base: func() time.Time { return base }}
			date := http.Header{"Date": {server.Format(http.TimeFormat)}} // 0.4 s cut off
			if !s.observe(date, base, base) || !s.coarse.Load() || s.Offset() != time.Hour {
				t.Fatalf("observe: offset %v, coarse %v; want an hour, coarse", s.Offset(), s.coarse.Load())
			}
			want := time.Hour
			if tt.refined {
				want = time.Hour + 400*ms
			}
			if got := s.refine(tt.answer, tt.start, tt.end); got != tt.refined || s.Offset() != want {
				t.Errorf("refine: %v, offset %v; want %v, %v", got, s.Offset(), tt.refined, want)
			}
		})
	}
}
