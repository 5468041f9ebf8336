package refserver

import "time"

// This file keeps what a periodic flow fired lately, so that an id runs once although the
// history bound (WithMaxInstances) may have forgotten its instance.
//
// A fire makes no instance when an instance of its id exists. Without a bound that is the
// whole rule: an instance is never forgotten (Delete Flow takes the flow with it). With a
// bound, the first instance of an id may be forgotten before a fire of the same id comes:
// a cron that fires more often than its cycle fires the cycle's id again at once, and the
// hour that repeats when daylight saving time ends fires its ids again an hour later. So
// each periodic flow also remembers the distinct ids it fired within refireHorizon (in fire
// time) of its latest fire, and fires none of them again. A clock set back further, or a
// change of the server's time zone, may meet older ids again: those the store still holds
// stay refused, those the bound forgot run again.

// refireHorizon is how far back, in fire time, a periodic flow remembers the ids it fired:
// the hour a fall-back to standard time repeats, with room to spare.
const refireHorizon = 2 * time.Hour

// firedIDs is the distinct ids a periodic flow fired within refireHorizon of its latest
// fire: a queue in fire order from head, and the same ids as a set.
type firedIDs struct {
	queue []firedID
	head  int
	set   map[string]bool
}

// firedID is one fire of a flow: the instance id and the fire time.
type firedID struct {
	id string
	at time.Time
}

// newFire reports whether the fire at at of the periodic instance id of flowID makes an
// instance (see the rule above), and remembers the id when it does.
func (st *state) newFire(flowID int64, id string, at time.Time) bool {
	f := st.fired[flowID]
	if f == nil {
		f = &firedIDs{set: make(map[string]bool)}
		st.fired[flowID] = f
	}
	f.forgetBefore(at.Add(-refireHorizon))
	if st.instances[id] != nil || f.set[id] {
		return false
	}
	f.queue = append(f.queue, firedID{id, at})
	f.set[id] = true
	return true
}

// forgetBefore forgets the ids fired before cutoff.
func (f *firedIDs) forgetBefore(cutoff time.Time) {
	for f.head < len(f.queue) && f.queue[f.head].at.Before(cutoff) {
		delete(f.set, f.queue[f.head].id)
		f.queue[f.head] = firedID{}
		f.head++
	}
	if f.head > len(f.queue)/2 {
		f.queue = append(f.queue[:0], f.queue[f.head:]...)
		f.head = 0
	}
}
