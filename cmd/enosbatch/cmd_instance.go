package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/enos-go/batchprocessing"
)

var statusCommand = &command{
	name:    "status",
	args:    "INSTANCE_ID",
	summary: "show a flow instance and the state of its tasks",
	help: `Status shows a flow instance (Get Flow Instance): its flow, status, times and
the state of each task. It exits 0 whatever the instance's status; use wait
to turn the outcome into the exit code.`,
	setup: func(*flag.FlagSet) action { return runStatus },
}

var waitCommand = &command{
	name:    "wait",
	args:    "INSTANCE_ID",
	summary: "wait for a flow instance to end, showing progress",
	help: `Wait polls a flow instance until it ends. On a terminal it keeps a status line
up to date on stderr (elapsed time, status, the state of each task); otherwise
it prints a line on stderr at each change. Then it prints the outcome on
stdout (the instance with --json) and exits 0 for SUCCESS, 1 for any other end.

Ctrl-C (or SIGTERM, or --timeout) stops waiting with exit code 4 and leaves
the instance running, unless --cancel-on-interrupt is given.`,
	setup: func(fs *flag.FlagSet) action {
		var o waitOptions
		o.register(fs)
		return func(ctx context.Context, s *session, args []string) error {
			id, err := instanceArg(args)
			if err != nil {
				return err
			}
			if err := o.check(); err != nil {
				return err
			}
			c, err := s.client()
			if err != nil {
				return err
			}
			start := time.Now()
			fi, err := s.waitFor(ctx, c, id, o, start)
			return s.finishWait(fi, err, start)
		}
	},
}

var cancelCommand = &command{
	name:    "cancel",
	args:    "INSTANCE_ID",
	summary: "cancel a flow instance",
	help: `Cancel cancels a flow instance that has not ended (Cancel Flow Instance). Only
the flow's owner may. Jobs already handed to the batch engine may still finish.`,
	setup: func(*flag.FlagSet) action {
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

// runStatus is the status command.
func runStatus(ctx context.Context, s *session, args []string) error {
	id, c, err := s.instanceClient(args)
	if err != nil {
		return err
	}
	fi, err := c.GetFlowInstance(ctx, batchprocessing.GetFlowInstanceRequest{FlowInstanceID: id})
	if err != nil {
		return err
	}
	v := newInstanceView(fi)
	if s.g.json {
		return s.printJSON(v)
	}
	tw := tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "instance\t%s\nflow\t%d %s\nstatus\t%s\ntrigger time\t%s\nstart time\t%s\nend time\t%s\n",
		v.InstanceID, v.FlowID, v.FlowName, v.Status, v.TriggerTime, dash(v.StartTime), dash(v.EndTime))
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(v.Tasks) == 0 {
		return nil
	}
	fmt.Fprintln(s.stdout)
	tw = tabwriter.NewWriter(s.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tTASK ID\tSTATUS\tTASK INSTANCE")
	for _, t := range v.Tasks {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", t.TaskName, t.TaskID, t.Status, t.TaskInstanceID)
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
