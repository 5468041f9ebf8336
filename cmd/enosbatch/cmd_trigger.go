package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/enos-go/batchprocessing"
)

var triggerCommand = &command{
	name:    "trigger",
	args:    "--flow FLOW_ID",
	summary: "trigger a run of a flow; --wait waits for it to end",
	help: `Trigger starts one run of a flow (Trigger Flow) and prints the id of the flow
instance it creates, alone on a line. --from-task runs only that task and its
downstream tasks (Trigger Flow From Task); --param overrides global parameters
for this run (Update And Trigger Flow). The service has no call that does
both, so the two cannot be combined.

With --wait it then waits for the instance to end, like 'enosbatch wait': it
shows progress on stderr, prints the outcome, and exits 0 for SUCCESS and 1
for any other end. With --json it prints {"instanceId": ...}, or with --wait
the final instance.`,
	complete:        completeFromCache(cachedFlows),
	flagCompletions: map[string]func(*session) cobra.CompletionFunc{"flow": completeFlowFlag},
	setup: func(fs *pflag.FlagSet) action {
		var o triggerOptions
		fs.StringVar(&o.flow, "flow", "", "id of the flow to trigger (required; or give it as the argument)")
		fs.StringVar(&o.at, "at", "now", "trigger (business) time: now (the gateway's), RFC 3339, a date (midnight UTC), or a duration ago (24h, on this computer's clock)")
		fs.Int64Var(&o.fromTask, "from-task", 0, "run only this task id and its downstream tasks")
		fs.Var(&o.params, "param", "key=value: override a global parameter for this run (repeatable)")
		fs.BoolVar(&o.wait, "wait", false, "wait for the instance to end, showing progress")
		o.waitOptions.register(fs)
		return o.run
	},
}

// triggerOptions are the flags of trigger.
type triggerOptions struct {
	flow     string
	at       string
	fromTask int64
	params   listFlag
	wait     bool
	waitOptions
}

// run triggers the flow and, with --wait, waits for the instance.
func (o *triggerOptions) run(ctx context.Context, s *session, args []string) error {
	start := time.Now()
	t, err := o.parse(args, start)
	if err != nil {
		return err
	}
	c, err := s.client()
	if err != nil {
		return err
	}
	text := asWritten // the id alone has no times
	if o.wait {
		// The outcome shows the instance's times, in --json in the server's zone: ask for it
		// before the instance exists, so that a failure leaves nothing running.
		if text, err = s.timeText(ctx, c); err != nil {
			return err
		}
	}
	id, err := t.send(ctx, c)
	if err != nil {
		return err
	}
	s.remember(cachedInstances, []cacheEntry{{string(id), "triggered by enosbatch"}})
	return s.triggered(id, o.report(ctx, s, c, id, start, text))
}

// report prints the id of the instance triggered, or with --wait waits for it and prints
// the outcome, its times shown by text.
func (o *triggerOptions) report(ctx context.Context, s *session, c *batchprocessing.Client, id batchprocessing.FlowInstanceID,
	start time.Time, text timeText) error {
	if !o.wait {
		if s.g.json {
			return s.printJSON(struct {
				InstanceID string `json:"instanceId"`
			}{string(id)})
		}
		_, err := fmt.Fprintln(s.stdout, id)
		return err
	}
	if !s.g.json {
		if _, err := fmt.Fprintln(s.stdout, id); err != nil {
			return err
		}
	}
	fi, err := s.waitFor(ctx, c, id, o.waitOptions, start)
	return s.finishWait(fi, err, start, text)
}

// triggerCall is a trigger as the flags and arguments ask for it.
type triggerCall struct {
	flowID, fromTask int64
	at               time.Time
	params           []batchprocessing.Parameter
}

// parse validates the flags and arguments, now being the time --at is read against.
func (o *triggerOptions) parse(args []string, now time.Time) (triggerCall, error) {
	flowArg, extra := o.flow, args
	if flowArg == "" && len(args) > 0 {
		flowArg, extra = args[0], args[1:] // the flow given as the argument
	}
	switch {
	case len(extra) > 0:
		return triggerCall{}, usagef("unexpected argument %q", extra[0])
	case flowArg == "":
		return triggerCall{}, usagef("missing --flow FLOW_ID")
	}
	t := triggerCall{fromTask: o.fromTask}
	var err error
	if t.flowID, err = parseFlowID(flowArg); err != nil {
		return triggerCall{}, err
	}
	if t.at, err = parseTimeOrNow("--at", o.at, now); err != nil {
		return triggerCall{}, err
	}
	if t.params, err = parseParams(o.params.values); err != nil {
		return triggerCall{}, err
	}
	if o.fromTask < 0 || (o.fromTask > 0 && len(t.params) > 0) {
		return triggerCall{}, usagef("--from-task takes a positive task id, and cannot be combined with --param")
	}
	return t, o.check()
}

// send triggers the flow through the operation the call needs: from a task, with
// parameters, or plain.
func (t triggerCall) send(ctx context.Context, c *batchprocessing.Client) (batchprocessing.FlowInstanceID, error) {
	switch {
	case t.fromTask > 0:
		return c.TriggerFlowFromTask(ctx, batchprocessing.TriggerFlowFromTaskRequest{FlowID: t.flowID, TaskID: t.fromTask, TriggerTime: t.at})
	case len(t.params) > 0:
		return c.UpdateAndTriggerFlow(ctx, batchprocessing.UpdateAndTriggerFlowRequest{FlowID: t.flowID, TriggerTime: t.at, Parameters: t.params})
	}
	return c.TriggerFlow(ctx, batchprocessing.TriggerFlowRequest{FlowID: t.flowID, TriggerTime: t.at})
}

// triggered returns the error of a trigger that created the instance id. When its output
// failed (a write, or --jq), stdout may lack the id: the error names it, so that it reaches
// stderr, and stays an outputError (exit code 5): the instance runs.
func (s *session) triggered(id batchprocessing.FlowInstanceID, err error) error {
	out := s.outputFailure(err)
	if out == nil {
		return err
	}
	return &outputError{err: fmt.Errorf("flow instance %s was triggered, but its output failed: %w", id, out), explained: true}
}
