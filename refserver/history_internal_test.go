package refserver

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPruneDropsDeletedInstances deletes flows whose instances have ended, under a history
// bound they never reach: the list of ended instances the bound keeps does not grow with
// the deleted ones.
func TestPruneDropsDeletedInstances(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := testState(&now, time.UTC, 1000)
	for round := int64(1); round <= 200; round++ {
		st.storeFlow(&Flow{ID: round, Tasks: []Task{{ID: 1000 + round, Duration: time.Second}}})
		for k := 0; k < 10; k++ {
			st.createInstance(round, now.Add(-time.Duration(k)*time.Minute), now)
			now = now.Add(2 * time.Second)
			st.settle(now)
		}
		st.deleteInstances(round)
		st.settle(now)
	}
	if len(st.instances) != 0 {
		t.Errorf("%d instances left", len(st.instances))
	}
	if held := len(st.ended) - st.endedHead; held > 40 {
		t.Errorf("the history bound holds %d ended instances of deleted flows", held)
	}
}

// checkStatusOrders fails t, naming step, unless the store's search indexes are exact: each
// index holds the store's instances of its organization (of its flow type, of its owner:
// indexesOf), sorted, in its order of every status, and the filter of that order by each
// status in the order of the status; the store has no other index, and no empty one.
func checkStatusOrders(t *testing.T, st *state, step string) {
	t.Helper()
	want := make(map[orderKey][]*instance)
	for _, in := range st.instances {
		for key := range indexesOf(in) {
			want[key] = append(want[key], in)
		}
	}
	if len(st.order) != len(want) {
		t.Fatalf("%s: the store has %d indexes, its instances belong to %d", step, len(st.order), len(want))
	}
	for key, instances := range want {
		slices.SortFunc(instances, compareInstances)
		idx := st.order[key]
		if idx == nil {
			t.Fatalf("%s: no index %+v", step, key)
		}
		every := orderContents(&idx.every)
		if !slices.Equal(every, instances) {
			t.Fatalf("%s: index %+v holds %v; the store's instances are %v", step, key, instanceIDs(every), instanceIDs(instances))
		}
		filtered := filterByStatus(every)
		for s := range idx.byStatus {
			if held := orderContents(idx.byStatus[s]); !slices.Equal(held, filtered[s]) {
				t.Fatalf("%s: index %+v holds %v as %s; its order of every status filtered by status is %v",
					step, key, instanceIDs(held), statusName(s), instanceIDs(filtered[s]))
			}
			delete(filtered, s)
		}
		for s, instances := range filtered {
			t.Fatalf("%s: index %+v has no order of %s; its order of every status has %v", step, key, statusName(s), instanceIDs(instances))
		}
	}
}

// indexesOf returns the keys of the indexes that must hold in, worked out apart from
// orderKeys: its organization's, of every type and of its flow's, and the same for each
// distinct owner of its flow version, or for wideOwners when they are more than
// maxIndexedOwners.
func indexesOf(in *instance) map[orderKey]bool {
	org, typ := in.orgOf(), in.plan.Type
	owners := map[string]bool{}
	for _, name := range strings.Split(in.plan.Owner, ";") {
		if name = strings.TrimSpace(name); name != "" {
			owners[name] = true
		}
	}
	if len(owners) > maxIndexedOwners {
		owners = map[string]bool{wideOwners: true}
	}
	keys := map[orderKey]bool{{org: org, all: true}: true, {org: org, typ: typ}: true}
	for name := range owners {
		keys[orderKey{org: org, all: true, owner: name}] = true
		keys[orderKey{org: org, typ: typ, owner: name}] = true
	}
	return keys
}

// TestOwnerIndexesAreBounded checks that an instance of a flow of 16,000 owners is in a
// bounded number of indexes (its organization's and the wide ones), so that its status
// changes cost the same as any other's, and that one of exactly maxIndexedOwners owners
// is in each owner's.
func TestOwnerIndexesAreBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := testState(&now, time.UTC, 0)
	ownerList := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, " u%d ;u%d;", i, i) // each twice
		}
		return b.String()
	}
	for _, tt := range []struct {
		owners, keys int
	}{{16_000, 4}, {maxIndexedOwners + 1, 4}, {maxIndexedOwners, 2 + 2*maxIndexedOwners}, {1, 4}, {0, 2}} {
		id := int64(100 + tt.owners)
		st.storeFlow(&Flow{ID: id, OrgID: "o1", Owner: ownerList(tt.owners), Tasks: []Task{{ID: 10 * id, Duration: time.Second}}})
		in := st.createInstance(id, now, now)
		keys := 0
		for range orderKeys(in) {
			keys++
		}
		if keys != tt.keys {
			t.Errorf("a flow of %d owners: its instances are in %d indexes, want %d", tt.owners, keys, tt.keys)
		}
	}
	checkStatusOrders(t, st, "bounded owners")
}

// orderContents returns the instances of o in its order (none for nil).
func orderContents(o *instanceOrder) []*instance {
	if o == nil {
		return nil
	}
	var out []*instance
	o.descend(0, o.size(), func(in *instance) bool { out = append(out, in); return true })
	slices.Reverse(out)
	return out
}

// filterByStatus splits instances by status, keeping their order.
func filterByStatus(instances []*instance) map[int][]*instance {
	out := make(map[int][]*instance)
	for _, in := range instances {
		out[in.Status] = append(out[in.Status], in)
	}
	return out
}

// instanceIDs returns the ids and statuses of instances, for messages.
func instanceIDs(instances []*instance) []string {
	out := make([]string, len(instances))
	for i, in := range instances {
		out[i] = in.ID + ":" + statusName(in.Status)
	}
	return out
}

// statusFixture is a store on a manual clock, with flows whose instances go through every
// status, that checks its indexes (checkStatusOrders) after each change.
type statusFixture struct {
	t    *testing.T
	st   *state
	now  time.Time
	seen map[int]bool // the statuses instances have shown at a check
}

// statusFixtureMaxInstances is the history bound of a statusFixture's store.
const statusFixtureMaxInstances = 40

// newStatusFixture returns a store with these flows, each task running a minute unless said:
//   - 1 (o1, manual): two tasks in a row; it ends SUCCESS.
//   - 2 (o1, periodic, every minute, not active until a step enables it): its task fails
//     once, RERUN for a minute, then succeeds.
//   - 3 (o1, temporary): its task is SUSPEND a minute, READY a minute, then runs.
//   - 4 (o2, manual): its task times out after 30 s: TIMEOUT.
//   - 5 (o2, manual): two tasks side by side, one ending INTERNAL_ERROR after 30 s.
//   - 6 (o2, temporary): two tasks side by side, one failing after 30 s: FAIL while the
//     other runs.
func newStatusFixture(t *testing.T) *statusFixture {
	f := &statusFixture{t: t, now: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), seen: make(map[int]bool)}
	f.st = testState(&f.now, time.UTC, statusFixtureMaxInstances)
	half, task := 30*time.Second, func(id int64) Task { return Task{ID: id, Duration: time.Minute} }
	flows := []*Flow{
		{ID: 1, OrgID: "o1", Type: FlowTypeManual, Tasks: []Task{task(11), {ID: 12, Duration: time.Minute, DependsOn: []int64{11}}}},
		{ID: 2, OrgID: "o1", Type: FlowTypePeriodic, Freq: "0 * * * * ? *", Cycle: "mi",
			Tasks: []Task{{ID: 21, Duration: half, Failures: 1, RetryLimit: 1, RetryInterval: time.Minute}}},
		{ID: 3, OrgID: "o1", Type: FlowTypeTemporary, Tasks: []Task{{ID: 31, Duration: time.Minute, Suspend: time.Minute, ResourceWait: time.Minute}}},
		{ID: 4, OrgID: "o2", Type: FlowTypeManual, Tasks: []Task{{ID: 41, Duration: 2 * time.Minute, Timeout: half}}},
		{ID: 5, OrgID: "o2", Type: FlowTypeManual, Tasks: []Task{task(51), {ID: 52, Duration: half, InternalError: true}}},
		{ID: 6, OrgID: "o2", Type: FlowTypeTemporary, Tasks: []Task{task(61), {ID: 62, Duration: half, Fail: true}}},
	}
	for _, fl := range flows {
		f.st.storeFlow(fl)
	}
	return f
}

// check settles the store and checks its indexes.
func (f *statusFixture) check(step string) {
	f.t.Helper()
	f.st.settle(f.now)
	checkStatusOrders(f.t, f.st, step)
	for _, in := range f.st.instances {
		f.seen[in.Status] = true
	}
}

// run moves the clock by d (backward if negative), tick (of d's sign) at a time, checking the
// store at each tick.
func (f *statusFixture) run(step string, d, tick time.Duration) {
	f.t.Helper()
	for n := d / tick; n > 0; n-- {
		f.now = f.now.Add(tick)
		f.check(fmt.Sprintf("%s, at %v", step, f.now.Format(time.TimeOnly)))
	}
}

// trigger creates an instance of flowID triggered at the clock plus offset, if its id is free;
// else it returns nil.
func (f *statusFixture) trigger(flowID int64, offset time.Duration) *instance {
	return f.triggerFrom(flowID, offset, 0)
}

// triggerFrom is trigger for a run from the task fromTask (0: all tasks).
func (f *statusFixture) triggerFrom(flowID int64, offset time.Duration, fromTask int64) *instance {
	f.st.settle(f.now)
	if f.st.instances[instanceID(flowID, f.now.Add(offset), f.st.loc)] != nil {
		return nil
	}
	return f.st.createRun(flowID, f.now.Add(offset), f.now, fromTask, nil)
}

// cancel checks that instances have the statuses of the same places, then cancels them in
// order (Cancel Flow Instance).
func (f *statusFixture) cancel(instances []*instance, statuses []int) {
	f.t.Helper()
	for i, in := range instances {
		if in.Status != statuses[i] {
			f.t.Fatalf("%s is %s, want %s", in.ID, statusName(in.Status), statusName(statuses[i]))
		}
	}
	for _, in := range instances {
		f.st.stop(in, StatusCancel, f.now)
	}
}

// finishRunning ends the running instance of flowID with status (FinishFlowInstance).
func (f *statusFixture) finishRunning(flowID int64, status int) {
	f.t.Helper()
	run := f.st.runs[flowID].running
	if run == nil {
		f.t.Fatalf("flow %d runs no instance", flowID)
	}
	if err := f.st.finish(run.ID, status, f.now); err != nil {
		f.t.Fatal(err)
	}
}

// TestStatusOrdersFollowEveryChange takes instances through every kind of status change
// (creation, start, task events, the end, a clock going back, cancel, FinishFlowInstance,
// Trigger Flow From Task, periodic fires, the history bound, Delete Flow, Reset) and checks
// after each that the per-status orders are the filters of the orders of every status.
func TestStatusOrdersFollowEveryChange(t *testing.T) {
	t.Parallel()
	f := newStatusFixture(t)
	var first, queued, future *instance
	steps := []struct {
		name string
		do   func()
	}{
		{"trigger", func() {
			for id := int64(1); id <= 6; id++ {
				f.trigger(id, 0)
			}
			first = f.trigger(1, -3*time.Minute) // waits for the one triggered now, then runs
			queued = f.trigger(1, -time.Minute)  // waits for first
			future = f.trigger(3, time.Hour)     // waits for its trigger time
		}},
		{"run through the task statuses", func() { f.run("run", 150*time.Second, 15*time.Second) }},
		{"clock back", func() { f.run("back", -75*time.Second, -15*time.Second) }},
		{"run on", func() { f.run("run on", 2*time.Minute, 20*time.Second) }},
		{"cancel a running and two waiting instances", func() {
			f.cancel([]*instance{queued, future, first}, []int{StatusWait, StatusWait, StatusRunning})
		}},
		{"finish running instances", func() {
			f.trigger(1, 0)
			f.trigger(6, 0)
			f.run("start", 40*time.Second, 40*time.Second) // flow 6's shows FAIL, flow 1's runs
			f.finishRunning(1, StatusSkip)
			f.finishRunning(6, StatusTimeout)
		}},
		{"trigger from a task", func() {
			if f.triggerFrom(1, -2*time.Minute, 12) == nil {
				t.Fatal("the instance's id is taken")
			}
		}},
		{"periodic fires", func() {
			f.st.storeFlow(withActive(f.st.flows[2], true))
			f.run("fire", 5*time.Minute, 30*time.Second)
			f.st.storeFlow(withActive(f.st.flows[2], false))
		}},
		{"history bound", func() {
			for k := 1; k <= statusFixtureMaxInstances; k++ {
				f.trigger(1+int64(k%6), -time.Duration(k)*time.Hour)
			}
			f.run("drain", 3*time.Hour, 10*time.Minute)
			if !first.forgotten || len(f.st.instances) > statusFixtureMaxInstances {
				t.Errorf("after the drain: %d instances, the first forgotten: %v", len(f.st.instances), first.forgotten)
			}
		}},
		{"delete flows with waiting, running and ended instances", func() {
			f.trigger(1, 0)
			f.trigger(1, time.Minute)
			f.run("start", time.Second, time.Second)
			f.st.deleteInstances(1)
			f.st.unschedulePeriodic(2)
			f.st.deleteInstances(2)
		}},
		{"reset", func() { f.st.clear() }},
	}
	for _, step := range steps {
		step.do()
		f.check(step.name)
	}
	for _, s := range instanceStatuses {
		if !f.seen[s] {
			t.Errorf("no instance showed %s at a check", statusName(s))
		}
	}
}

// withActive returns a copy of fl with scheduling started (active) or paused.
func withActive(fl *Flow, active bool) *Flow {
	c := cloneFlow(fl)
	c.Active = active
	return c
}

// TestCatchUpKeepsTheHistoryBound jumps the clock by 30 days past a minute flow (43,200
// fires) under a bound of 100 instances: each fire runs before the next is made, so the
// store never holds the month's instances at once (the list of ended instances the bound
// keeps is the witness: it never grew past a few hundred), and what it keeps is the last
// hundred, each run at its fire time.
func TestCatchUpKeepsTheHistoryBound(t *testing.T) {
	t.Parallel()
	const bound = 100
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := testState(&now, time.UTC, bound)
	st.storeFlow(&Flow{ID: 7, Type: FlowTypePeriodic, Active: true, Cycle: "mi", Freq: "0 * * * * ? *",
		Tasks: []Task{{ID: 70, Duration: time.Second}}})
	end := now.Add(30 * 24 * time.Hour)
	st.settle(end)
	if len(st.instances) != bound {
		t.Fatalf("%d instances kept, want %d", len(st.instances), bound)
	}
	if held := cap(st.ended); held > 4*bound {
		t.Errorf("the ended instances reached %d at once; the bound is %d", held, bound)
	}
	for k := 0; k < bound; k++ {
		at := end.Add(-time.Duration(k) * time.Minute)
		in := st.instances[periodicInstanceID(7, at, "mi", time.UTC)]
		switch {
		case in == nil:
			t.Fatalf("the instance fired at %v is not kept", at)
		case !in.StartTime.Equal(at) || (k > 0 && in.Status != StatusSuccess):
			t.Errorf("the instance fired at %v: started %v, status %d", at, in.StartTime, in.Status)
		}
	}
}

// TestCatchUpInOneJumpOrInSteps settles the same store up to the same time in one jump and
// in steps of 20 s: a minute flow whose runs are short, one whose runs take longer than its
// cycle (its backlog grows), manual instances queued ahead of them with earlier trigger
// times, and two manual flows with a backlog each. Every instance starts and ends at the same instants either way, with and without a
// history bound.
func TestCatchUpInOneJumpOrInSteps(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	end := start.Add(3 * time.Hour)
	run := func(bound int, stepped bool) map[int64][]FlowInstance {
		now := start
		st := testState(&now, time.UTC, bound)
		for id, d := range []time.Duration{1: 10 * time.Second, 2: 90 * time.Second} {
			if id == 0 {
				continue
			}
			st.storeFlow(&Flow{ID: int64(id), Type: FlowTypePeriodic, Active: true, Cycle: "mi", Freq: "0 * * * * ? *",
				Tasks: []Task{{ID: 10 * int64(id), Duration: d}}})
			for k := 1; k <= 3; k++ {
				st.createInstance(int64(id), start.Add(-time.Duration(k)*time.Hour), now)
			}
		}
		for id := int64(3); id <= 4; id++ { // manual flows with a backlog of an hour each
			st.storeFlow(&Flow{ID: id, Tasks: []Task{{ID: 10 * id, Duration: time.Duration(id) * 20 * time.Second}}})
			for k := 1; k <= 60; k++ {
				st.createInstance(id, start.Add(-time.Duration(k)*time.Minute), now)
			}
		}
		for stepped && now.Before(end) {
			now = now.Add(20 * time.Second)
			st.settle(now)
		}
		now = end
		st.settle(now)
		kept := make(map[int64][]FlowInstance)
		for id := int64(1); id <= 4; id++ {
			kept[id] = st.instancesOf(id)
		}
		return kept
	}
	// Each bound is above the backlog waiting at the end (the longer minute flow's, 120):
	// the store keeps exactly that many.
	for _, bound := range []int{0, 150, 250, 400} {
		jump, steps := run(bound, false), run(bound, true)
		total := len(jump[1]) + len(jump[2]) + len(jump[3]) + len(jump[4])
		if want := cmp.Or(bound, 2*183+2*60); total != want {
			t.Errorf("bound %d: %d instances kept, want %d", bound, total, want)
		}
		for id := int64(1); id <= 4; id++ {
			if !reflect.DeepEqual(jump[id], steps[id]) {
				t.Errorf("bound %d, flow %d: %d instances in one jump, %d in steps, or they differ",
					bound, id, len(jump[id]), len(steps[id]))
			}
		}
	}
}

// TestCatchUpPrunesManualBacklogs jumps the clock past 5,000 queued manual instances of one
// flow under a bound of 100: what ends is forgotten as the flow runs, not once it has run
// them all (the list of ended instances the bound keeps never grew past a few hundred).
func TestCatchUpPrunesManualBacklogs(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := testState(&now, time.UTC, 100)
	st.storeFlow(&Flow{ID: 1, Tasks: []Task{{ID: 10, Duration: time.Second}}})
	for k := 1; k <= 5000; k++ {
		st.createInstance(1, now.Add(-time.Duration(k)*time.Minute), now)
	}
	now = now.Add(2 * time.Hour)
	st.settle(now)
	if n := len(st.instances); n != 100 {
		t.Errorf("%d instances kept, want 100", n)
	}
	if held := cap(st.ended); held > 400 {
		t.Errorf("the ended instances reached %d at once; the bound is 100", held)
	}
}

// TestFireFirstOnATie: a periodic fire and a queued manual instance whose trigger time comes,
// on one instant: the fire is made first, so both are there when the flow picks its next
// run, and the fired one goes first (same trigger time, the lesser id). Had the flow picked
// before the fire, the manual one would have run first.
func TestFireFirstOnATie(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)
	now := start
	st := testState(&now, time.UTC, 0)
	st.storeFlow(&Flow{ID: 1, Type: FlowTypePeriodic, Active: true, Cycle: "mi", Freq: "0 1 12 * * ? *",
		Tasks: []Task{{ID: 10, Duration: 10 * time.Second}}})
	at := time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC)
	manual := st.createInstance(1, at, now) // waits for its trigger time, 12:01
	now = at.Add(time.Minute)
	st.settle(now)
	fired := st.instances[periodicInstanceID(1, at, "mi", time.UTC)]
	switch {
	case fired == nil:
		t.Fatal("no instance fired at 12:01")
	case !fired.StartTime.Equal(at) || !manual.StartTime.Equal(at.Add(10*time.Second)):
		t.Errorf("fired %s started %v, manual %s %v; want the fired one at 12:01:00, the manual one after it",
			fired.ID, fired.StartTime, manual.ID, manual.StartTime)
	}
}

// TestForgottenFlowsLetGo runs 200 flows in turn, 100 instances each, under a bound of 100:
// a flow whose instances the bound forgot keeps no list of them and no run plan, only when
// its last run ended (which a clock set back makes the next instance wait for).
func TestForgottenFlowsLetGo(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	st := testState(&now, time.UTC, 100)
	for id := int64(1); id <= 200; id++ {
		st.storeFlow(&Flow{ID: id, Tasks: []Task{{ID: 1000 + id, Duration: time.Second}}})
		for k := 1; k <= 100; k++ {
			st.createInstance(id, now.Add(-time.Duration(k)*time.Minute), now)
		}
		now = now.Add(200 * time.Minute)
		st.settle(now)
	}
	held, plans := 0, 0
	for _, fr := range st.runs {
		held += cap(fr.all)
		plans += len(fr.plans)
	}
	if held > 400 || plans > 2 {
		t.Errorf("the flows hold room for %d instances and %d run plans; the store holds %d instances", held, plans, len(st.instances))
	}
	if fr := st.runs[1]; fr == nil || fr.freeAt.IsZero() {
		t.Error("flow 1 no longer knows when its last run ended")
	}
}
