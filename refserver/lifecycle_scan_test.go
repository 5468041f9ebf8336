package refserver

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// TestLifecycleMatchesAScan drives three flows with random triggers (past and future
// minutes, some from a task), cancels and clock moves (some backwards), and after each step
// compares every instance's status, start and end with a plain scan of its flow's history
// that applies the rules of lifecycle.go from scratch, as the store did before it kept
// queues and a schedule, and the tasks of the running instances with their plan at the
// clock.
func TestLifecycleMatchesAScan(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(3, 5))
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := testState(&now, time.UTC, 0)
	flows := []*Flow{
		{ID: 1, Tasks: []Task{{ID: 11, Duration: 40 * time.Second}, {ID: 12, Duration: 50 * time.Second, DependsOn: []int64{11}}}},
		{ID: 2, Tasks: []Task{{ID: 21, Duration: time.Minute}, {ID: 22, Duration: 30 * time.Second, Fail: true, RetryLimit: 1, RetryInterval: 10 * time.Second},
			{ID: 23, Duration: time.Minute, DependsOn: []int64{21, 22}}}},
		{ID: 3, Tasks: []Task{{ID: 31, Duration: 20 * time.Second, Suspend: 5 * time.Second}, {ID: 32, Duration: 90 * time.Second, DependsOn: []int64{31}, Failures: 1, RetryLimit: 2},
			{ID: 33, Duration: 10 * time.Second, DependsOn: []int64{31}, ResourceWait: 15 * time.Second}, {ID: 34, Duration: 5 * time.Second, DependsOn: []int64{32, 33}}}},
		{ID: 4, Tasks: []Task{{ID: 41, Duration: time.Minute, Timeout: 30 * time.Second}, {ID: 42, Duration: 45 * time.Second, InternalError: true},
			{ID: 43, Duration: time.Second, DependsOn: []int64{41}}}},
	}
	scan := map[int64]*scannedFlow{}
	for _, f := range flows {
		st.storeFlow(f)
		scan[f.ID] = &scannedFlow{}
	}
	for step := 0; step < 3000; step++ {
		st.settle(now)
		switch op := rnd.IntN(10); {
		case op < 4:
			f := flows[rnd.IntN(len(flows))]
			trigger := now.Truncate(time.Minute).Add(time.Duration(rnd.IntN(21)-10) * time.Minute)
			if st.instances[instanceID(f.ID, trigger, st.loc)] != nil {
				continue
			}
			var from int64
			if rnd.IntN(4) == 0 {
				from = f.Tasks[rnd.IntN(len(f.Tasks))].ID
			}
			in := st.createRun(f.ID, trigger, now, from, nil)
			scan[f.ID].runs = append(scan[f.ID].runs, &scannedRun{id: in.ID, trigger: in.TriggerTime,
				created: now, status: StatusWait, plan: newRunPlan(f, from)})
		case op < 5:
			f := flows[rnd.IntN(len(flows))]
			if r := scan[f.ID].pickLive(rnd); r != nil {
				st.stop(st.instances[r.id], StatusCancel, now)
				scan[f.ID].cancel(r, now)
			}
		default:
			now = now.Add(time.Duration(rnd.IntN(200)-20) * time.Second)
		}
		st.settle(now)
		for _, f := range flows {
			scan[f.ID].settle(now)
			if err := scan[f.ID].compare(st, f, now); err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
		}
	}
}

// compare returns an error when an instance of the store differs from the scan's, in
// status, start or end, or, while it runs, in a task's status.
func (f *scannedFlow) compare(st *state, flow *Flow, now time.Time) error {
	for _, r := range f.runs {
		in := st.instances[r.id]
		if want := r.visibleStatus(now); in.Status != want || !in.StartTime.Equal(r.start) || !in.EndTime.Equal(r.end) {
			return fmt.Errorf("%s: %d [%v, %v], the scan says %d [%v, %v]", r.id,
				in.Status, in.StartTime, in.EndTime, want, r.start, r.end)
		}
		if r.status != StatusRunning {
			continue
		}
		for i, ti := range in.Tasks {
			if want := r.taskStatus(flow, i, now); ti.Status != want {
				return fmt.Errorf("%s: task %d status %d, want %d", r.id, ti.TaskID, ti.Status, want)
			}
		}
	}
	return nil
}

// scannedFlow is one flow's history as the scan keeps it.
type scannedFlow struct{ runs []*scannedRun }

type scannedRun struct {
	id               string
	trigger, created time.Time
	status           int
	start, end       time.Time
	plan             *runPlan
}

// settle applies the rules by scanning: the running instance ends when its plan's end has
// come, then the waiting one with the earliest max(trigger, creation, last end), ties to the
// earliest trigger time then id, starts, and so on.
func (f *scannedFlow) settle(now time.Time) {
	for f.endRunning(now) {
		next, at := f.next()
		if next == nil || at.After(now) {
			return
		}
		next.status, next.start = StatusRunning, at
	}
}

// endRunning ends the running instance if its end has come, and reports whether none runs.
func (f *scannedFlow) endRunning(now time.Time) bool {
	for _, r := range f.runs {
		if r.status != StatusRunning {
			continue
		}
		end := r.start.Add(r.plan.end)
		if r.plan.open || end.After(now) {
			return false
		}
		r.status, r.end = r.plan.status, end
	}
	return true
}

// next returns the waiting instance that starts first and when, by a scan of all.
func (f *scannedFlow) next() (next *scannedRun, at time.Time) {
	var lastEnd time.Time
	for _, r := range f.runs {
		if !r.start.IsZero() && r.end.After(lastEnd) {
			lastEnd = r.end
		}
	}
	for _, r := range f.runs {
		if r.status != StatusWait {
			continue
		}
		e := latest(r.trigger, r.created, lastEnd)
		if next == nil || e.Before(at) || (e.Equal(at) && (r.trigger.Before(next.trigger) ||
			(r.trigger.Equal(next.trigger) && r.id < next.id))) {
			next, at = r, e
		}
	}
	return next, at
}

// taskStatus returns the status of the task i of the running instance r at now, from its
// plan.
func (r *scannedRun) taskStatus(f *Flow, i int, now time.Time) int {
	if !r.plan.inRun[i] {
		return StatusSkip
	}
	status := StatusInit
	for _, e := range r.plan.events {
		if e.task == i && !r.start.Add(e.at).After(now) {
			status = e.status
		}
	}
	return status
}

// visibleStatus returns the status r shows at now: while it runs, the instance status of
// the last event of its plan that has come (RUNNING before the first).
func (r *scannedRun) visibleStatus(now time.Time) int {
	if r.status != StatusRunning {
		return r.status
	}
	status := StatusRunning
	for _, e := range r.plan.events {
		if !r.start.Add(e.at).After(now) {
			status = e.instance
		}
	}
	return status
}

// pickLive returns a waiting or running instance at random, or nil.
func (f *scannedFlow) pickLive(rnd *rand.Rand) *scannedRun {
	var live []*scannedRun
	for _, r := range f.runs {
		if !isTerminal(r.status) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return nil
	}
	return live[rnd.IntN(len(live))]
}

// cancel ends r at now.
func (f *scannedFlow) cancel(r *scannedRun, now time.Time) {
	r.status, r.end = StatusCancel, now
	f.settle(now)
}
