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

// nowReading is a time the client read as now, as a call's body holds it: millis, on the
// clock with the correction offset, the one last applied; body gives the call's body with
// another such time.
type nowReading struct {
	millis int64
	offset time.Duration
	body   func(millis int64) any
}

// readNow reads the clock for a time the caller left to now.
func (c *Client) readNow() *nowReading {
	now, offset := c.clock.reading()
	return &nowReading{millis: now.UnixMilli(), offset: offset}
}

// followClock moves the call's time read as now (p.now) by the change of the clock's
// correction since it was last applied, offset being the correction in force, and encodes
// the body again. send drops p.now once an attempt may have created the instance: an
// instance of the time sent may exist, and the lookups of createInstance look for it.
func (p *prepared) followClock(offset time.Duration) {
	n := p.now
	if n == nil || offset == n.offset {
		return
	}
	millis := n.millis + (offset - n.offset).Milliseconds()
	encoded, err := json.Marshal(n.body(millis))
	if err != nil {
		return // the same body encoded once already: it cannot fail now, and nothing moved
	}
	n.millis, n.offset, p.body = millis, offset, encoded
}

// triggerAt is a trigger's time as it is sent, in epoch milliseconds: the one the caller
// chose (fixed), or one the client read as now (now, nil otherwise), which moves with the
// clock's corrections.
type triggerAt struct {
	fixed int64
	now   *nowReading
}

// millis is the trigger time in force.
func (t triggerAt) millis() int64 {
	if t.now != nil {
		return t.now.millis
	}
	return t.fixed
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
