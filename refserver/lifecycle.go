package refserver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
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
//     run) have succeeded, runs its Duration, then succeeds, or fails if seeded with Fail.
//   - After the first task failure no new task starts: the tasks running then finish, the
//     others (the failed task's downstream tasks and any not yet started) stay StatusInit, and
//     the instance ends StatusFail when the last running task ends. Without a failure it ends
//     StatusSuccess when its last task succeeds.
//   - Cancelling ends the instance StatusCancel at once: running tasks become StatusCancel,
//     tasks not started stay StatusInit. FinishFlowInstance does the same with any terminal
//     status.
//   - Tasks left out by Trigger Flow From Task are StatusSkip from the start and never run.
//   - An instance with no task to run (only possible for flows the server does not know, in
//     internal tests) runs until FinishFlowInstance ends it. Tasks caught in a dependency
//     cycle (Save and Import refuse those) never start, and the instance ends StatusFail.
//   - If the clock goes backwards, ended instances stay ended and running ones show their
//     state at the earlier time.

// settle brings every flow's instances up to now.
func (st *state) settle(now time.Time) {
	for _, list := range st.byFlow {
		settleFlow(list, now)
	}
}

// settleFlow brings the instances of one flow up to now: the running one advances and may
// end, then the next waiting one starts at the instant it could, and so on.
func settleFlow(list []*FlowInstance, now time.Time) {
	for {
		if run := runningOf(list); run != nil {
			advance(run, now)
			if run.Status == StatusRunning {
				return
			}
		}
		next, at := nextToStart(list)
		if next == nil || at.After(now) {
			return
		}
		next.Status = StatusRunning
		next.StartTime = at
	}
}

// runningOf returns the running instance of a flow, or nil.
func runningOf(list []*FlowInstance) *FlowInstance {
	for _, in := range list {
		if in.Status == StatusRunning {
			return in
		}
	}
	return nil
}

// nextToStart returns the waiting instance that starts first and when it can start: the
// earliest max(trigger time, creation time, end of the last run of the flow), ties going to
// the earliest trigger time, then the smallest id. next is nil when nothing waits.
func nextToStart(list []*FlowInstance) (next *FlowInstance, at time.Time) {
	var lastEnd time.Time
	for _, in := range list {
		if !in.StartTime.IsZero() && in.EndTime.After(lastEnd) {
			lastEnd = in.EndTime
		}
	}
	for _, in := range list {
		if in.Status != StatusWait {
			continue
		}
		e := latest(in.TriggerTime, in.CreatedAt, lastEnd)
		if next == nil || e.Before(at) || (e.Equal(at) && compareInstances(in, next) < 0) {
			next, at = in, e
		}
	}
	return next, at
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

// plannedTask is when one task of a run starts and ends if nothing stops it.
type plannedTask struct {
	inRun   bool // in the run (not skipped by Trigger Flow From Task)
	blocked bool // caught in a dependency cycle: never starts
	ran     bool // starts at all (not blocked, and before the first failure)
	start   time.Time
	end     time.Time
}

// runPlan is the whole schedule of a running instance, computed from its start time.
type runPlan struct {
	tasks  []plannedTask
	end    time.Time // when the instance ends
	status int       // StatusSuccess or StatusFail
}

// planOf computes the schedule of in from its start time and its flow as it was triggered.
func planOf(in *FlowInstance) runPlan {
	tasks := in.plan.Tasks
	p := runPlan{tasks: make([]plannedTask, len(tasks)), status: StatusSuccess}
	index := make(map[int64]int, len(tasks))
	for i, t := range tasks {
		if _, dup := index[t.ID]; !dup {
			index[t.ID] = i
		}
	}
	inRun := runSet(tasks, in.FromTaskID)
	for i := range p.tasks {
		p.tasks[i].inRun = inRun[i]
	}

	// Schedule ignoring failures, in dependency order (depth first, with cycle detection).
	const (
		unvisited = iota
		visiting
		done
	)
	mark := make([]int, len(tasks))
	var visit func(i int)
	visit = func(i int) {
		switch mark[i] {
		case visiting:
			p.tasks[i].blocked = true
			return
		case done:
			return
		}
		mark[i] = visiting
		start := in.StartTime
		for _, up := range tasks[i].DependsOn {
			j, ok := index[up]
			if !ok || !inRun[j] {
				continue // unknown or skipped upstream tasks do not hold the task back
			}
			visit(j)
			if mark[j] == visiting || p.tasks[j].blocked {
				p.tasks[i].blocked = true
			}
			start = latest(start, p.tasks[j].end)
		}
		mark[i] = done
		p.tasks[i].start = start
		p.tasks[i].end = start.Add(taskDuration(tasks[i]))
	}
	for i := range tasks {
		if inRun[i] {
			visit(i)
		}
	}

	// The first failure: no task starts at or after it.
	var firstFail time.Time
	failed := false
	for i, pt := range p.tasks {
		if pt.inRun && !pt.blocked && tasks[i].Fail && (!failed || pt.end.Before(firstFail)) {
			firstFail, failed = pt.end, true
		}
	}
	p.end = in.StartTime
	for i := range p.tasks {
		pt := &p.tasks[i]
		if !pt.inRun {
			continue
		}
		pt.ran = !pt.blocked && (!failed || pt.start.Before(firstFail))
		if !pt.ran {
			p.status = StatusFail
			continue
		}
		if tasks[i].Fail {
			p.status = StatusFail
		}
		p.end = latest(p.end, pt.end)
	}
	return p
}

// runSet reports which tasks a run includes: all of them, or, from a task, that task and
// its downstream tasks.
func runSet(tasks []Task, fromTask int64) []bool {
	in := make([]bool, len(tasks))
	if fromTask == 0 {
		for i := range in {
			in[i] = true
		}
		return in
	}
	included := map[int64]bool{fromTask: true}
	for changed := true; changed; {
		changed = false
		for _, t := range tasks {
			if included[t.ID] {
				continue
			}
			if slices.ContainsFunc(t.DependsOn, func(up int64) bool { return included[up] }) {
				included[t.ID], changed = true, true
			}
		}
	}
	for i, t := range tasks {
		in[i] = included[t.ID]
	}
	return in
}

// taskDuration returns how long t runs.
func taskDuration(t Task) time.Duration {
	if t.Duration <= 0 {
		return DefaultTaskDuration
	}
	return t.Duration
}

// advance brings the running instance in up to now: its tasks' statuses and times, and its
// own end if it has come.
func advance(in *FlowInstance, now time.Time) {
	if in.plan == nil || len(in.plan.Tasks) == 0 {
		return // nothing to run: it runs until FinishFlowInstance ends it
	}
	p := planOf(in)
	for i := range in.Tasks {
		ti, pt := &in.Tasks[i], p.tasks[i]
		switch {
		case !pt.inRun:
			ti.Status, ti.StartTime, ti.EndTime = StatusSkip, time.Time{}, time.Time{}
		case !pt.ran || pt.start.After(now):
			ti.Status, ti.StartTime, ti.EndTime = StatusInit, time.Time{}, time.Time{}
		case pt.end.After(now):
			ti.Status, ti.StartTime, ti.EndTime = StatusRunning, pt.start, time.Time{}
		default:
			ti.Status, ti.StartTime, ti.EndTime = StatusSuccess, pt.start, pt.end
			if in.plan.Tasks[i].Fail {
				ti.Status = StatusFail
			}
		}
	}
	if !p.end.After(now) {
		in.Status, in.EndTime = p.status, p.end
	}
}

// stop ends the instance in with a terminal status at now: a waiting instance simply ends;
// in a running one, running tasks end with the same status and the others stay as they are.
// The caller has settled the store; stop settles the instance's flow again so that the next
// waiting instance starts.
func (st *state) stop(in *FlowInstance, status int, now time.Time) {
	if in.Status == StatusRunning {
		for i := range in.Tasks {
			if in.Tasks[i].Status == StatusRunning {
				in.Tasks[i].Status, in.Tasks[i].EndTime = status, now
			}
		}
	}
	in.Status, in.EndTime = status, now
	settleFlow(st.byFlow[in.FlowID], now)
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
	if isTerminal(in.Status) {
		return fmt.Errorf("refserver: flow instance %q has already finished with status %d", id, in.Status)
	}
	st.stop(in, status, now)
	return nil
}

// createInstance stores a new instance of flowID running the whole flow with its own
// parameters; see createRun.
func (st *state) createInstance(flowID int64, trigger, now time.Time) *FlowInstance {
	return st.createRun(flowID, trigger, now, 0, nil)
}

// createRun stores a new instance of flowID triggered at trigger, running from the task
// fromTask (0: all tasks) with params (nil: the flow's parameters). It runs at once when its
// trigger time has come and no other instance of the flow is running; otherwise it waits. The
// caller has checked that the id is free and has settled the store.
func (st *state) createRun(flowID int64, trigger, now time.Time, fromTask int64, params []Parameter) *FlowInstance {
	plan := &Flow{ID: flowID}
	if f := st.flows[flowID]; f != nil {
		plan = cloneFlow(f)
	}
	if params == nil {
		params = slices.Clone(plan.Parameters)
	}
	in := &FlowInstance{
		ID:          instanceID(flowID, trigger, st.loc),
		FlowID:      flowID,
		Status:      StatusWait,
		TriggerTime: trigger.In(st.loc),
		CreatedAt:   now.In(st.loc),
		Parameters:  params,
		FromTaskID:  fromTask,
		plan:        plan,
	}
	inRun := runSet(plan.Tasks, fromTask)
	for i, t := range plan.Tasks {
		ti := TaskInstance{ID: taskInstanceID(t.ID, in.ID), TaskID: t.ID, Name: t.Name, Status: StatusInit}
		if !inRun[i] {
			ti.Status = StatusSkip
		}
		in.Tasks = append(in.Tasks, ti)
	}
	st.instances[in.ID] = in
	st.byFlow[flowID] = append(st.byFlow[flowID], in)
	settleFlow(st.byFlow[flowID], now)
	return in
}

// updatedAt is the last time anything about in changed, up to now.
func (in *FlowInstance) updatedAt() time.Time {
	t := latest(in.CreatedAt, in.StartTime, in.EndTime)
	for _, ti := range in.Tasks {
		t = latest(t, ti.StartTime, ti.EndTime)
	}
	return t
}

// taskLog returns the log of the task instance i of in at now, and false when the task has
// not started (so it has no log). One line per event, each with the server-local time: the
// start, the command, progress at each quarter of the task's duration, and the end.
func taskLog(in *FlowInstance, i int, now time.Time, loc *time.Location) (string, bool) {
	ti := in.Tasks[i]
	if ti.StartTime.IsZero() {
		return "", false
	}
	var task Task
	if in.plan != nil && i < len(in.plan.Tasks) {
		task = in.plan.Tasks[i]
	}
	var b strings.Builder
	line := func(at time.Time, level, text string) {
		b.WriteString(at.In(loc).Format(timeLayout))
		b.WriteString(" " + level + " " + text + "\n")
	}
	line(ti.StartTime, "INFO", "task "+ti.Name+" started")
	if task.Command != "" {
		line(ti.StartTime, "INFO", "command: "+task.Command)
	}
	d := taskDuration(task)
	for k := 1; k <= 3; k++ {
		at := ti.StartTime.Add(d * time.Duration(k) / 4)
		if at.After(now) || (!ti.EndTime.IsZero() && !at.Before(ti.EndTime)) {
			break
		}
		line(at, "INFO", fmt.Sprintf("task %s running, %d%% done", ti.Name, 25*k))
	}
	if !ti.EndTime.IsZero() {
		switch ti.Status {
		case StatusSuccess:
			line(ti.EndTime, "INFO", "task "+ti.Name+" finished with exit code 0")
		case StatusFail:
			line(ti.EndTime, "ERROR", "task "+ti.Name+" failed with exit code 1")
		case StatusCancel:
			line(ti.EndTime, "WARN", "task "+ti.Name+" cancelled")
		default:
			line(ti.EndTime, "WARN", "task "+ti.Name+" ended with status "+statusName(ti.Status))
		}
	}
	return b.String(), true
}

// tail returns the last maxLength bytes of s (all of s if maxLength <= 0), moved forward to
// the start of a UTF-8 character.
func tail(s string, maxLength int) string {
	if maxLength <= 0 || len(s) <= maxLength {
		return s
	}
	cut := len(s) - maxLength
	for cut < len(s) && s[cut]&0xC0 == 0x80 {
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
