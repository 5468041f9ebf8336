package polling

import (
	"fmt"
	"testing"
	"time"
)

// TestSchedule checks the pauses of a wait: from the first, half as long again after each
// poll without a change, up to the cap, back to the first after a change; a first under
// MinInterval raised to it (a nanosecond would never grow) and a cap under the first
// raised to the first.
func TestSchedule(t *testing.T) {
	t.Parallel()
	const ms = time.Millisecond
	for _, tt := range []struct {
		name           string
		first, longest time.Duration
		changed        []bool
		want           []time.Duration
	}{
		{"one second to thirty", time.Second, 30 * time.Second,
			[]bool{true, false, false, false, true, false},
			[]time.Duration{time.Second, 1500 * ms, 2250 * ms, 3375 * ms, time.Second, 1500 * ms}},
		{"capped", 10 * ms, 30 * ms, []bool{true, false, false, false, false},
			[]time.Duration{10 * ms, 15 * ms, 22500 * time.Microsecond, 30 * ms, 30 * ms}},
		{"a nanosecond grows from the floor", time.Nanosecond, time.Second, []bool{true, false, false},
			[]time.Duration{ms, 1500 * time.Microsecond, 2250 * time.Microsecond}},
		{"a cap under the floor", time.Nanosecond, time.Nanosecond, []bool{true, false}, []time.Duration{ms, ms}},
		{"a cap under the first", 2 * time.Second, time.Second, []bool{true, false}, []time.Duration{2 * time.Second, 2 * time.Second}},
		{"a change before any growth", 10 * ms, time.Second, []bool{false, true, false},
			[]time.Duration{15 * ms, 10 * ms, 15 * ms}},
	} {
		s := NewSchedule(tt.first, tt.longest)
		var got []time.Duration
		for _, c := range tt.changed {
			got = append(got, s.Next(c))
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: pauses %v, want %v", tt.name, got, tt.want)
		}
	}
}
