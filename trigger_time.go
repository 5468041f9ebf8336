package batchprocessing

import (
	"encoding/json"
	"time"
)

// A trigger "now" runs at the gateway's minute, not at the client's. The client reads its
// clock, corrected by the gateway's Date when it is off (skewClock), when the call is made;
// but the correction may come during the call itself: from its token request, on a fresh
// client, or from the gateway's refusal of its timestamp. Until an attempt may have created
// the instance, its trigger time then moves with the correction.

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

// followClock moves a trigger "now" by the change of the clock's correction since it was
// read, offset being the correction in force, while no attempt of the call may have created
// the instance (p.mayHaveActed): attempts refused for their token or timestamp, for the rate
// limit, or never sent create none. The body is encoded again, and the lookups of
// createInstance look for the new minute. From the first attempt that may have created the
// instance, the time stays: an instance of that minute may exist.
func (p *prepared) followClock(offset time.Duration) {
	cr := p.creates
	if cr == nil || cr.at.fixed || p.mayHaveActed || offset == cr.at.offset {
		return
	}
	body, ok := p.call.body.(retimable)
	if !ok {
		return
	}
	millis := cr.at.millis + (offset - cr.at.offset).Milliseconds()
	moved := body.withTriggerTime(millis)
	encoded, err := json.Marshal(moved)
	if err != nil {
		return // numbers and strings: it was encoded once already, it cannot fail now
	}
	cr.at.millis, cr.at.offset = millis, offset
	p.call.body, p.body = moved, encoded
}
