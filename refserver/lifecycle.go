package refserver

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// This file is the life of flow instances, derived from the server clock. Nothing runs in the
// background: settle brings the store up to the clock's now whenever a request or a method
// call comes, computing every start and end from the instant it happened, not from when
// someone looked.
//
// The rules:
//   - An instance waits (StatusWait) until its trigger time has come and no other instance of
//     its flow runs. It starts at max(trigger time, creation time, end of the flow's previous
//     run); when several wait, the one with the earliest trigger time (then id) goes first.
//   - Its tasks run in dependency order: a task starts when all its upstream tasks (within the
//     run) have succeeded, then lives as its seeded behaviour says (task_timeline.go): it may
//     be suspended, wait for its resource, run one or more attempts, and ends SUCCESS, FAIL,
//     TIMEOUT or INTERNAL_ERROR. While it runs, the instance shows RUNNING, RERUN, READY or
//     SUSPEND from its tasks (runPlan.noteInstanceStatuses).
//   - After the first task that ends badly (FAIL, TIMEOUT, INTERNAL_ERROR) the instance shows
//     that status at once and no new task starts: the tasks started then finish, the others
//     (the failed task's downstream tasks and any not yet started) stay StatusInit, and the
//     instance ends when the last started task ends. Without a failure it ends StatusSuccess
//     when its last task succeeds.
//   - Cancelling ends the instance StatusCancel at once: started tasks become StatusCancel,
//     tasks not started stay StatusInit. FinishFlowInstance does the same with any terminal
//     status.
//   - Tasks left out by Trigger Flow From Task are StatusSkip from the start and never run.
//   - An instance with no task to run (only possible for flows the server does not know, in
//     internal tests) runs until FinishFlowInstance ends it. Tasks caught in a dependency
//     cycle (Save and Import refuse those) never start, and the instance ends StatusFail.
//   - If the clock goes backwards, ended instances stay ended and running ones show their
//     state at the earlier time.

// settle brings the store up to now. Only the flows due by now are touched (the store's
// schedule holds each flow's next event, the cron heap each periodic flow's next fire), so
// a request costs what changed since the last one, and catching up after a clock jump is
// linear in the events it passes. If the clock went back, the running instances are first
// shown as they were at now.
//
// The events are handled one at a time in time order, whatever the flow, and the history
// bound (WithMaxInstances) forgets what has ended after each: a jump of months past a
// minute flow never holds the months' instances at once, and the instances forgotten are
// those that ended first, as if the clock had moved in small steps.
func (st *state) settle(now time.Time) {
	if now.Before(st.settledAt) {
		for _, fr := range st.runs {
			if fr.running != nil {
				st.settleFlow(fr, now)
			}
		}
	}
	st.settledAt = now
	for st.settleNext(now) {
	}
	st.prune()
}

// settleNext handles the earliest event due by now and reports whether there was one: a
// periodic flow's fire (fireNext), or a flow's next start or end, which its settleFlow up to
// that instant handles. A fire goes first when both fall on one instant, so that a flow that
// becomes free then finds the instance fired then waiting.
func (st *state) settleNext(now time.Time) bool {
	fire := st.cron.Len() > 0 && !st.cron.top().next.After(now)
	flow := st.schedule.Len() > 0 && !st.schedule.top().nextAt.After(now)
	switch {
	case fire && (!flow || !st.schedule.top().nextAt.Before(st.cron.top().next)):
		st.fireNext()
	case flow:
		fr := st.schedule.top()
		st.settleFlow(fr, fr.nextAt)
		st.prune()
	default:
		return false
	}
	return true
}

// settleFlow brings the instances of one flow up to now: the running one advances and may
// end, then the next waiting one starts at the instant it could, and so on. Then the flow's
// place in the schedule is brought up to date: after it, the flow is due later than now.
func (st *state) settleFlow(fr *flowRuns, now time.Time) {
	for {
		if run := fr.running; run != nil {
			status, ended := run.advance(now)
			st.setStatus(run, status)
			if !ended {
				break
			}
			fr.running, fr.freeAt = nil, latest(fr.freeAt, run.EndTime)
			st.retire(run)
		}
		next, at := fr.next()
		if next == nil || at.After(now) {
			break
		}
		fr.unqueue(next)
		st.start(next, at)
		fr.running = next
	}
	st.reschedule(fr)
}

// reschedule puts fr in the schedule at its next event, or takes it out when it has none.
func (st *state) reschedule(fr *flowRuns) {
	at, ok := fr.nextEvent()
	switch {
	case !ok && fr.slot >= 0:
		st.schedule.remove(fr.slot)
	case !ok:
	case fr.slot >= 0:
		fr.nextAt = at
		st.schedule.fix(fr.slot)
	default:
		fr.nextAt = at
		st.schedule.push(fr)
	}
}

// latest returns the latest of ts.
func latest(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}

// start makes the waiting instance in run from at.
func (st *state) start(in *instance, at time.Time) {
	st.setStatus(in, StatusRunning)
	in.StartTime, in.applied = at, 0
	in.changes++
}

// stop ends the instance in with a terminal status at now: a waiting instance simply ends;
// in a running one, the tasks that have started and not ended (SUSPEND, READY, RUNNING or
// RERUN) end with the same status and the others stay as they are. The caller has settled
// the store; stop settles the instance's flow again so that the next waiting instance starts.
func (st *state) stop(in *instance, status int, now time.Time) {
	fr := st.runs[in.FlowID]
	switch {
	case fr.running == in:
		for i := range in.Tasks {
			if isTaskActive(in.Tasks[i].Status) {
				in.Tasks[i].Status, in.Tasks[i].EndTime = status, now
			}
		}
		fr.running, fr.freeAt = nil, latest(fr.freeAt, now)
	case in.Status == StatusWait:
		fr.unqueue(in)
	}
	st.setStatus(in, status)
	in.EndTime = now
	in.changes++
	st.retire(in)
	st.settleFlow(fr, now)
}

// finish gives the instance id the terminal status, then settles the store.
func (st *state) finish(id string, status int, now time.Time) error {
	if !isTerminal(status) {
		return fmt.Errorf("refserver: status %d is not a terminal flow instance status", status)
	}
	st.settle(now)
	in := st.instances[id]
	if in == nil {
		return fmt.Errorf("refserver: no flow instance %q", id)
	}
	if in.ended() {
		return fmt.Errorf("refserver: flow instance %q has already finished with status %d", id, in.Status)
	}
	st.stop(in, status, now)
	return nil
}

// createInstance stores a new instance of flowID running the whole flow with its own
// parameters; see createRun.
func (st *state) createInstance(flowID int64, trigger, now time.Time) *instance {
	return st.createRun(flowID, trigger, now, 0, nil)
}

// createRun stores a new instance of flowID triggered at trigger, running from the task
// fromTask (0: all tasks) with params (nil: the flow's parameters). It runs at once when its
// trigger time has come and no other instance of the flow is running; otherwise it waits. The
// caller has checked that the id is free and has settled the store.
func (st *state) createRun(flowID int64, trigger, now time.Time, fromTask int64, params []Parameter) *instance {
	in, fr := st.addRun(flowID, instanceID(flowID, trigger, st.loc), trigger, now, fromTask, params)
	st.settleFlow(fr, now)
	st.prune()
	return in
}

// addRun stores a new waiting instance id of flowID (see createRun), created at created,
// without settling its flow.
func (st *state) addRun(flowID int64, id string, trigger, created time.Time, fromTask int64, params []Parameter) (*instance, *flowRuns) {
	plan := st.flows[flowID] // stored flows are never changed in place: the instance shares it
	if plan == nil {
		plan = &Flow{ID: flowID}
	}
	if params == nil {
		params = plan.Parameters
	}
	params = expandParameters(params, newSystemVariables(trigger.In(st.loc), plan.Cycle, id, 0))
	fr := st.flowRuns(flowID)
	if fr.planned != plan {
		st.noteTasks(flowID, plan)
	}
	run := fr.planFor(plan, fromTask)
	in := &instance{
		FlowInstance: FlowInstance{
			ID:          id,
			FlowID:      flowID,
			Status:      StatusWait,
			TriggerTime: trigger.In(st.loc),
			CreatedAt:   created.In(st.loc),
			Parameters:  params,
			FromTaskID:  fromTask,
			Tasks:       make([]TaskInstance, len(plan.Tasks)),
		},
		plan: plan,
		run:  run,
		slot: -1,
	}
	for i, t := range plan.Tasks {
		status := StatusInit
		if !run.inRun[i] {
			status = StatusSkip
		}
		in.Tasks[i] = TaskInstance{ID: taskInstanceID(t.ID, in.ID), TaskID: t.ID, Name: t.Name, Status: status}
	}
	st.instances[in.ID] = in
	st.made++
	st.index(in)
	fr.add(in)
	return in, fr
}

// flowRuns returns the index of the instances of flowID, creating it.
func (st *state) flowRuns(flowID int64) *flowRuns {
	fr := st.runs[flowID]
	if fr == nil {
		fr = newFlowRuns()
		st.runs[flowID] = fr
	}
	return fr
}

// retire is called once when an instance ends: it is now one the history bound may forget.
func (st *state) retire(in *instance) {
	if st.maxInstances > 0 {
		st.ended = append(st.ended, in)
	}
}

// tail returns the last maxLength bytes of s (all of s if maxLength <= 0), moved forward to
// the start of a UTF-8 character.
func tail(s string, maxLength int) string {
	if maxLength <= 0 || len(s) <= maxLength {
		return s
	}
	cut := len(s) - maxLength
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	return s[cut:]
}

// parseTaskInstanceID splits "<taskId>-<suffix>".
func parseTaskInstanceID(id string) (taskID int64, suffix string, ok bool) {
	head, suffix, found := strings.Cut(id, "-")
	if !found || suffix == "" {
		return 0, "", false
	}
	taskID, err := strconv.ParseInt(head, 10, 64)
	return taskID, suffix, err == nil
}
