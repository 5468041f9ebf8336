package refserver

import (
	"slices"
	"time"
)

// flowRuns indexes the instances of one flow: all of them in creation order, the running one,
// and the waiting ones in two queues, so that finding what starts next costs a heap operation
// instead of a scan of the flow's history.
//
// The rule it serves (see lifecycle.go): a waiting instance starts at max(trigger time,
// creation time, end of the flow's last run), the earliest first, ties going to the earliest
// trigger time, then the smallest id. Instances whose ready time (trigger or creation, the
// later) has passed by the end of the last run all start at that end, so among them the
// trigger time decides (ready); the others start at their ready time (pending).
type flowRuns struct {
	all     []*instance // in creation order; forgotten ones are dropped lazily (dead counts them)
	dead    int
	running *instance
	pending heapOf[*instance] // waiting, ready after freeAt: by ready time, trigger time, id
	ready   heapOf[*instance] // waiting, ready by freeAt: by trigger time, id
	freeAt  time.Time         // end of the flow's last run; zero before the first

	// nextAt is when the flow next has something to do (a task event of the running
	// instance, or the start of a waiting one), while slot >= 0: its place in the store's
	// schedule.
	nextAt time.Time
	slot   int

	// plans caches the run plans of planned, the flow version last triggered, by start task.
	planned *Flow
	plans   map[int64]*runPlan
}

// maxCachedPlans bounds the run plans a flow keeps, one per start task.
const maxCachedPlans = 16

func newFlowRuns() *flowRuns {
	fr := &flowRuns{slot: -1}
	fr.pending = newHeap(func(a, b *instance) bool {
		if c := a.readyAt().Compare(b.readyAt()); c != 0 {
			return c < 0
		}
		return compareInstances(a, b) < 0
	}, setQueueSlot)
	fr.ready = newHeap(func(a, b *instance) bool { return compareInstances(a, b) < 0 }, setQueueSlot)
	return fr
}

func setQueueSlot(in *instance, slot int) { in.slot = int32(slot) }

// planFor returns the run plan of plan (a version of the flow) from the task fromTask.
func (fr *flowRuns) planFor(plan *Flow, fromTask int64) *runPlan {
	if fr.planned != plan || len(fr.plans) >= maxCachedPlans {
		fr.planned, fr.plans = plan, make(map[int64]*runPlan)
	}
	p := fr.plans[fromTask]
	if p == nil {
		p = newRunPlan(plan, fromTask)
		p.owners, p.wideOwners = indexedOwners(plan.Owner)
		fr.plans[fromTask] = p
	}
	return p
}

// add records a new instance, waiting.
func (fr *flowRuns) add(in *instance) {
	fr.all = append(fr.all, in)
	in.queue = queuedPending
	fr.pending.push(in)
}

// next returns the waiting instance that starts first and when it can, or nil.
func (fr *flowRuns) next() (*instance, time.Time) {
	for fr.pending.Len() > 0 && !fr.pending.top().readyAt().After(fr.freeAt) {
		in := fr.pending.pop()
		in.queue = queuedReady
		fr.ready.push(in)
	}
	if fr.ready.Len() > 0 {
		return fr.ready.top(), fr.freeAt
	}
	if fr.pending.Len() > 0 {
		in := fr.pending.top()
		return in, in.readyAt()
	}
	return nil, time.Time{}
}

// unqueue takes a waiting instance out of its queue.
func (fr *flowRuns) unqueue(in *instance) {
	switch in.queue {
	case queuedPending:
		fr.pending.remove(int(in.slot))
	case queuedReady:
		fr.ready.remove(int(in.slot))
	}
	in.queue = notQueued
}

// nextEvent returns when the flow next has something to do; ok is false when nothing will
// happen without a request (nothing waits, or the running instance has nothing to run).
func (fr *flowRuns) nextEvent() (at time.Time, ok bool) {
	if fr.running != nil {
		return fr.running.nextChange()
	}
	next, at := fr.next()
	return at, next != nil
}

// drop removes a forgotten instance from all, lazily: the list is compacted once half of it
// is forgotten. When the flow has no instance left (none runs or waits: those are never
// forgotten), it lets go of the list and of its cached run plans, keeping what the next
// instance needs to know (freeAt): a flow the history no longer holds costs no more than
// one that never ran.
func (fr *flowRuns) drop() {
	fr.dead++
	switch {
	case fr.dead == len(fr.all):
		fr.all, fr.dead = nil, 0
		fr.planned, fr.plans = nil, nil
	case fr.dead*2 > len(fr.all):
		fr.all = slices.DeleteFunc(fr.all, func(in *instance) bool { return in.forgotten })
		fr.dead = 0
	}
}

// instances returns the instances of the flow that the store still has, in creation order.
func (fr *flowRuns) instances() []*instance {
	out := make([]*instance, 0, len(fr.all)-fr.dead)
	for _, in := range fr.all {
		if !in.forgotten {
			out = append(out, in)
		}
	}
	return out
}
