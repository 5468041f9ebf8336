package refserver

import (
	"iter"
	"slices"
)

// This file keeps the store's history of instances: the indexes searches and lookups use,
// and the bound on how many instances the store keeps (WithMaxInstances).
//
// The search indexes (st.order) are instanceIndexes, one per orderKey: for each organization,
// its instances of every flow type, and those of each flow type; and the same two for each
// owner, the instances of the flow versions that user owns (up to maxIndexedOwners owners a
// flow version; the instances of one with more are in the wide indexes instead). An index
// keeps its instances sorted by trigger time then id (an instanceOrder), all of them and,
// next to them, those of each status: an instance of a flow of one owner is in eight orders.
// index adds it, unindex removes it (pruning, Delete Flow), and setStatus, the one way its
// status changes, moves it from the orders of its old status to those of its new one.

// orderKey names one instanceIndex of the store: the instances of an organization, of every
// flow type (all) or of the flows of scheduling type typ, and when owner is set, only those
// of the flow versions whose owners include that user (wideOwners: that have more than
// maxIndexedOwners owners).
type orderKey struct {
	org   string
	typ   int
	all   bool
	owner string
}

// instanceIndex is the instances of one orderKey in trigger-time order: all of them, and
// those of each status.
type instanceIndex struct {
	every instanceOrder
	// byStatus holds the instances of each status that has had some. An order that empties
	// stays: statuses come and go (a flow's RUNNING instance at each start and end), and its
	// blocks are kept for the next.
	byStatus map[int]*instanceOrder
}

// ofStatus returns the order of the instances of status s, creating it.
func (idx *instanceIndex) ofStatus(s int) *instanceOrder {
	o := idx.byStatus[s]
	if o == nil {
		o = &instanceOrder{}
		idx.byStatus[s] = o
	}
	return o
}

// index adds a new instance to the search indexes, those of orderKeys.
func (st *state) index(in *instance) {
	for key := range orderKeys(in) {
		idx := st.order[key]
		if idx == nil {
			idx = &instanceIndex{byStatus: make(map[int]*instanceOrder)}
			st.order[key] = idx
		}
		idx.every.insert(in)
		idx.ofStatus(in.Status).insert(in)
	}
}

// unindex removes in from the search indexes, and an index once empty.
func (st *state) unindex(in *instance) {
	for key := range orderKeys(in) {
		idx := st.order[key]
		if idx == nil || !idx.every.remove(in) {
			continue
		}
		idx.byStatus[in.Status].remove(in)
		if idx.every.size() == 0 {
			delete(st.order, key)
		}
	}
}

// maxIndexedOwners is the most owners of a flow version whose instances have an index per
// owner. The instances of a flow version of more owners (the service sets no limit) are in
// their organization's wide indexes instead, and a search by owner in an organization that
// has some visits its range: a status change costs at most 2+2*maxIndexedOwners index moves,
// whatever a flow's owner list.
const maxIndexedOwners = 16

// wideOwners is the owner of the wide indexes: no owner name holds a ';'.
const wideOwners = ";"

// wideOwnerKeys is the owners of the indexes of an instance of a wide flow version.
var wideOwnerKeys = []string{wideOwners}

// indexedOwners returns the distinct names of the ';'-separated owners list, as inList reads
// them, or wide when they are more than maxIndexedOwners.
func indexedOwners(list string) (owners []string, wide bool) {
	for name := range names(list) {
		if slices.Contains(owners, name) {
			continue
		}
		if len(owners) == maxIndexedOwners {
			return nil, true
		}
		owners = append(owners, name)
	}
	return owners, false
}

// orderKeys yields the keys of the indexes that hold in: its organization's, of every type
// and of its flow's, and the same for each owner of the flow version it runs (its plan,
// which never changes; the owners are worked out once, with its run plan), or for
// wideOwners.
func orderKeys(in *instance) iter.Seq[orderKey] {
	return func(yield func(orderKey) bool) {
		org, typ := in.orgOf(), in.plan.Type
		if !yield(orderKey{org: org, all: true}) || !yield(orderKey{org: org, typ: typ}) {
			return
		}
		owners := in.run.owners
		if in.run.wideOwners {
			owners = wideOwnerKeys
		}
		for _, name := range owners {
			if !yield(orderKey{org: org, all: true, owner: name}) || !yield(orderKey{org: org, typ: typ, owner: name}) {
				return
			}
		}
	}
}

// setStatus gives in the status s. Every change of a stored instance's status goes through
// it but the first, StatusWait, which addRun gives: in the indexes that hold in, it moves the
// instance from the order of its old status to that of s, so that they stay exact. Its
// place in an order (its trigger time, then its id) does not change. A forgotten instance,
// in no index, only takes the status.
func (st *state) setStatus(in *instance, s int) {
	if in.Status != s && !in.forgotten {
		for key := range orderKeys(in) {
			idx := st.order[key]
			idx.byStatus[in.Status].remove(in)
			idx.ofStatus(s).insert(in)
		}
	}
	in.Status = s
}

// noteTasks records that instances of flowID run the tasks of plan, for Get Task Instance
// to find an instance from a task instance id without a scan (findTaskInstance).
func (st *state) noteTasks(flowID int64, plan *Flow) {
	for _, t := range plan.Tasks {
		flows := st.taskFlows[t.ID]
		if i, found := slices.BinarySearch(flows, flowID); !found {
			st.taskFlows[t.ID] = slices.Insert(flows, i, flowID)
		}
	}
}

// prune forgets the instances that ended first while the store holds more than its bound;
// waiting and running instances are kept.
func (st *state) prune() {
	if st.maxInstances <= 0 {
		return
	}
	for len(st.instances) > st.maxInstances && st.endedHead < len(st.ended) {
		in := st.ended[st.endedHead]
		st.ended[st.endedHead] = nil
		st.endedHead++
		if in.forgotten {
			st.endedDead--
		} else {
			st.forget(in)
		}
	}
	switch {
	case st.endedDead*2 > len(st.ended)-st.endedHead: // mostly instances Delete Flow removed
		st.ended = slices.DeleteFunc(st.ended[st.endedHead:], func(in *instance) bool { return in.forgotten })
		st.endedHead, st.endedDead = 0, 0
	case st.endedHead > len(st.ended)/2:
		st.ended = slices.Delete(st.ended, 0, st.endedHead)
		st.endedHead = 0
	}
}

// forget removes the ended instance in from the store and its indexes. Its flow's index of
// instances stays, though it may hold none now: it knows when the flow's last run ended
// (flowRuns.freeAt), which a clock set back before that instant makes the next instance
// wait for, remembered or not.
func (st *state) forget(in *instance) {
	in.forgotten = true
	delete(st.instances, in.ID)
	st.unindex(in)
	if fr := st.runs[in.FlowID]; fr != nil {
		fr.drop()
	}
}

// deleteInstances removes every instance of flowID, running or not.
func (st *state) deleteInstances(flowID int64) {
	fr := st.runs[flowID]
	if fr == nil {
		return
	}
	if fr.slot >= 0 {
		st.schedule.remove(fr.slot)
	}
	for _, in := range fr.instances() {
		if st.maxInstances > 0 && in.ended() {
			st.endedDead++ // it stays in ended until prune passes or drops it
		}
		in.forgotten = true
		delete(st.instances, in.ID)
		st.unindex(in)
	}
	delete(st.runs, flowID)
}
