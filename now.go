package batchprocessing

import (
	"encoding/json"
	"time"
)

// A time the client reads as now (a trigger's time, the end of a listing's range) is the
// gateway's now, not the client's. The client reads its clock, corrected by the gateway's
// Date when it is off (skewClock), when the call is made; but the correction may come
// during the call itself: from its token request, on a fresh client, or from the gateway's
// refusal of its timestamp. The time then moves with the correction, until an attempt may
// have created the instance (a trigger) or the first page has been read (a listing).

// nowReading is a time a call's body holds as now: the clock's correction when it was read,
// and moved, which returns the body with that time moved by a change of the correction and
// records the move where the caller keeps the time.
type nowReading struct {
	offset time.Duration
	moved  func(by time.Duration) any
}

// followClock moves the call's time read as now (p.now) by the change of the clock's
// correction since it was read, offset being the correction in force, while no attempt of
// the call may have created an instance (p.mayHaveActed): attempts refused for their token
// or timestamp, for the rate limit, or never sent create none. The body is encoded again.
// From the first attempt that may have created the instance, the time stays: an instance
// of that minute may exist, and the lookups of createInstance look for it.
func (p *prepared) followClock(offset time.Duration) {
	n := p.now
	if n == nil || p.mayHaveActed || offset == n.offset {
		return
	}
	body := n.moved(offset - n.offset)
	encoded, err := json.Marshal(body)
	if err != nil {
		return // numbers and strings: it was encoded once already, it cannot fail now
	}
	n.offset = offset
	p.call.body, p.body = body, encoded
}

// triggerAt is a trigger's time as it is sent, in epoch milliseconds.
type triggerAt struct {
	millis int64
	// fixed reports that the caller chose the time; otherwise the client read it as now,
	// with the clock's correction offset in force.
	fixed  bool
	offset time.Duration
}

// triggerNow reads the clock for a trigger "now".
func (c *Client) triggerNow() triggerAt {
	now, offset := c.clock.reading()
	return triggerAt{millis: now.UnixMilli(), offset: offset}
}

// nowReading returns, for a trigger "now" whose body is body, the reading that moves its
// time (and cr's, which the lookups and the check of the response read); nil for a fixed
// time.
func (cr *creation) nowReading(body retimable) *nowReading {
	if cr.at.fixed {
		return nil
	}
	return &nowReading{offset: cr.at.offset, moved: func(by time.Duration) any {
		cr.at.millis += by.Milliseconds()
		return body.withTriggerTime(cr.at.millis)
	}}
}

// retimable is the body of a trigger operation: the same body with another trigger time.
type retimable interface {
	withTriggerTime(millis int64) any
}

func (b triggerFlowBody) withTriggerTime(millis int64) any {
	b.TriggerTime = millis
	return b
}

func (b triggerFlowFromTaskBody) withTriggerTime(millis int64) any {
	b.TriggerTime = millis
	return b
}

func (b updateAndTriggerFlowBody) withTriggerTime(millis int64) any {
	b.TriggerTime = millis
	return b
}
