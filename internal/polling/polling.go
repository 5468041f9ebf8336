// Package polling holds the pause schedule of a wait that polls a flow instance: the one
// definition that Client.WaitForFlowInstance and the CLI's wait share.
package polling

import "time"

// MinInterval is the shortest pause a schedule takes: a shorter first pause is raised to
// it, so that a wait never spins on the gateway (a pause of a nanosecond would not even
// grow, half of it being nothing).
const MinInterval = time.Millisecond

// Schedule is the pause before each poll of a wait: first after a change, then half as
// long again after each poll without one, up to a cap. The zero Schedule is not usable;
// NewSchedule makes one.
type Schedule struct {
	first, longest, pause time.Duration
}

// NewSchedule returns the schedule of the pauses from first to longest, first raised to
// MinInterval and longest to first.
func NewSchedule(first, longest time.Duration) Schedule {
	first = max(first, MinInterval)
	return Schedule{first: first, longest: max(longest, first), pause: first}
}

// Next returns the pause after a poll that saw a change (or the first poll) or did not.
func (s *Schedule) Next(changed bool) time.Duration {
	if changed {
		s.pause = s.first
	} else {
		s.pause = min(s.pause+s.pause/2, s.longest)
	}
	return s.pause
}
