package batchprocessing

import (
	"net/http"
	"testing"
	"time"
)

// TestSkewClockRefine: a correction read from a Date is marked coarse; Get Current Time's
// answer makes it exact when its round trip is short and it agrees with the Date to the
// second the Date cuts off, half the round trip that brought the Date, and its own round
// trip, and is ignored otherwise.
func TestSkewClockRefine(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 1, 0, 10, 0, 0, time.UTC)
	server := base.Add(time.Hour + 400*time.Millisecond) // the gateway an hour and 0.4 s ahead
	ms := time.Millisecond
	for _, tt := range []struct {
		name       string
		dateTrip   time.Duration // of the response whose Date made the correction
		answer     time.Time     // Get Current Time's, at the middle of its round trip
		start, end time.Time
		refined    bool
	}{
		{"exact", 0, server, base.Add(-10 * ms), base.Add(10 * ms), true},
		{"a round trip over a second", 0, server, base.Add(-600 * ms), base.Add(600 * ms), false},
		{"a round trip backwards", 0, server, base.Add(10 * ms), base.Add(-10 * ms), false},
		{"seconds, not milliseconds", 0, time.UnixMilli(server.Unix()), base, base, false},
		{"two seconds from the Date", 0, server.Add(2 * time.Second), base, base, false},
		{"two seconds from a Date that took three", 3 * time.Second, server.Add(2 * time.Second), base, base, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &skewClock{base: func() time.Time { return base }}
			date := http.Header{"Date": {server.Format(http.TimeFormat)}} // 0.4 s cut off
			if !s.observe(date, base.Add(-tt.dateTrip/2), base.Add(tt.dateTrip/2)) || !s.coarse.Load() || s.Offset() != time.Hour {
				t.Fatalf("observe: offset %v, coarse %v; want an hour, coarse", s.Offset(), s.coarse.Load())
			}
			want := time.Hour
			if tt.refined {
				want = tt.answer.Sub(tt.start.Add(tt.end.Sub(tt.start) / 2))
			}
			if got := s.refine(tt.answer, tt.start, tt.end); got != tt.refined || s.Offset() != want {
				t.Errorf("refine: %v, offset %v; want %v, %v", got, s.Offset(), tt.refined, want)
			}
		})
	}
}
