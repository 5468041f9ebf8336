package refserver

import (
	"cmp"
	"slices"
	"time"
)

// instance is a flow instance as the store keeps it: the public fields, the flow it runs and
// its place in the indexes.
//
// Its cost in memory, with its share of the indexes, is about 0.4 KB plus 0.13 KB a task
// (its flow having one owner; some 40 B more for each further owner): 0.66 KB for the demo
// flow's two tasks. The flow version it runs is shared with the other instances triggered
// while the flow was unchanged. Once read, it also holds its graph, about 0.15 KB plus
// 0.2 KB a task. BenchmarkInstanceMemory measures both, and scripts/bench.sh prints the
// figures in the README.
type instance struct {
	FlowInstance

	// plan is the flow as it was when the instance was created: the instance runs it even if
	// the flow changes or is replaced afterwards. It is shared and never changed.
	plan *Flow
	// run is the schedule of its tasks, shared with the instances of the same flow version
	// and start task.
	run *runPlan
	// applied is how many of run's events the task instances show.
	applied int32
	// slot is the instance's position in its flow's queue (queue says which); -1 outside.
	slot  int32
	queue queueKind
	// forgotten is set when the store drops the instance (Delete Flow, the history bound).
	forgotten bool
	// changes counts the changes of Status and Tasks, so that a graph written at one count
	// is known to be current.
	changes uint32

	// graph is the instance's InstanceGraph as written last, at graphChanges changes and, when
	// the flow has upstream flows (whose names it shows), at the store's flow epoch graphEpoch.
	graph        string
	graphChanges uint32
	graphEpoch   uint64
}

// queueKind says which of its flow's queues holds a waiting instance.
type queueKind uint8

const (
	notQueued queueKind = iota
	queuedPending
	queuedReady
)

// public returns a copy of in that shares nothing with the store.
func (in *instance) public() FlowInstance {
	c := in.FlowInstance
	c.Parameters = slices.Clone(in.Parameters)
	c.Tasks = slices.Clone(in.Tasks)
	return c
}

// orgOf returns the org of the flow an instance runs (as it was when triggered).
func (in *instance) orgOf() string {
	return in.plan.OrgID
}

// readyAt is the earliest an instance may start: its trigger time, and not before it was
// created.
func (in *instance) readyAt() time.Time {
	return latest(in.TriggerTime, in.CreatedAt)
}

// ended reports whether the instance has ended (its EndTime is set). An instance may show
// StatusFail, StatusTimeout or StatusInternalError before it ends, while its other tasks
// finish.
func (in *instance) ended() bool {
	return !in.EndTime.IsZero()
}

// advance brings the running instance up to now: forward, the task status changes that have
// come, or backward, if the clock went back, those that have not come yet; then the instance
// ends if its end has come. It returns the status the instance shows now, which the caller
// gives it (state.setStatus keeps the per-status indexes), and whether it has ended. Only
// the events between the last call and now are touched.
func (in *instance) advance(now time.Time) (status int, ended bool) {
	r := in.run
	if r.open {
		return in.Status, false // nothing to run: it runs until FinishFlowInstance ends it
	}
	applied := in.applied
	for int(in.applied) < len(r.events) {
		e := r.events[in.applied]
		at := in.StartTime.Add(e.at)
		if at.After(now) {
			break
		}
		in.apply(e, at)
		in.applied++
	}
	back := in.applied
	for back > 0 && in.StartTime.Add(r.events[back-1].at).After(now) {
		back--
	}
	if back < in.applied {
		in.replay(back)
	}
	status = in.Status
	if in.applied != applied {
		status = StatusRunning
		if in.applied > 0 {
			status = r.events[in.applied-1].instance
		}
		in.changes++
	}
	if end := in.StartTime.Add(r.end); !end.After(now) {
		in.EndTime = end
		in.changes++
		return r.status, true
	}
	return status, false
}

// apply shows the event e, which happened at at, in the task instances.
func (in *instance) apply(e runEvent, at time.Time) {
	ti := &in.Tasks[e.task]
	ti.Status, ti.RunNum = e.status, e.runNum
	if e.status == StatusRunning && ti.StartTime.IsZero() {
		ti.StartTime = at
	}
	if isTaskEnd(e.status) {
		ti.EndTime = at
	}
}

// replay shows the first n events of the run alone, when the clock went back: the tasks of
// the run start over from StatusInit, and the n events are applied again. It is rare, and
// costs the events replayed.
func (in *instance) replay(n int32) {
	r := in.run
	for i := range in.Tasks {
		if r.inRun[i] {
			in.Tasks[i] = TaskInstance{ID: in.Tasks[i].ID, TaskID: in.Tasks[i].TaskID, Name: in.Tasks[i].Name}
		}
	}
	for _, e := range r.events[:n] {
		in.apply(e, in.StartTime.Add(e.at))
	}
	in.applied = n
}

// nextChange returns when the running instance next changes: its next task event, or its
// end. ok is false for an instance that has nothing to run.
func (in *instance) nextChange() (at time.Time, ok bool) {
	r := in.run
	switch {
	case r.open:
		return time.Time{}, false
	case int(in.applied) < len(r.events):
		return in.StartTime.Add(r.events[in.applied].at), true
	}
	return in.StartTime.Add(r.end), true
}

// updatedAt is the last time anything about in changed, up to now.
func (in *instance) updatedAt() time.Time {
	t := latest(in.CreatedAt, in.StartTime, in.EndTime)
	for _, ti := range in.Tasks {
		t = latest(t, ti.StartTime, ti.EndTime)
	}
	return t
}

// compareInstances orders instances by trigger time, then id.
func compareInstances(a, b *instance) int {
	if c := a.TriggerTime.Compare(b.TriggerTime); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// FlowInstanceIDFor returns the id the server gives the instance of a manual trigger of
// flowID at triggerTime: the flow id and the trigger minute in loc, the server's time zone
// (UTC when nil), as "3377-20261130080000". A test can name the instance it expects
// without asking the server.
func FlowInstanceIDFor(flowID int64, triggerTime time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	return instanceID(flowID, triggerTime, loc)
}
