package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/enos-go/batchprocessing"
)

var tasksCommand = &command{
	name:    "tasks",
	args:    "INSTANCE_ID",
	summary: "show the task instances of a flow instance",
	help: `Tasks shows each task instance of a flow instance (Get Task Instance for each
task of the instance's graph): status, start and end times, runs and retries.`,
	complete: completeFromCache(cachedInstances),
	setup:    func(*pflag.FlagSet) action { return runTasks },
}

var logsCommand = &command{
	name:    "logs",
	args:    "INSTANCE_ID",
	summary: "print the logs of a flow instance's tasks",
	help: `Logs prints the log of each task of a flow instance that has started (Get Task
Instance Log), each under a "==> name (task instance id) STATUS <==" header
(control characters in the name show as U+FFFD). The logs are printed as the
service sends them, as cat would. With --task it prints that task's log
alone, as it is; for a task that has not started, nothing (and a note on
stderr). With --json it prints
[{"taskInstanceId", "taskId", "taskName", "status", "log"}], log null for a
task that has not started.`,
	complete: completeFromCache(cachedInstances),
	setup: func(fs *pflag.FlagSet) action {
		var o logsOptions
		fs.StringVar(&o.task, "task", "", "only this task: its name or task id")
		fs.IntVar(&o.maxLength, "max-length", 0, "keep the last this many bytes of each log (0: as the service sends it)")
		return o.run
	},
}

// runTasks is the tasks command.
func runTasks(ctx context.Context, s *session, args []string) error {
	id, c, err := s.instanceClient(args)
	if err != nil {
		return err
	}
	states, err := instanceTasks(ctx, c, id)
	if err != nil {
		return err
	}
	views := make([]taskView, 0, len(states))
	text, err := s.timeText(ctx, c)
	if err != nil {
		return err
	}
	for _, st := range states {
		ti, err := c.GetTaskInstance(ctx, batchprocessing.GetTaskInstanceRequest{TaskInstanceID: batchprocessing.TaskInstanceID(st.TaskInstanceID)})
		if err != nil {
			return err
		}
		views = append(views, newTaskView(ti, text))
	}
	if s.g.json {
		return s.printJSON(views)
	}
	tw := newTable(s.stdout)
	tw.row("TASK", "TASK ID", "STATUS", "START TIME", "END TIME", "RUNS", "RETRIES", "TASK INSTANCE")
	for _, v := range views {
		tw.row(v.TaskName, itoa(v.TaskID), v.Status, dash(v.StartTime), dash(v.EndTime),
			itoa(int64(v.RunNum)), fmt.Sprintf("%d/%d", v.Retries, v.RetryLimit), v.TaskInstanceID)
	}
	return tw.Flush()
}

// logsOptions are the flags of logs.
type logsOptions struct {
	task      string
	maxLength int
}

// run is the logs command.
func (o *logsOptions) run(ctx context.Context, s *session, args []string) error {
	id, err := instanceArg(args)
	if err != nil {
		return err
	}
	if o.maxLength < 0 {
		return usagef("--max-length must not be negative")
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	states, err := instanceTasks(ctx, c, id)
	if err != nil {
		return err
	}
	if o.task != "" {
		states = selectTask(states, o.task)
		if len(states) == 0 {
			return usagef("--task %q: %s has no task with that name or id", o.task, id)
		}
	}
	views, err := o.logs(ctx, c, states)
	if err != nil {
		return err
	}
	if s.g.json {
		if views == nil {
			views = []logView{}
		}
		return s.printJSON(views)
	}
	if o.task != "" {
		return s.printTaskLog(views[0])
	}
	for i, v := range views {
		if i > 0 {
			fmt.Fprintln(s.stdout)
		}
		// The header is enosbatch's own line: the task's name in it is made printable. The
		// log under it is the service's text, as it is.
		fmt.Fprintln(s.stdout, printable(fmt.Sprintf("==> %s (%s) %s <==", v.TaskName, v.TaskInstanceID, v.Status)))
		if v.Log == nil {
			fmt.Fprintln(s.stdout, "(no log: not started)")
			continue
		}
		fmt.Fprint(s.stdout, withNewline(*v.Log))
	}
	return nil
}

// printTaskLog prints the log of the one task --task names, as it is; for a task that has
// not started, nothing on stdout (the log is empty) and a note on stderr.
func (s *session) printTaskLog(v logView) error {
	if v.Log == nil {
		fmt.Fprintln(s.stderr, printable(fmt.Sprintf("no log: task %s (%s) is %s, not started", v.TaskName, v.TaskInstanceID, v.Status)))
		return nil
	}
	_, err := fmt.Fprint(s.stdout, withNewline(*v.Log))
	return err
}

// logs reads the logs of the tasks that have started: a task not started has none (the
// service answers 62109 "No log found"), with --task as without.
func (o *logsOptions) logs(ctx context.Context, c *batchprocessing.Client, states []taskStateView) ([]logView, error) {
	var views []logView
	for _, st := range states {
		v := logView{TaskInstanceID: st.TaskInstanceID, TaskID: st.TaskID, TaskName: st.TaskName, Status: st.Status}
		if started(st.Status) {
			text, err := c.GetTaskInstanceLog(ctx, batchprocessing.GetTaskInstanceLogRequest{
				TaskInstanceID: batchprocessing.TaskInstanceID(st.TaskInstanceID), MaxLength: o.maxLength,
			})
			if err != nil {
				return nil, err
			}
			v.Log = &text
		}
		views = append(views, v)
	}
	return views, nil
}

// instanceTasks returns the tasks of the instance's graph.
func instanceTasks(ctx context.Context, c *batchprocessing.Client, id batchprocessing.FlowInstanceID) ([]taskStateView, error) {
	fi, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
	if err != nil {
		return nil, err
	}
	if _, err := fi.DecodeGraph(); err != nil {
		return nil, fmt.Errorf("the graph of %s: %w", id, err)
	}
	return taskStates(fi), nil
}

// selectTask returns the task named key, or else the task whose id is key; none if neither.
func selectTask(tasks []taskStateView, key string) []taskStateView {
	for _, match := range []func(t taskStateView) bool{
		func(t taskStateView) bool { return t.TaskName == key },
		func(t taskStateView) bool { return itoa(t.TaskID) == key },
	} {
		for _, t := range tasks {
			if match(t) {
				return []taskStateView{t}
			}
		}
	}
	return nil
}

// started reports whether a task in this graph status has a log: not INIT, NONE or SKIP.
func started(status string) bool {
	switch strings.ToUpper(status) {
	case "", "INIT", "NONE", "SKIP", "WAIT", "READY":
		return false
	}
	return true
}

// withNewline returns s ending with a newline, unless it is empty.
func withNewline(s string) string {
	if s == "" || strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}
