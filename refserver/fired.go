package refserver

import "time"

// This file keeps what a periodic flow fired lately, so that an id runs once although the
// history bound (WithMaxInstances) may have forgotten its instance.
//
// A fire makes no instance when an instance of its id exists. Without a bound that is the
// whole rule: an instance is never forgotten (Delete Flow takes the flow with it). Under a
// bound, the first instance of an id may be forgotten before a fire of the same id comes,
// which happens two ways while the clock moves forward:
//   - a cron that fires more often than the cycle fires the cycle's id again, fire after
//     fire (a day cycle fired every hour: 24 fires of one id in a row), and the hour that
//     repeats when daylight saving time ends fires an hour cycle's id twice in a row;
//   - that repeated hour fires a minute cycle's ids again an hour later.
//
// So under a bound each periodic flow remembers the id of its latest fire of each form (one
// a cycle's layout), and a minute cycle's distinct ids fired within refireHorizon (in fire
// time) of its latest fire, at most maxRememberedIDs; it fires none of them again. A clock
// set back, or a change of the server's time zone, may meet older ids again: those the
// store still holds stay refused, those the bound forgot can run again.

// refireHorizon is how far back, in fire time, a flow remembers the minute ids it fired:
// the hour a fall-back to standard time repeats (half an hour in some zones), and a minute.
const refireHorizon = 61 * time.Minute

// maxRememberedIDs bounds the minute ids a flow remembers: a clock set back makes fires go
// back in time, and the ids fired ahead of them would stay until fires pass them again.
const maxRememberedIDs = 128

// firedIDs is what a periodic flow fired lately (see above).
type firedIDs struct {
	latest []string // the id of the latest fire of each form (of each length)
	// queue holds, from head, the distinct minute ids fired lately in fire order; set holds
	// the same ids.
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
// instance (see the rule above), and, under a bound, remembers the id when it does.
func (st *state) newFire(flowID int64, id string, at time.Time) bool {
	if st.instances[id] != nil {
		return false
	}
	if st.maxInstances <= 0 {
		return true // nothing is forgotten: an id fired before has its instance
	}
	f := st.fired[flowID]
	if f == nil {
		f = &firedIDs{set: make(map[string]bool)}
		st.fired[flowID] = f
	}
	f.forget(at.Add(-refireHorizon))
	if f.set[id] || !f.noteLatest(id) {
		return false
	}
	if len(id) == len(formatFlowID(flowID))+1+len(periodicLayouts["mi"]) {
		f.queue = append(f.queue, firedID{id, at})
		f.set[id] = true
	}
	return true
}

// noteLatest makes id the latest fire of its form, and reports false when it already was.
func (f *firedIDs) noteLatest(id string) bool {
	for i, last := range f.latest {
		if len(last) == len(id) {
			if last == id {
				return false
			}
			f.latest[i] = id
			return true
		}
	}
	f.latest = append(f.latest, id)
	return true
}

// forget forgets the minute ids fired before cutoff, and the oldest beyond
// maxRememberedIDs.
func (f *firedIDs) forget(cutoff time.Time) {
	for f.head < len(f.queue) && (f.queue[f.head].at.Before(cutoff) || len(f.queue)-f.head >= maxRememberedIDs) {
		delete(f.set, f.queue[f.head].id)
		f.queue[f.head] = firedID{}
		f.head++
	}
	if f.head > len(f.queue)/2 {
		f.queue = append(f.queue[:0], f.queue[f.head:]...)
		f.head = 0
	}
}
