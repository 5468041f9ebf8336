package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/enos-go/batchprocessing"
)

var statusCommand = &command{
	name:    "status",
	args:    "INSTANCE_ID",
	summary: "show a flow instance and the state of its tasks",
	help: `Status shows a flow instance (Get Flow Instance): its flow, status, times and
the state of each task. It exits 0 whatever the instance's status; use wait
to turn the outcome into the exit code.

With --watch it polls the instance every --interval until interrupted: on a
terminal it redraws the status in place; otherwise it prints it once, then a
line at each change (with --json, the instance as one JSON object on a line
at each change).`,
	complete: completeFromCache(cachedInstances),
	setup: func(fs *pflag.FlagSet) action {
		var o watchOptions
		o.register(fs, "the status")
		return func(ctx context.Context, s *session, args []string) error {
			if err := o.check(); err != nil {
				return err
			}
			id, c, err := s.instanceClient(args)
			if err != nil {
				return err
			}
			if o.watch {
				return watchStatus(ctx, s, c, id, o)
			}
			return showStatus(ctx, s, c, id)
		}
	},
}

var waitCommand = &command{
	name:    "wait",
	args:    "INSTANCE_ID",
	summary: "wait for a flow instance to end, showing progress",
	help: `Wait polls a flow instance until it ends. On a terminal it keeps a status line
up to date on stderr (elapsed time, status, the state of each task); otherwise
it prints a line on stderr at each change. Then it prints the outcome on
stdout (the instance with --json) and exits 0 for SUCCESS, 1 for any other end.

Once the instance has been seen, a poll that fails as an outage does (no
answer, a 5xx, 429 or 62109, after the client's retries) is a note on stderr
and waiting goes on until the instance ends (--timeout bounds it); any other
failure ends the wait with exit code 3.

Ctrl-C (or SIGTERM, or --timeout) stops waiting with exit code 4 and leaves
the instance running, unless --cancel-on-interrupt is given: then it says on
stderr that it cancels the instance, waits up to 15s for the answer, and
says whether it was cancelled, refused, or, without an answer, that the
outcome is unknown.`,
	complete: completeFromCache(cachedInstances),
	setup: func(fs *pflag.FlagSet) action {
		var o waitOptions
		o.register(fs)
		return func(ctx context.Context, s *session, args []string) error {
			if err := o.check(); err != nil {
				return err
			}
			id, c, err := s.instanceClient(args)
			if err != nil {
				return err
			}
			text, err := s.timeText(ctx, c)
			if err != nil {
				return err
			}
			start := time.Now()
			fi, err := s.waitFor(ctx, c, id, o, start)
			return s.finishWait(fi, err, start, text)
		}
	},
}

var cancelCommand = &command{
	name:    "cancel",
	args:    "INSTANCE_ID",
	summary: "cancel a flow instance",
	help: `Cancel cancels a flow instance that has not ended (Cancel Flow Instance). Only
the flow's owner may. Jobs already handed to the batch engine may still finish.`,
	complete: completeFromCache(cachedInstances),
	setup: func(*pflag.FlagSet) action {
		return func(ctx context.Context, s *session, args []string) error {
			id, c, err := s.instanceClient(args)
			if err != nil {
				return err
			}
			if err := c.CancelFlowInstance(ctx, batchprocessing.CancelFlowInstanceRequest{FlowInstanceID: id}); err != nil {
				return err
			}
			if s.g.json {
				return s.printJSON(struct {
					InstanceID string `json:"instanceId"`
					Cancelled  bool   `json:"cancelled"`
				}{string(id), true})
			}
			_, err = fmt.Fprintf(s.stdout, "cancelled %s\n", id)
			return err
		}
	},
}

// showStatus is the status command without --watch.
func showStatus(ctx context.Context, s *session, c *batchprocessing.Client, id batchprocessing.FlowInstanceID) error {
	fi, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
	if err != nil {
		return err
	}
	text, err := s.timeText(ctx, c)
	if err != nil {
		return err
	}
	v := newInstanceView(fi, text)
	if s.g.json {
		return s.printJSON(v)
	}
	return writeStatus(s.stdout, v)
}

// watchStatus polls the instance every --interval until ctx ends.
func watchStatus(ctx context.Context, s *session, c *batchprocessing.Client, id batchprocessing.FlowInstanceID, o watchOptions) error {
	text, err := s.timeText(ctx, c)
	if err != nil {
		return err
	}
	w := s.newWatcher(o)
	first := true
	return w.run(ctx, func(ctx context.Context) error {
		fi, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
		if err != nil {
			return err
		}
		v := newInstanceView(fi, text)
		tasks := taskSummary(v.Tasks)
		changed := w.changed(v.InstanceID, v.Status+" "+v.StartTime+" "+v.EndTime+" "+tasks)
		defer func() { first = false }()
		switch {
		case w.live != nil:
			var b strings.Builder
			if err := writeStatus(&b, v); err != nil {
				return err
			}
			return w.live.draw(w.header(string(id)), b.String())
		case s.g.json && changed:
			return s.printJSONLine(v)
		case s.g.json:
		case first:
			return writeStatus(s.stdout, v)
		case changed:
			head := fmt.Sprintf("%s %s %s", time.Now().Format("15:04:05"), v.InstanceID, v.Status)
			_, err := fmt.Fprintln(s.stdout, statusLine(head, tasks))
			return err
		}
		return nil
	})
}

// writeStatus writes an instance as the status command shows it.
func writeStatus(w io.Writer, v instanceView) error {
	tw := newTable(w)
	tw.row("instance", v.InstanceID)
	tw.row("flow", itoa(v.FlowID)+" "+v.FlowName)
	tw.row("status", v.Status)
	tw.row("trigger time", v.TriggerTime)
	tw.row("start time", dash(v.StartTime))
	tw.row("end time", dash(v.EndTime))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(v.Tasks) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw = newTable(w)
	tw.row("TASK", "TASK ID", "STATUS", "TASK INSTANCE")
	for _, t := range v.Tasks {
		tw.row(t.TaskName, itoa(t.TaskID), t.Status, t.TaskInstanceID)
	}
	return tw.Flush()
}

// dash returns s, or "-" when it is empty, for text tables.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
