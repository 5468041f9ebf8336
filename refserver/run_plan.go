package refserver

import (
	"cmp"
	"slices"
	"time"
)

// runPlan is the schedule of one kind of run of a flow: the flow as it was triggered and the
// task it starts from. Every time in it counts from the instance's start, so the instances of
// the same flow version and start task share one plan, computed once (see flowRuns.planFor)
// in time linear in the tasks and their dependencies.
type runPlan struct {
	inRun  []bool     // by task index: in the run (not left out by Trigger Flow From Task)
	events []runEvent // the starts and ends of the tasks that run, in time order
	end    time.Duration
	status int  // StatusSuccess or StatusFail
	open   bool // nothing to run: the instance runs until FinishFlowInstance ends it
}

// runEvent is a task starting or ending, at an offset from the instance's start.
type runEvent struct {
	at   time.Duration
	task int  // index in the flow's tasks
	end  bool // the task ends (else it starts)
}

// plannedTask is when one task of a run starts and ends if nothing stops it.
type plannedTask struct {
	blocked bool // caught in a dependency cycle: never starts
	start   time.Duration
	end     time.Duration
}

// newRunPlan computes the plan of a run of plan (the flow as triggered) from the task
// fromTask (0: all tasks).
func newRunPlan(plan *Flow, fromTask int64) *runPlan {
	tasks := plan.Tasks
	if len(tasks) == 0 {
		return &runPlan{open: true}
	}
	p := &runPlan{inRun: runSet(tasks, fromTask), status: StatusSuccess}
	times := schedule(tasks, p.inRun)

	// The first failure: no task starts at or after it.
	var firstFail time.Duration
	failed := false
	for i, pt := range times {
		if p.inRun[i] && !pt.blocked && tasks[i].Fail && (!failed || pt.end < firstFail) {
			firstFail, failed = pt.end, true
		}
	}
	for i, pt := range times {
		if !p.inRun[i] {
			continue
		}
		if pt.blocked || (failed && pt.start >= firstFail) {
			p.status = StatusFail // it never runs
			continue
		}
		if tasks[i].Fail {
			p.status = StatusFail
		}
		p.end = max(p.end, pt.end)
		p.events = append(p.events, runEvent{at: pt.start, task: i}, runEvent{at: pt.end, task: i, end: true})
	}
	// A task's start comes before its end (durations are positive), and the stable sort
	// keeps it so.
	slices.SortStableFunc(p.events, func(a, b runEvent) int { return cmp.Compare(a.at, b.at) })
	return p
}

// schedule computes when each task of the run starts and ends, ignoring failures: a task
// starts when all its upstream tasks within the run have ended, and runs its Duration. A
// task caught in a dependency cycle, or downstream of one, is blocked. Depth first, with
// cycle detection; each task and dependency is visited once.
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
		out[i].end = start + taskDuration(tasks[i])
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

// taskDuration returns how long t runs.
func taskDuration(t Task) time.Duration {
	if t.Duration <= 0 {
		return DefaultTaskDuration
	}
	return t.Duration
}
