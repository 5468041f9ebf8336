package refserver

import (
	"cmp"
	"slices"
	"time"
)

// runPlan is the schedule of one kind of run of a flow: the flow as it was triggered and the
// task it starts from. Every time in it counts from the instance's start, so the instances of
// the same flow version and start task share one plan, computed once (see flowRuns.planFor)
// in time linear in the tasks, their dependencies and their attempts.
type runPlan struct {
	inRun  []bool     // by task index: in the run (not left out by Trigger Flow From Task)
	events []runEvent // the status changes of the tasks that run, in time order
	end    time.Duration
	// status is the instance's status when it ends: the status of its first task that ended
	// badly (FAIL, TIMEOUT or INTERNAL_ERROR), else FAIL when a dependency cycle kept a task
	// from starting, else SUCCESS.
	status int
	open   bool // nothing to run: the instance runs until FinishFlowInstance ends it

	// owners are the distinct owner names of the flow version, whose owner indexes its
	// instances are in (history.go); wideOwners is set instead when they are more than
	// maxIndexedOwners.
	owners     []string
	wideOwners bool
}

// runEvent is a task instance changing status, at an offset from the instance's start.
type runEvent struct {
	at     time.Duration
	task   int // index in the flow's tasks
	status int // the task instance's new status
	runNum int // its attempts started, this event's included
	// instance is the instance's status once this event and every earlier one have
	// happened (see instanceStatus).
	instance int
}

// plannedTask is the life of one task of a run if nothing stops it.
type plannedTask struct {
	blocked bool // caught in a dependency cycle: never starts
	start   time.Duration
	end     time.Duration
	final   int // its status at end
	steps   []taskStep
}

// newRunPlan computes the plan of a run of plan (the flow as triggered) from the task
// fromTask (0: all tasks).
func newRunPlan(plan *Flow, fromTask int64) *runPlan {
	tasks := plan.Tasks
	if len(tasks) == 0 {
		return &runPlan{open: true}
	}
	p := &runPlan{inRun: runSet(tasks, fromTask), status: StatusSuccess}
	planned := schedule(tasks, p.inRun)
	firstBad, failed := firstBadEnd(planned, p.inRun)
	blocked := false
	for i, pt := range planned {
		switch {
		case !p.inRun[i]:
		case pt.blocked:
			blocked = true // it never runs
		case failed && pt.start >= firstBad:
			// it never runs
		default:
			p.end = max(p.end, pt.end)
			for _, s := range pt.steps {
				p.events = append(p.events, runEvent{at: s.at, task: i, status: s.status, runNum: s.runNum})
			}
		}
	}
	// A task's steps come in time order, and the stable sort keeps them so.
	slices.SortStableFunc(p.events, func(a, b runEvent) int { return cmp.Compare(a.at, b.at) })
	bad, hasBad := p.noteInstanceStatuses(len(tasks))
	switch {
	case hasBad:
		p.status = bad
	case blocked:
		p.status = StatusFail
	}
	return p
}

// firstBadEnd returns when the first task of the run ends badly (FAIL, TIMEOUT,
// INTERNAL_ERROR), if one does: no task starts at or after it.
func firstBadEnd(planned []plannedTask, inRun []bool) (at time.Duration, ok bool) {
	for i, pt := range planned {
		if inRun[i] && !pt.blocked && isBadEnd(pt.final) && (!ok || pt.end < at) {
			at, ok = pt.end, true
		}
	}
	return at, ok
}

// noteInstanceStatuses sets each event's instance status, and returns the status of the
// first bad task end, if any.
func (p *runPlan) noteInstanceStatuses(tasks int) (bad int, hasBad bool) {
	current := make([]int, tasks) // by task index; StatusInit is 0
	var active activeTasks
	for k := range p.events {
		e := &p.events[k]
		active.change(current[e.task], e.status)
		current[e.task] = e.status
		if !hasBad && isBadEnd(e.status) {
			bad, hasBad = e.status, true
		}
		e.instance = active.instanceStatus(bad, hasBad)
	}
	return bad, hasBad
}

// activeTasks counts the task instances of a run that are SUSPEND, READY, RUNNING or RERUN.
type activeTasks struct{ suspend, ready, running, rerun int }

// change counts a task instance going from the status from to the status to.
func (a *activeTasks) change(from, to int) {
	a.count(from, -1)
	a.count(to, 1)
}

func (a *activeTasks) count(status, delta int) {
	switch status {
	case StatusSuspend:
		a.suspend += delta
	case StatusReady:
		a.ready += delta
	case StatusRunning:
		a.running += delta
	case StatusRerun:
		a.rerun += delta
	}
}

// instanceStatus is the status of a running instance: as soon as one of its tasks has ended
// badly, that task's status, while its other tasks finish (the EnOS Enterprise Analytics
// Platform's page "Monitoring Workflow Instances": "As long as one node fails to run in a
// workflow instance, the status of the entire workflow instance fails. However, the workflow
// instance might not have been completed."); otherwise RUNNING while a task runs, else RERUN
// while a task waits for a retry, else READY while one waits for its resource, else SUSPEND
// while one is suspended.
func (a *activeTasks) instanceStatus(bad int, hasBad bool) int {
	switch {
	case hasBad:
		return bad
	case a.running > 0:
		return StatusRunning
	case a.rerun > 0:
		return StatusRerun
	case a.ready > 0:
		return StatusReady
	case a.suspend > 0:
		return StatusSuspend
	}
	return StatusRunning
}

// schedule computes the life of each task of the run, ignoring failures: a task becomes
// ready when all its upstream tasks within the run have ended, then lives its timeline
// (taskTimeline). A task caught in a dependency cycle, or downstream of one, is blocked.
// Depth first, with cycle detection; each task and dependency is visited once.
func schedule(tasks []Task, inRun []bool) []plannedTask {
	index := taskIndex(tasks)
	const (
		unvisited = iota
		visiting
		done
	)
	out := make([]plannedTask, len(tasks))
	mark := make([]int, len(tasks))
	var visit func(i int)
	visit = func(i int) {
		switch mark[i] {
		case visiting:
			out[i].blocked = true
			return
		case done:
			return
		}
		mark[i] = visiting
		var start time.Duration
		for _, up := range tasks[i].DependsOn {
			j, ok := index[up]
			if !ok || !inRun[j] {
				continue // unknown or skipped upstream tasks do not hold the task back
			}
			visit(j)
			if mark[j] == visiting || out[j].blocked {
				out[i].blocked = true
			}
			start = max(start, out[j].end)
		}
		mark[i] = done
		out[i].start = start
		out[i].steps, out[i].end, out[i].final = taskTimeline(tasks[i], start)
	}
	for i := range tasks {
		if inRun[i] {
			visit(i)
		}
	}
	return out
}

// taskIndex maps the ids of tasks to their indexes; a repeated id (possible only through
// AddFlow) to its first.
func taskIndex(tasks []Task) map[int64]int {
	index := make(map[int64]int, len(tasks))
	for i, t := range tasks {
		if _, dup := index[t.ID]; !dup {
			index[t.ID] = i
		}
	}
	return index
}

// runSet reports which tasks a run includes: all of them, or, from a task, that task and
// its downstream tasks (breadth first over the reversed dependencies).
func runSet(tasks []Task, fromTask int64) []bool {
	in := make([]bool, len(tasks))
	if fromTask == 0 {
		for i := range in {
			in[i] = true
		}
		return in
	}
	downstream := make(map[int64][]int, len(tasks)) // task id -> the tasks that depend on it
	for i, t := range tasks {
		for _, up := range t.DependsOn {
			downstream[up] = append(downstream[up], i)
		}
	}
	included := map[int64]bool{fromTask: true}
	for queue := []int64{fromTask}; len(queue) > 0; queue = queue[1:] {
		for _, i := range downstream[queue[0]] {
			if id := tasks[i].ID; !included[id] {
				included[id] = true
				queue = append(queue, id)
			}
		}
	}
	for i, t := range tasks {
		in[i] = included[t.ID]
	}
	return in
}
