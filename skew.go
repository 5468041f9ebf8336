package batchprocessing

import (
	"net/http"
	"sync/atomic"
	"time"
)

// skewThreshold is the smallest difference between the server's clock and ours that the
// client corrects. The gateway's signature window is not documented; a minute of skew is
// harmless under any sensible window, and the Date header has a resolution of a second.
const skewThreshold = 30 * time.Second

// skewClock is the client's clock corrected by the offset it measured against the
// server's: signature and token timestamps are read from it, so that a client whose
// clock is off still signs times the gateway accepts.
type skewClock struct {
	base   func() time.Time
	offset atomic.Int64 // server minus base, in nanoseconds
	// coarse reports that the correction was read from a Date, to the second: the client
	// makes it exact with Get Current Time (Client.refineClock).
	coarse atomic.Bool
	// spread bounds the error of a correction read from a Date, in nanoseconds: the second
	// the Date cut off, and half the round trip that brought it.
	spread atomic.Int64
}

// Now is the corrected time.
func (s *skewClock) Now() time.Time {
	now, _ := s.reading()
	return now
}

// reading is Now with the correction it applied.
func (s *skewClock) reading() (time.Time, time.Duration) {
	offset := time.Duration(s.offset.Load())
	return s.base().Add(offset), offset
}

// Offset is the current correction.
func (s *skewClock) Offset() time.Duration { return time.Duration(s.offset.Load()) }

// observe measures the server's clock from the Date header of a response received between
// start and end (read from the base clock), taking the middle of the round trip as the
// moment the server wrote it. A Date is cut to the second, so the correction may be off by
// up to a second and half the round trip (spread), until refine makes it exact. When the correction in force is off by more than
// skewThreshold, it adopts the new one and reports true.
func (s *skewClock) observe(h http.Header, start, end time.Time) bool {
	if h == nil || h.Get("Age") != "" { // a response from a cache says nothing of the clock
		return false
	}
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil || end.Sub(start) > skewThreshold {
		return false
	}
	measured := date.Sub(start.Add(end.Sub(start) / 2))
	if d := measured - s.Offset(); d > -skewThreshold && d < skewThreshold {
		return false
	}
	s.offset.Store(int64(measured))
	s.spread.Store(int64(time.Second + end.Sub(start)/2))
	s.coarse.Store(true)
	return true
}

// refine makes the correction exact from server, the server's time to the millisecond
// (Get Current Time) answered between start and end (base clock), and reports whether it
// did: not when the round trip took longer than maxRefineTrip, which makes the middle of
// it no better than the Date, nor when server disagrees with the correction in force by
// more than the Date's error (spread) and this round trip allow (an answer in another
// unit).
func (s *skewClock) refine(server, start, end time.Time) bool {
	trip := end.Sub(start)
	if trip < 0 || trip > maxRefineTrip {
		return false
	}
	measured := server.Sub(start.Add(trip / 2))
	if d, allowed := measured-s.Offset(), time.Duration(s.spread.Load())+trip; d < -allowed || d > allowed {
		return false
	}
	s.offset.Store(int64(measured))
	return true
}

// maxRefineTrip is the longest round trip of Get Current Time that refine takes, and so
// how long a refinement may hold up the calls that wait for it.
const maxRefineTrip = time.Second
