package batchprocessing

import (
	"context"
	"log/slog"
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
	base func() time.Time
	// corr is the correction in force, replaced whole (nil: none): a refinement replaces
	// only the correction it refined, never one a Date made meanwhile.
	corr atomic.Pointer[correction]
}

// correction is an offset of the server's clock from the base clock, and how it was read.
type correction struct {
	offset time.Duration // server minus base
	// coarse reports an offset read from a Date, to the second: the client makes it exact
	// with Get Current Time (Client.refineClock). The server's time when it wrote the
	// Date lay in that second, and the middle of the round trip that brought it, taken as
	// that moment, is off by up to halfTrip: the true offset lies in [offset - halfTrip,
	// offset + 1s + halfTrip].
	coarse   bool
	halfTrip time.Duration
}

// current is the correction in force.
func (s *skewClock) current() *correction {
	if c := s.corr.Load(); c != nil {
		return c
	}
	return &noCorrection
}

// noCorrection is the correction of a clock never corrected.
var noCorrection correction

// Now is the corrected time.
func (s *skewClock) Now() time.Time {
	now, _ := s.reading()
	return now
}

// reading is Now with the correction it applied.
func (s *skewClock) reading() (time.Time, time.Duration) {
	offset := s.current().offset
	return s.base().Add(offset), offset
}

// Offset is the current correction.
func (s *skewClock) Offset() time.Duration { return s.current().offset }

// coarse returns the correction in force if it was read from a Date and is not yet refined,
// else nil.
func (s *skewClock) coarse() *correction {
	if c := s.corr.Load(); c != nil && c.coarse {
		return c
	}
	return nil
}

// observe measures the server's clock from the Date header of a response received between
// start and end (read from the base clock), taking the middle of the round trip as the
// moment the server wrote it. A Date is cut to the second, so the correction may trail the
// server's clock by up to a second, give or take half the round trip, until refine makes
// it exact. When the correction in force is off by more than skewThreshold, it adopts the
// new one and reports true.
func (s *skewClock) observe(h http.Header, start, end time.Time) bool {
	if h == nil || fromCache(h) {
		return false
	}
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil || end.Sub(start) > skewThreshold {
		return false
	}
	measured := offsetAt(date, start, end)
	if d := measured - s.Offset(); d > -skewThreshold && d < skewThreshold {
		return false
	}
	s.corr.Store(&correction{offset: measured, coarse: true, halfTrip: end.Sub(start) / 2})
	return true
}

// refine makes the coarse correction c exact from server, the server's time to the
// millisecond (Get Current Time) answered between start and end (base clock), and reports
// whether it did: not when the round trip took longer than maxRefineTrip, which makes the
// middle of it no better than the Date; nor when server lies more than maxDisagreement
// outside what the Date says (its second, give or take both round trips), which no clock
// does: an answer in another unit, or a local time; nor when another correction replaced
// c meanwhile. Closer, the answer is taken even outside the Date's second: the Date may be
// stale, the client's clock having drifted or been stepped since (NTP, a resumed VM).
func (s *skewClock) refine(c *correction, server, start, end time.Time) bool {
	trip := end.Sub(start)
	if trip < 0 || trip > maxRefineTrip {
		return false
	}
	measured := offsetAt(server, start, end)
	slack := c.halfTrip + trip + time.Millisecond + maxDisagreement // the millisecond Get Current Time cuts off
	if d := measured - c.offset; d < -slack || d > time.Second+slack {
		return false
	}
	return s.corr.CompareAndSwap(c, &correction{offset: measured})
}

// correctFrom corrects the clock from the Date of r, an answer of the gateway (nil if none
// came), when it shows the clock off (observe), logs the correction, and reports whether
// it made one.
func (s *skewClock) correctFrom(ctx context.Context, log *slog.Logger, r *response) bool {
	if r == nil || !s.observe(r.header, r.start, r.end) {
		return false
	}
	log.LogAttrs(ctx, slog.LevelWarn, "batchprocessing clock differs from the gateway's; corrected", slog.Duration("offset", s.Offset()))
	return true
}

// offsetAt is the offset from the base clock of server, a time the server wrote during a
// round trip between start and end (base clock), taken as its middle.
func offsetAt(server, start, end time.Time) time.Duration {
	return server.Sub(start.Add(end.Sub(start) / 2))
}

// fromCache reports an answer a cache gave (an Age header): its times say nothing of the
// server's clock now.
func fromCache(h http.Header) bool { return h.Get("Age") != "" }

// settle marks the coarse correction c as final, unrefined, unless another replaced it.
func (s *skewClock) settle(c *correction) {
	s.corr.CompareAndSwap(c, &correction{offset: c.offset})
}

// maxDisagreement is how far outside what the Date says refine takes an answer: ten
// minutes, more than a clock drifts or is stepped between a token answer and a call, less
// than any zone's offset from UTC (a local time taken for the epoch).
const maxDisagreement = 10 * time.Minute

// maxRefineTrip is the longest round trip of Get Current Time that refine takes, and so
// how long a refinement may hold up the calls that wait for it.
const maxRefineTrip = time.Second
