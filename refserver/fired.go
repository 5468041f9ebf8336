package refserver

import (
	"strconv"
	"strings"
	"time"
)

// This file keeps what a periodic flow fired lately, so that an id runs once although the
// history bound (WithMaxInstances) may have forgotten its instance.
//
// A fire makes no instance when an instance of its id exists. Without a bound that is the
// whole rule: an instance is never forgotten (Delete Flow takes the flow with it). Under a
// bound, the first instance of an id may be forgotten before a fire of the same id comes.
// While the clock moves forward in one zone, a fire meets an id again only within its
// period: a cron that fires more often than the cycle fires the cycle's id again until the
// period ends (a day cycle fired every hour: 24 fires of one day), and a fall-back to
// standard time repeats the local times of its span (an hour in most zones, two in
// Antarctica/Troll, across an hour's end in Pacific/Chatham, seven at Antarctica/Vostok in
// 1994), whose ids come again up to that span after the period of the first fire.
//
// So under a bound each periodic flow remembers each distinct id it fired, with the fire
// time, for the id's period (a minute, an hour, a day or a month, by the flow's cycle:
// idForm) plus the longest fall-back of the server's zone (largestFallBack), and fires none
// of them again: in New York, 61 ids for a minute cycle, a few for the others. A clock set back, or
// a change of the server's time zone, may meet older ids again: those the store still
// holds stay refused, those the bound forgot can run again.

// maxRememberedIDs bounds the ids a flow remembers of one form: a clock set back makes fires
// go back in time, and the ids fired ahead of them would stay until fires pass them again.
const maxRememberedIDs = 512

// largestFallBack returns the longest span of local times a change of loc's offset to an
// earlier one repeats, from 1970 on, as far as time.Time.ZoneBounds walks (to about 2040:
// later years repeat the rules of those before).
func largestFallBack(loc *time.Location) time.Duration {
	var most time.Duration
	end := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	for t := time.Date(1970, 1, 1, 0, 0, 0, 0, loc); t.Before(end); {
		_, next := t.ZoneBounds()
		if !next.After(t) {
			break // no change of offset after t, or none ZoneBounds tells
		}
		_, before := t.Zone()
		_, after := next.Zone()
		most = max(most, time.Duration(before-after)*time.Second)
		t = next
	}
	return most
}

// fallBack returns the largest fall-back of the server's zone, worked out once a zone.
func (st *state) fallBack() time.Duration {
	if st.fallBackOf != st.loc {
		st.fallBackOf, st.fallBackSpan = st.loc, largestFallBack(st.loc)
	}
	return st.fallBackSpan
}

// firedIDs is the ids a periodic flow fired lately, by form (the length of their digits).
type firedIDs map[int]*recentIDs

// recentIDs is the distinct ids of one form a flow fired within their period and the zone's
// largest fall-back of the latest fire: a queue in fire order from head, and the same ids
// as a set. An id is kept as its digits' value (unique within a form), its fire time in
// Unix seconds: a minute flow's hour of ids in New York takes about 5 KB.
type recentIDs struct {
	queue []firedID
	head  int
	set   map[uint64]struct{}
}

// firedID is one fire of a flow: the value of the instance id's digits and the fire time.
type firedID struct {
	digits uint64
	at     int64 // Unix seconds
}

// newFire reports whether the fire at at of the periodic instance id of flowID, a flow of
// cycle, makes an instance (see the rule above), and, under a bound, remembers the id when it
// does.
func (st *state) newFire(flowID int64, id, cycle string, at time.Time) bool {
	if st.instances[id] != nil {
		return false
	}
	if st.maxInstances <= 0 {
		return true // nothing is forgotten: an id fired before has its instance
	}
	digits := id[strings.IndexByte(id, '-')+1:] // flow ids hold no '-'
	value, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return true // not an id of a periodic layout: only its instance can refuse it
	}
	recent := st.recentIDs(flowID, len(digits))
	recent.forget(at.Add(-idFormOf(cycle).period - st.fallBack()).Unix())
	if _, fired := recent.set[value]; fired {
		return false
	}
	recent.queue = append(recent.queue, firedID{value, at.Unix()})
	recent.set[value] = struct{}{}
	return true
}

// recentIDs returns the ids of form (a length of digits) flowID fired lately, creating them.
func (st *state) recentIDs(flowID int64, form int) *recentIDs {
	fired := st.fired[flowID]
	if fired == nil {
		fired = make(firedIDs)
		st.fired[flowID] = fired
	}
	recent := fired[form]
	if recent == nil {
		recent = &recentIDs{set: make(map[uint64]struct{})}
		fired[form] = recent
	}
	return recent
}

// forget forgets the ids fired before cutoff (Unix seconds), and the oldest beyond
// maxRememberedIDs.
func (r *recentIDs) forget(cutoff int64) {
	for r.head < len(r.queue) && (r.queue[r.head].at < cutoff || len(r.queue)-r.head >= maxRememberedIDs) {
		delete(r.set, r.queue[r.head].digits)
		r.queue[r.head] = firedID{}
		r.head++
	}
	if r.head > len(r.queue)/2 {
		r.queue = append(r.queue[:0], r.queue[r.head:]...)
		r.head = 0
	}
}
