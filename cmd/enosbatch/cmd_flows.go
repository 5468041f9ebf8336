package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/enos-go/batchprocessing"
)

var flowsSearchCommand = &command{
	name:    "flows search",
	args:    "[EXPRESSION]",
	summary: "search the organization's flows by id or name",
	help: `Flows search lists the organization's flows whose id or name matches the
expression (Search Flow), other users' flows included; without an expression,
all of them, one page at a time (--page, --page-size).`,
	setup: func(fs *pflag.FlagSet) action {
		var page, size int
		fs.IntVar(&page, "page", 1, "page number, from 1")
		fs.IntVar(&size, "page-size", batchprocessing.DefaultPageSize, "flows per page")
		return func(ctx context.Context, s *session, args []string) error {
			if len(args) > 1 {
				return usagef("want at most one expression, got %d arguments (quote an expression with spaces)", len(args))
			}
			if page < 1 || size < 1 {
				return usagef("--page and --page-size must be positive")
			}
			c, err := s.client()
			if err != nil {
				return err
			}
			found, err := c.SearchFlows(ctx, batchprocessing.SearchFlowsRequest{
				Expression: strings.Join(args, ""), PageNo: page, PageSize: size,
			})
			if err != nil {
				return err
			}
			views := make([]flowSummaryView, 0, len(found))
			entries := make([]cacheEntry, 0, len(found))
			for _, f := range found {
				views = append(views, flowSummaryView{FlowID: f.FlowID, FlowName: f.FlowName})
				entries = append(entries, cacheEntry{itoa(f.FlowID), f.FlowName})
			}
			s.remember(cachedFlows, entries)
			if s.g.json {
				return s.printJSON(views)
			}
			if len(views) == 0 {
				fmt.Fprintln(s.stderr, "no flows match")
				return nil
			}
			tw := newTable(s.stdout)
			tw.row("FLOW", "NAME")
			for _, v := range views {
				tw.row(itoa(v.FlowID), v.FlowName)
			}
			return tw.Flush()
		}
	},
}

var flowsGetCommand = &command{
	name:     "flows get",
	args:     "FLOW_ID",
	summary:  "show a flow: schedule, owner, parameters, tasks",
	help:     `Flows get shows a stored flow (Get Flow).`,
	complete: completeFromCache(cachedFlows),
	setup:    func(*pflag.FlagSet) action { return runFlowsGet },
}

var flowsEnableCommand = &command{
	name:     "flows enable",
	args:     "FLOW_ID",
	summary:  "start the scheduling of a flow",
	help:     `Flows enable starts the scheduling of a flow (Enable Flow). Only its owner may.`,
	complete: completeFromCache(cachedFlows),
	setup:    func(*pflag.FlagSet) action { return setActive(true) },
}

var flowsDisableCommand = &command{
	name:     "flows disable",
	args:     "FLOW_ID",
	summary:  "stop the scheduling of a flow",
	help:     `Flows disable stops the scheduling of a flow (Disable Flow). Only its owner may.`,
	complete: completeFromCache(cachedFlows),
	setup:    func(*pflag.FlagSet) action { return setActive(false) },
}

// flowArg returns the flow id that is the only positional argument.
func flowArg(args []string) (int64, error) {
	s, err := oneArg(args, "flow id")
	if err != nil {
		return 0, err
	}
	return parseFlowID(s)
}

// runFlowsGet is the flows get command.
func runFlowsGet(ctx context.Context, s *session, args []string) error {
	id, c, err := s.flowClient(args)
	if err != nil {
		return err
	}
	f, err := c.GetFlow(ctx, batchprocessing.FlowRequest{FlowID: id})
	if err != nil {
		return err
	}
	text, err := s.timeText(ctx, c)
	if err != nil {
		return err
	}
	v := newFlowView(f, text)
	if s.g.json {
		return s.printJSON(v)
	}
	active := "no (scheduling paused)"
	if v.Active {
		active = "yes"
	}
	tw := newTable(s.stdout)
	for _, kv := range [][2]string{
		{"flow", itoa(v.FlowID) + " " + v.FlowName}, {"description", dash(v.Description)}, {"type", v.Type}, {"active", active},
		{"cycle", dash(v.Cycle)}, {"freq", dash(v.Freq)}, {"owner", dash(v.Owner)}, {"locked", fmt.Sprint(v.Locked)},
		{"created", dash(v.CreateTime)}, {"updated", dash(v.UpdateTime)},
	} {
		tw.row(kv[0], kv[1])
	}
	for _, p := range v.Parameters {
		tw.row("parameter", p.Key+"="+p.Value)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(v.Tasks) == 0 {
		fmt.Fprintln(s.stdout, "\n(no tasks)")
		return nil
	}
	fmt.Fprintln(s.stdout)
	tw = newTable(s.stdout)
	tw.row("TASK ID", "TASK")
	for _, t := range v.Tasks {
		tw.row(itoa(t.TaskID), t.TaskName)
	}
	return tw.Flush()
}

// setActive returns the action of flows enable (true) or flows disable (false).
func setActive(active bool) action {
	return func(ctx context.Context, s *session, args []string) error {
		id, c, err := s.flowClient(args)
		if err != nil {
			return err
		}
		verb := "disabled"
		if active {
			err, verb = c.EnableFlow(ctx, batchprocessing.FlowRequest{FlowID: id}), "enabled"
		} else {
			err = c.DisableFlow(ctx, batchprocessing.FlowRequest{FlowID: id})
		}
		if err != nil {
			return err
		}
		if s.g.json {
			return s.printJSON(struct {
				FlowID int64 `json:"flowId"`
				Active bool  `json:"active"`
			}{id, active})
		}
		_, err = fmt.Fprintf(s.stdout, "flow %d %s\n", id, verb)
		return err
	}
}
